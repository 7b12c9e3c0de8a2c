// Starts the gateway on deploy/examples (the compose demo), drives the walkthrough's traffic through the
// emulated Envoy, then scrapes every service: each metric of the README table (and so of the dashboard)
// must be exported by its service with the documented labels.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHandle, type GatewayServiceName } from '../gateway.js';
import { repoRoot } from '../service.js';
import { waitFor } from '../wait-for.js';
import { documentedMetrics } from './observability-files.js';

/** Metrics that count events this test does not cause (a proxy NACK, an ACME order, an IdP outage, a remote JWKS). */
const NEEDS_AN_EVENT_NOT_CAUSED_HERE = new Set([
  'xds_nacks_total',
  'gatehouse_authz_errors_total',
  'gatehouse_authz_jwks_fetches_total',
  'gatehouse_certs_seconds_until_expiry',
  'gatehouse_certs_orders_total',
  'gatehouse_certs_acme_request_duration_seconds',
  'gatehouse_certs_acme_rate_limited_total',
]);

const documented = documentedMetrics(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
const mint = (sub: string): string =>
  execFileSync(process.execPath, [join(repoRoot, 'deploy/demo-token/mint-token.mjs'), '--sub', sub], { encoding: 'utf8' }).trim();

/** Family name to the label names seen on its samples (histogram series folded into the family). */
function exposition(text: string): Map<string, Set<string>> {
  const families = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!match) continue;
    const family = match[1]!.replace(/_(bucket|sum|count)$/, '');
    const labels = families.get(family) ?? new Set<string>();
    for (const [, name] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) {
      if (name !== 'le' && !name!.startsWith('otel_')) labels.add(name!);
    }
    families.set(family, labels);
  }
  return families;
}

let gw: GatewayHandle;
const scraped = new Map<GatewayServiceName, Map<string, Set<string>>>();
const texts = new Map<GatewayServiceName, string>();
const statuses: number[] = [];

beforeAll(async () => {
  gw = await startGateway({
    configDir: join(repoRoot, 'deploy', 'examples'),
    nodeCluster: 'default/gateway',
    env: { authz: { AUTHZ_COOKIE_SECRET: 'demo-cookie-secret-for-tests-only-0123456789' } },
  });
  // The limit arrives from xds over Redis: wait until ratelimit has it, or the first hits would find no domain.
  const rlconfig = `${gw.service('ratelimit').adminUrl}/rlconfig`;
  const limits = await waitFor(async () => ((await (await fetch(rlconfig)).text()).includes('BackendTrafficPolicy default/api-per-user-limit') ? true : undefined), {
    timeoutMs: 20_000,
    description: 'ratelimit to load the per-user limit published by xds',
  });
  expect(limits).toBe(true);
  // A fixed one-minute window: start the burst well inside a minute so all of it counts in one window.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
  const token = mint('alice');
  // The walkthrough: without a token 401; alice's first 5 in a minute pass, the next ones get 429.
  statuses.push((await gw.request(8080, { path: '/api/orders' })).status);
  for (let i = 0; i < 7; i++) statuses.push((await gw.request(8080, { path: '/api/orders', headers: { authorization: `Bearer ${token}` } })).status);
  // A domain nobody configured (answered OK, counted).
  await gw.peers.shouldRateLimit({ domain: 'nobody-configured-this', descriptors: [{ entries: [{ key: 'k', value: 'v' }] }] });
  for (const name of ['xds', 'authz', 'ratelimit', 'certs'] as const) {
    texts.set(name, await (await fetch(`${gw.service(name).adminUrl}/metrics`)).text());
    scraped.set(name, exposition(texts.get(name)!));
  }
}, 60_000);

afterAll(async () => gw?.stop());

describe('metrics exported by the services running the compose demo', () => {
  it('saw the walkthrough: 401 without a token, then 5 allowed and 429 for the 6th and 7th', () => {
    expect(statuses).toEqual([401, 200, 200, 200, 200, 200, 429, 429]);
  });

  it.each(documented.map((m) => [m.name, m] as const))('%s is exported with its documented labels', (name, metric) => {
    const services: GatewayServiceName[] = metric.service === 'every service' ? ['xds', 'authz', 'ratelimit', 'certs'] : [metric.service as GatewayServiceName];
    for (const service of services) {
      const labels = scraped.get(service)?.get(name);
      if (!labels) {
        expect(NEEDS_AN_EVENT_NOT_CAUSED_HERE, `${service} does not export ${name}`).toContain(name);
        continue;
      }
      expect(NEEDS_AN_EVENT_NOT_CAUSED_HERE.has(name), `${name} is exported here: take it off the not-caused list`).toBe(false);
      expect([...labels].sort(), `${service} ${name}`).toEqual([...metric.labels].sort());
    }
  });

  it('counts what the walkthrough did: 5 allowed and 3 denied checks, 2 hits over the limit, 1 connected proxy stream', () => {
    /** Sum of a family's samples whose labels include every given pair. */
    const sum = (service: GatewayServiceName, family: string, labels: Record<string, string> = {}): number =>
      (texts.get(service) ?? '')
        .split('\n')
        .filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `))
        .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
        .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
    expect(sum('authz', 'gatehouse_authz_checks_total', { policy: 'default/api-jwt', outcome: 'allowed', reason: 'jwt' })).toBe(7);
    expect(sum('authz', 'gatehouse_authz_checks_total', { policy: 'default/api-jwt', outcome: 'denied', reason: 'GH_AUTHZ_JWT_MISSING' })).toBe(1);
    expect(sum('ratelimit', 'ratelimit_over_limit_total')).toBe(2);
    expect(sum('ratelimit', 'ratelimit_within_limit_total')).toBe(5);
    expect(sum('ratelimit', 'ratelimit_domain_not_found_total', { domain: 'nobody-configured-this' })).toBe(1);
  });
});
