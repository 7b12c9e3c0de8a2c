// Journey: CORS and an external authorization service from one folder of YAML (cors-ext-auth/). The
// gateway runs as processes; the emulated Envoy reads the served config over ADS and runs the cors
// filter and the policy's own ext_authz filter, which calls the shop's HTTP authorization service
// (a real HTTP server here) the way Envoy's HTTP ext_authz client does.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, freePort, startGateway, waitFor, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';

const LISTENER_PORT = 8080;
const HOST = 'api.shop.example';

let authService: Server;
/** What the authorization service was asked: method, path and headers of each check. */
const checks: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined> }> = [];
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  const authPort = await freePort();
  // The shop's service: "Bearer alice-token" is alice; anything else is refused with its own answer.
  authService = createServer((req, res) => {
    checks.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    if (req.headers.authorization === 'Bearer alice-token') {
      res.writeHead(200, { 'x-user-id': 'alice', 'x-internal-note': 'not for the backend' }).end();
    } else res.writeHead(403, { 'content-type': 'text/plain' }).end('shop-auth says no');
  });
  await new Promise<void>((resolve) => authService.listen(authPort, '127.0.0.1', resolve));
  // Nothing listens there: the returns policy's primary authorization replica is down.
  const downPort = await freePort();
  config = await copyConfigFolder(join(import.meta.dirname, 'cors-ext-auth'), { AUTH_PORT: String(authPort), DOWN_PORT: String(downPort) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'shop/store' });
  await waitFor(async () => (await gw.request(LISTENER_PORT, { path: '/orders', host: HOST })).status === 403, { timeoutMs: 20_000, description: 'the extAuth policy to be served' });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise((resolve) => authService?.close(resolve));
});

describe('CORS from a SecurityPolicy', () => {
  it('answers a preflight from an allowed origin itself, with the CORS headers, never reaching the Backend', async () => {
    const response = await gw.request(LISTENER_PORT, {
      method: 'OPTIONS',
      path: '/catalog/items',
      host: HOST,
      headers: { origin: 'https://m.shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBe(200);
    expect(response.upstream).toBeUndefined();
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': 'https://m.shop.example',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    });
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers a preflight from another origin without any CORS header', async () => {
    const response = await gw.request(LISTENER_PORT, {
      method: 'OPTIONS',
      path: '/catalog/items',
      host: HOST,
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(200);
    expect(response.upstream).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds the CORS headers to an allowed cross-origin request it forwards', async () => {
    const response = await gw.request(LISTENER_PORT, { path: '/catalog/items', host: HOST, headers: { origin: 'https://www.shop.example' } });
    expect(response.status).toBe(200);
    expect(response.upstream?.cluster).toBe('backend/shop/app');
    expect(response.headers).toMatchObject({ 'access-control-allow-origin': 'https://www.shop.example', 'access-control-expose-headers': 'x-request-id' });
  });
});

describe('CSRF from a SecurityPolicy', () => {
  it("refuses a write from another site's page, and lets the shop's pages and its own origin write", async () => {
    const post = (origin: string) => gw.request(LISTENER_PORT, { method: 'POST', path: '/catalog/items', host: HOST, headers: { origin } });
    const forged = await post('https://evil.example');
    expect(forged.status).toBe(403);
    expect(forged.upstream).toBeUndefined();
    expect((await post('https://www.shop.example')).status).toBe(200);
    expect((await post(`https://${HOST}`)).status).toBe(200);
  });
});

describe('extAuth to the shop\'s own authorization service', () => {
  it('forwards an authorized request with the headers the service allows, and only those', async () => {
    checks.length = 0;
    const response = await gw.request(LISTENER_PORT, { path: '/orders/7', host: HOST, headers: { authorization: 'Bearer alice-token', 'x-user-id': 'mallory', cookie: 'session=1' } });
    expect(response.status).toBe(200);
    expect(response.upstream?.headers['x-user-id']).toBe('alice');
    expect(response.upstream?.headers['x-internal-note']).toBeUndefined();
    // The check: path_prefix + path, the allowed header, not the cookie.
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ method: 'GET', path: '/authorize/orders/7' });
    expect(checks[0]!.headers.authorization).toBe('Bearer alice-token');
    expect(checks[0]!.headers.cookie).toBeUndefined();
  });

  it("returns the service's refusal to the client, never reaching the Backend", async () => {
    const response = await gw.request(LISTENER_PORT, { path: '/orders/7', host: HOST, headers: { authorization: 'Bearer someone-else' } });
    expect(response.status).toBe(403);
    expect(response.body).toBe('shop-auth says no');
    expect(response.upstream).toBeUndefined();
  });

  it('does not ask the service on a route without the policy', async () => {
    checks.length = 0;
    const response = await gw.request(LISTENER_PORT, { path: '/catalog', host: HOST });
    expect(response.status).toBe(200);
    expect(checks).toHaveLength(0);
  });
});

describe('extAuth with a fallback backend', () => {
  it('calls the primary first, then, once outlier detection has ejected it, the fallback service', async () => {
    checks.length = 0;
    const request = () => gw.request(LISTENER_PORT, { path: '/returns/3', host: HOST, headers: { authorization: 'Bearer alice-token' } });
    // The primary (priority 0) cannot be reached: the check fails closed (status_on_error 403) and ejects it.
    const first = await request();
    expect(first.status).toBe(403);
    expect(first.upstream).toBeUndefined();
    expect(checks).toHaveLength(0);
    // Priority 0 has no healthy endpoint left: the fallback (priority 1) answers, and alice gets through.
    const second = await request();
    expect(second.status).toBe(200);
    expect(second.upstream?.headers['x-user-id']).toBe('alice');
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ path: '/authorize/returns/3' });
  });
});
