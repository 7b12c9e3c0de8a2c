// Journey: BackendTrafficPolicy and ClientTrafficPolicy features a request can show, through the whole
// gateway (Redis, xds, authz, ratelimit, certs as processes) and the emulated Envoy reading the served
// config over ADS: a local rate limit (and one shared by two routes), fault injection, consistent
// hashing, retries against a real flaky upstream, the client address from X-Forwarded-For (one
// trusted hop) being what a per-client global rate limit counts, a global rule that counts
// without x-ratelimit headers, and a rule's cost spent per request.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, startGateway, waitFor, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';

const LISTENER_PORT = 8080;
// The proxy in front of the gateway: the peer address every request arrives from.
const PROXY = '192.0.2.10';

let config: ConfigFolderHandle;
let gw: GatewayHandle;
let upstream: Server;
/** Requests the flaky upstream got, per path; it answers 503 to the first two of each path. */
const upstreamHits = new Map<string, number>();

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const hits = (upstreamHits.get(req.url ?? '') ?? 0) + 1;
    upstreamHits.set(req.url ?? '', hits);
    res.writeHead(hits <= 2 ? 503 : 200, { 'content-type': 'text/plain' }).end(hits <= 2 ? 'try again' : 'ok');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as { port: number }).port;
  config = await copyConfigFolder(join(import.meta.dirname, 'traffic-policies'), { UPSTREAM_PORT: String(port) });
  // RATELIMIT_REDIS_TIMEOUT_MS: as in jwt-api, the service fails open when Redis is slower than its
  // default budget on a busy machine.
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'traffic/edge', env: { ratelimit: { RATELIMIT_REDIS_TIMEOUT_MS: '1000' } } });
  // ratelimit gets its domain from xds over Redis: wait until it counts (a probe client of its own).
  await waitFor(async () => (await get('/per-client', '198.51.100.250')).headers['x-ratelimit-limit'] !== undefined, {
    timeoutMs: 20_000,
    description: 'the rate limit domain to reach the ratelimit service',
  });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise((resolve) => upstream?.close(resolve));
});

function get(path: string, forwardedFor?: string, headers: Record<string, string> = {}): ReturnType<GatewayHandle['request']> {
  return gw.request(LISTENER_PORT, { path, clientAddress: PROXY, headers: { ...headers, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) } });
}

describe('traffic policies through the emulated Envoy', () => {
  it('answers 429 from the local bucket after its 3 requests, without asking the ratelimit service', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await get('/limited')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await get('/limited');
    expect(refused.upstream).toBeUndefined();
    expect(refused.sent.rateLimit).toBeUndefined();
  });

  it('spends one shared local bucket from two routes: the 4th request is refused whichever route it takes', async () => {
    const statuses = [];
    for (const path of ['/shared-a', '/shared-b', '/shared-a', '/shared-b']) statuses.push((await get(path)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await get('/shared-a');
    expect(refused.status).toBe(429);
    expect(refused.upstream).toBeUndefined();
  });

  it('aborts every request on the faulty route with the injected status, never reaching the Backend', async () => {
    const response = await get('/broken');
    expect(response.status).toBe(418);
    expect(response.upstream).toBeUndefined();
  });

  it('sends one user to one endpoint every time, and spreads users over the endpoints', async () => {
    const endpointOf = async (user: string) => (await get('/sticky', undefined, { 'x-user': user })).upstream?.endpoint;
    const alice = await Promise.all([1, 2, 3, 4, 5].map(() => endpointOf('alice')));
    expect(new Set(alice).size).toBe(1);
    expect(alice[0]).toMatch(/^127\.0\.0\.1:300[123]$/);
    const users = await Promise.all(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'].map(endpointOf));
    expect(new Set(users).size).toBeGreaterThan(1);
  });

  it('counts clients by the address in X-Forwarded-For (one trusted hop), not by the proxy they share', async () => {
    const first = [];
    for (let i = 0; i < 3; i += 1) first.push(await get('/per-client', '198.51.100.7'));
    expect(first.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(first[0]!.sent.rateLimit).toMatchObject({ descriptors: [{ entries: expect.arrayContaining([{ key: 'remote_address', value: '198.51.100.7' }]) }] });
    // Another client behind the same proxy has its own count.
    expect((await get('/per-client', '198.51.100.8')).status).toBe(200);
    // A client that puts an address of its own in front: the proxy appended the real one, which is what counts.
    expect((await get('/per-client', '203.0.113.1, 198.51.100.7')).status).toBe(429);
  });

  it('spends a rule\'s cost per request: 4 of a budget of 10, so the third request is over', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await get('/costly', '198.51.100.30'));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    // Envoy sends the cost as the descriptor's last entry; the service spends it from the bucket without it.
    expect(statuses[0]!.sent.rateLimit).toMatchObject({ descriptors: [{ entries: expect.arrayContaining([{ key: 'gatehouse.cost', value: '4' }]) }] });
    expect(statuses[1]!.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('counts a global rule with xRateLimitHeaders Off in the ratelimit service but answers without x-ratelimit headers', async () => {
    const first = await get('/quiet-limit');
    expect(first.status).toBe(200);
    expect(first.sent.rateLimit).toMatchObject({ descriptors: [{ entries: expect.arrayContaining([{ key: 'rule-0-match--1', value: 'rule-0-match--1' }]) }] });
    expect(first.headers['x-ratelimit-limit']).toBeUndefined();
    expect((await get('/quiet-limit')).status).toBe(200);
    const refused = await get('/quiet-limit');
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('retries a 503 from the upstream as the policy says, until the upstream answers', async () => {
    const response = await gw.requestUpstream(LISTENER_PORT, { path: '/retried/order', clientAddress: PROXY });
    expect(response.status).toBe(200);
    expect(response.body).toBe('ok');
    expect(response.upstream?.attempts).toBe(3);
    expect(upstreamHits.get('/retried/order')).toBe(3);
  });

  it('passes the 503 on where no policy asks for retries (the route keeps one try)', async () => {
    const response = await gw.requestUpstream(LISTENER_PORT, { path: '/not-retried/order', clientAddress: PROXY });
    expect(response.status).toBe(503);
    expect(response.upstream?.attempts).toBe(1);
  });
});
