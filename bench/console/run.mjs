#!/usr/bin/env node
// bench/console: how long the console takes to load in headless Chromium (navigation until every route
// rule of the Gateway is drawn) with 1,000 HTTPRoutes configured. Baseline, measured in the same run on
// the same xds: the page with one route (the browser's, the page's and the event stream's fixed cost).
// Needs `pnpm build`, redis-server and Debian's chromium. BENCH_ROUTES and BENCH_LOADS override the defaults.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, startService, waitFor } from '@gatehouse/e2e';
import { launchChromium } from '@gatehouse/e2e/browser';

const ROUTES = Number(process.env.BENCH_ROUTES ?? 1000);
const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const TARGET_MS = 1000;
const GATEWAY = 'bench/gateway';

function config(routes) {
  const docs = [
    'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: gatehouse }\nspec: { controllerName: gatehouse.dev/gateway-controller }',
    'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: gateway, namespace: bench }\nspec:\n  gatewayClassName: gatehouse\n  listeners: [{ name: http, protocol: HTTP, port: 8080 }]',
    'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: Backend\nmetadata: { name: upstream, namespace: bench }\nspec: { endpoints: [{ ip: { address: 127.0.0.1, port: 9000 } }] }',
  ];
  for (let i = 0; i < routes; i++) {
    docs.push(
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: route-${i}, namespace: bench }\nspec:\n  parentRefs: [{ name: gateway }]\n  hostnames: [host-${i % 10}.example.com]\n  rules:\n    - matches: [{ path: { type: PathPrefix, value: /api/v1/service-${i} } }]\n      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: upstream }]`,
    );
  }
  return `${docs.join('\n---\n')}\n`;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Milliseconds from navigation to `routes` route rules drawn, median of LOADS fresh pages. */
async function measureLoads(browser, url, routes) {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const { page, errors } = await browser.newPage();
    const started = performance.now();
    await page.goto(url);
    await page.waitForFunction((n) => document.querySelectorAll('.flow').length >= n, routes, { timeout: 30_000 });
    times.push(performance.now() - started);
    if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
    await page.context().close();
  }
  return median(times);
}

const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-console-'));
const redis = await startRedis();
let xds;
let browser;
try {
  await writeFile(join(dir, 'routes.yaml'), config(1));
  xds = await startService('xds', { REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, LOG_LEVEL: 'warn' });
  const routesServed = async () => {
    const state = await (await fetch(`${xds.adminUrl}/console/api/state`)).json();
    return state.topology.gateways.find((g) => g.key === GATEWAY)?.routes.length ?? 0;
  };
  browser = await launchChromium();
  const url = `${xds.adminUrl}/console/`;
  await waitFor(async () => (await routesServed()) === 1, { timeoutMs: 30_000, description: 'one route served' });
  const baseline = await measureLoads(browser, url, 1);

  await writeFile(join(dir, 'routes.yaml'), config(ROUTES));
  await waitFor(async () => (await routesServed()) === ROUTES, { timeoutMs: 60_000, intervalMs: 250, description: `${ROUTES} routes served` });
  const stateBytes = (await (await fetch(`${xds.adminUrl}/console/api/state`)).arrayBuffer()).byteLength;
  const loaded = await measureLoads(browser, url, ROUTES);

  const fmt = (n, digits = 0) => n.toFixed(digits);
  console.log(`console page load until every route rule is drawn, median of ${LOADS} fresh pages (headless Chromium):`);
  console.log(`  baseline (1 route)   : ${fmt(baseline)} ms`);
  console.log(`  ${String(ROUTES).padEnd(5)} routes         : ${fmt(loaded)} ms  (x${fmt(loaded / baseline, 2)} baseline)  target < ${TARGET_MS} ms: ${loaded < TARGET_MS ? 'met' : 'MISSED'}`);
  console.log(`  state document       : ${fmt(stateBytes / 1024)} KiB`);
} finally {
  await browser?.close();
  await xds?.stop();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
