// The console through the service: its page is served under a strict Content-Security-Policy without a
// token (it holds no data), its data needs the read token, and the event stream tells what changed: the
// walkthrough's policies in words-ready form, a proxy connecting, its NACK, a file that fails to parse.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import type { ConsoleState } from '@gatehouse/console/model';
import { startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { CONSOLE_CSP } from './adapters/console-routes.js';
import { openSotwStream } from './testing/raw-ads-client.js';
import { startXdsInProcess, type XdsInProcess } from './testing/in-process.js';

const READ_TOKEN = 'console-read-token-0123456789';
const examples = new URL('../../../deploy/examples/', import.meta.url);
let dir: string;
let redis: RedisHandle;
let xds: XdsInProcess;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-xds-console-'));
  for (const file of ['gateway.yaml', 'jwt-api.yaml']) await writeFile(join(dir, file), await readFile(new URL(file, examples), 'utf8'));
  redis = await startRedis();
  xds = await startXdsInProcess({ REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, ADMIN_READ_TOKEN: READ_TOKEN });
  base = `http://127.0.0.1:${xds.service.adminPort}`;
});
afterAll(async () => {
  await xds?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${READ_TOKEN}` };

/** Reads the event stream, keeping the latest value of each section. */
async function openEvents(): Promise<{ latest: Partial<ConsoleState>; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${base}/console/api/events`, { headers: auth, signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const latest: Partial<ConsoleState> = {};
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (\w+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) Object.assign(latest, { [event]: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  return { latest, close: () => controller.abort() };
}

describe('the console on the admin port', () => {
  it('serves its page and assets without a token, under a strict Content-Security-Policy', async () => {
    for (const path of ['/console/', '/console/console.js', '/console/console.css']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const html = await (await fetch(`${base}/console/`)).text();
    expect(html).toContain('<script type="module" src="console.js">');
    expect(html).not.toMatch(/<script>|https?:\/\//);
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    // Only the built files are served, whatever the path says.
    expect((await fetch(`${base}/console/..%2Fpackage.json`)).status).toBe(404);
  });

  it('needs the read token for its data, in the Authorization header', async () => {
    expect(await (await fetch(`${base}/console/api/access`)).json()).toEqual({ tokenRequired: true });
    expect((await fetch(`${base}/console/api/state`)).status).toBe(401);
    expect((await fetch(`${base}/console/api/events`)).status).toBe(401);
    const state = (await (await fetch(`${base}/console/api/state`, { headers: auth })).json()) as ConsoleState;
    expect(Object.keys(state).sort()).toEqual(['certificates', 'health', 'topology', 'traffic']);
  });

  it('shows the walkthrough Gateway with its listener, routes and the policies on /api', async () => {
    const state = await waitFor(
      async () => {
        const s = (await (await fetch(`${base}/console/api/state`, { headers: auth })).json()) as ConsoleState;
        return s.topology.gateways[0]?.routes.some((r) => r.route === 'HTTPRoute/default/api') ? s : undefined;
      },
      { description: 'the api route in the topology' },
    );
    const gateway = state.topology.gateways[0]!;
    expect(gateway.key).toBe('default/gateway');
    expect(gateway.listeners).toEqual([{ name: 'http', protocol: 'HTTP', port: 8080, certificates: [], attachedRoutes: 2, ready: true }]);
    const api = gateway.routes.find((r) => r.route === 'HTTPRoute/default/api')!;
    expect(api.match.path).toEqual({ type: 'Prefix', value: '/api' });
    expect(api.backends).toEqual([{ name: 'service/default/demo-upstream/8080', weight: 1 }]);
    expect(api.policies).toEqual([
      {
        kind: 'SecurityPolicy',
        name: 'default/api-jwt',
        jwt: [{ issuer: 'https://demo-issuer.gatehouse.local', audiences: ['demo-api'], claimToHeaders: [{ claim: 'sub', header: 'x-user-id' }] }],
      },
      { kind: 'RateLimit', name: 'default/api-per-user-limit', shared: false, rules: [{ requests: 5, unit: 'minute', selectors: [{ kind: 'header', name: 'x-user-id', invert: false, distinct: true }] }] },
    ]);
  });

  it('streams a proxy connecting, its NACK, and a file that fails to parse with its line', async () => {
    const events = await openEvents();
    try {
      await waitFor(async () => events.latest.health !== undefined, { description: 'the first health event' });
      const stream = openSotwStream(`127.0.0.1:${xds.service.grpcPort}`);
      stream.send({ node: { id: 'envoy-console-test', cluster: 'default/gateway' }, type_url: TypeUrls.cluster });
      const response = await stream.responses.next(10_000);
      await waitFor(async () => events.latest.health?.proxies.some((p) => p.nodeId === 'envoy-console-test'), { description: 'the proxy in the health event' });

      stream.send({ type_url: TypeUrls.cluster, response_nonce: response.nonce, error_detail: { code: 3, message: 'cluster default/demo-upstream: rejected by the test' } });
      const nack = await waitFor(async () => events.latest.health?.nacks.find((n) => n.nodeId === 'envoy-console-test'), { description: 'the NACK in the health event' });
      expect(nack.message).toBe('cluster default/demo-upstream: rejected by the test');
      stream.close();

      await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: HTTPRoute\nmetadata: { name: [oops\n');
      const fileError = await waitFor(async () => events.latest.health?.fileErrors.find((e) => e.file?.endsWith('broken.yaml')), { description: 'the file error in the health event' });
      expect(fileError.line).toBeGreaterThan(0);
      expect(fileError.code).toBe('GH_XDS_YAML_PARSE');
    } finally {
      events.close();
    }
  });
});
