// Journey: the client address a ClientTrafficPolicy detects (one trusted X-Forwarded-For hop on one
// listener, a custom header on another) is the address a SecurityPolicy's clientCIDRs rule judges,
// through the whole gateway (Redis, xds, authz as processes) and the emulated Envoy reading the
// served config over ADS. Every request arrives from the same proxy, outside the allowed range.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, startGateway, waitFor, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';

const BEHIND_PROXY = 8080;
const BEHIND_LB = 8081;
// The proxy or load balancer in front of the gateway: outside 198.51.100.0/24.
const PEER = '192.0.2.10';

let config: ConfigFolderHandle;
let gw: GatewayHandle;
let upstream: Server;

beforeAll(async () => {
  upstream = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('office'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as { port: number }).port;
  config = await copyConfigFolder(join(import.meta.dirname, 'client-ip-rules'), { UPSTREAM_PORT: String(port) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'clientip/edge' });
  // authz gets the policy from xds over Redis: wait until an office address gets through.
  await waitFor(async () => (await get(BEHIND_PROXY, { 'x-forwarded-for': '198.51.100.7' })).status === 200, {
    timeoutMs: 20_000,
    description: 'the authorization policy to reach authz',
  });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise((resolve) => upstream?.close(resolve));
});

function get(port: number, headers: Record<string, string> = {}): ReturnType<GatewayHandle['request']> {
  return gw.request(port, { path: '/office/desk', clientAddress: PEER, headers });
}

describe('clientCIDRs rules judge the detected client address', () => {
  it('lets an office address in through the trusted proxy (the rightmost X-Forwarded-For entry)', async () => {
    const response = await get(BEHIND_PROXY, { 'x-forwarded-for': '198.51.100.7' });
    expect(response.status).toBe(200);
    expect(response.sent.check).toMatchObject({ attributes: { source: { address: { socket_address: { address: '198.51.100.7' } } } } });
  });

  it('keeps out an outside address, an office address the client forged in front, and the proxy itself', async () => {
    expect((await get(BEHIND_PROXY, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    // The proxy appended the real address after the forged one: only that counts.
    expect((await get(BEHIND_PROXY, { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' })).status).toBe(403);
    expect((await get(BEHIND_PROXY)).status).toBe(403);
  });

  it('takes the address from the custom header behind the load balancer, and refuses a request without it', async () => {
    expect((await get(BEHIND_LB, { 'x-real-ip': '198.51.100.20' })).status).toBe(200);
    expect((await get(BEHIND_LB, { 'x-real-ip': '203.0.113.9' })).status).toBe(403);
    const missing = await get(BEHIND_LB);
    expect(missing.status).toBe(403);
    expect(missing.upstream).toBeUndefined();
  });
});
