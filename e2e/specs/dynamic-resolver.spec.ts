// Journey: a DynamicResolver Backend. xds serves a dynamic forward proxy cluster and the loopback guard;
// the emulated Envoy (e2e/harness/envoy/dynamic-forward-proxy.ts) resolves the request's own host (the
// test's DNS maps "upstream.test" to this machine) and a real upstream answers; a request naming the
// proxy's loopback (localhost, 127.0.0.1, [::1]) is refused with 403 before any connection.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, freePort, startGateway, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';
import { dynamicTarget, isDynamicForwardProxy, loopbackDenied } from '../harness/envoy/dynamic-forward-proxy.js';
import { httpForward } from '../harness/envoy/upstream-forward.js';
import type { Route } from '../harness/envoy/types.js';

/** The test's DNS: names the dynamic forward proxy may resolve. */
const HOSTS: Record<string, string> = { 'upstream.test': '127.0.0.1' };

let upstream: Server;
let upstreamPort: number;
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((req, res) => res.end(JSON.stringify({ host: req.headers.host, path: req.url })));
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
  config = await copyConfigFolder(join(import.meta.dirname, 'dynamic-resolver'), {});
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', services: ['xds'] });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise((resolve) => upstream?.close(resolve));
});

async function viaProxy(authority: string): Promise<{ status: number; body: string }> {
  const snapshot = await gw.snapshot();
  const routed = await gw.request(8080, { host: authority, path: '/hello' }, snapshot);
  const cluster = routed.upstream?.cluster ?? '';
  expect(isDynamicForwardProxy(snapshot, cluster)).toBe(true);
  const route = snapshot.routes.flatMap((r) => r.virtual_hosts.flatMap((vh) => vh.routes)).find((r) => r.name === routed.routeName) as Route;
  if (loopbackDenied(route, authority, routed.upstream?.headers ?? {})) return { status: 403, body: 'RBAC: access denied' };
  const target = dynamicTarget(snapshot, cluster, route, authority);
  const address = HOSTS[target.host];
  if (!address) return { status: 503, body: 'dns resolution failure' };
  const answer = await httpForward({ host: address, port: target.port }, { method: 'GET', path: '/hello', headers: { ...routed.upstream?.headers, host: authority } });
  return { status: answer.status, body: answer.body };
}

describe('a DynamicResolver Backend', () => {
  it('forwards to the host the request names', async () => {
    const answer = await viaProxy(`upstream.test:${upstreamPort}`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ host: `upstream.test:${upstreamPort}`, path: '/hello' });
  });

  it('refuses hosts that name the proxy itself', async () => {
    for (const authority of [`localhost:${upstreamPort}`, `127.0.0.1:${upstreamPort}`, '[::1]', 'localhost']) {
      expect((await viaProxy(authority)).status, authority).toBe(403);
    }
  });
});
