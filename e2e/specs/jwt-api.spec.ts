// Journey: a JWT-protected, rate-limited API, from one folder of YAML (jwt-api/). The whole gateway runs
// (Redis, xds, authz, ratelimit, certs as processes); the emulated Envoy reads the served config over ADS
// and calls authz and ratelimit the way Envoy's ext_authz and ratelimit filters do.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, startGateway, startJwtIssuer, waitFor, type ConfigFolderHandle, type GatewayHandle, type JwtIssuerHandle } from '../harness/index.js';

const LISTENER_PORT = 8080;
const HOST = 'api.example.com';
// Fixed windows are aligned to the clock (as in envoyproxy/ratelimit): an hour-long window keeps the
// limit test inside one window unless it runs across the top of an hour.
const LIMIT_PER_USER = 3;

let issuer: JwtIssuerHandle;
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  issuer = await startJwtIssuer();
  config = await copyConfigFolder(join(import.meta.dirname, 'jwt-api'), { JWT_ISSUER: issuer.issuer, JWKS_URI: issuer.jwksUri });
  gw = await startGateway({
    configDir: config.dir,
    nodeCluster: 'shop/api',
    // RATELIMIT_REDIS_TIMEOUT_MS: the service fails open (no limit, no headers) when Redis answers slower
    // than its 10 ms default budget, which a busy shared machine does; give it the 1 s timeout the
    // translator gives Envoy's ratelimit filter.
    env: { ratelimit: { LIMIT_RESPONSE_HEADERS_ENABLED: 'true', RATELIMIT_REDIS_TIMEOUT_MS: '1000' } },
  });
  // authz and ratelimit get their config from xds over Redis: wait until a token passes.
  const probe = issuer.sign({ sub: 'probe', aud: 'orders-api' });
  await waitFor(async () => (await get('/orders', probe)).status === 200, { timeoutMs: 20_000, description: 'the policy to reach authz and ratelimit' });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await issuer?.stop();
  await config?.remove();
});

function get(path: string, token?: string, headers: Record<string, string> = {}): ReturnType<GatewayHandle['request']> {
  return gw.request(LISTENER_PORT, { path, host: HOST, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}

describe('a JWT-protected, rate-limited API', () => {
  it('forwards a request with a valid token to the Backend, with its claims as headers', async () => {
    const response = await get('/orders/42', issuer.sign({ sub: 'alice', tenant: 'acme', aud: 'orders-api' }));
    expect(response.status).toBe(200);
    expect(response.upstream?.cluster).toMatch(/orders/);
    expect(response.upstream?.headers['x-user-id']).toBe('alice');
    expect(response.upstream?.headers['x-tenant']).toBe('acme');
  });

  it('overwrites identity headers a client sends itself', async () => {
    const response = await get('/orders', issuer.sign({ sub: 'mallory-real', aud: 'orders-api' }), { 'x-user-id': 'alice', 'x-tenant': 'acme' });
    expect(response.status).toBe(200);
    expect(response.upstream?.headers['x-user-id']).toBe('mallory-real');
    expect(response.upstream?.headers['x-tenant']).toBeUndefined();
  });

  const badTokens: ReadonlyArray<readonly [string, (() => string) | undefined, string]> = [
    ['no token', undefined, 'GH_AUTHZ_JWT_MISSING'],
    ['a token for another audience', () => issuer.sign({ sub: 'alice', aud: 'billing-api' }), 'GH_AUTHZ_JWT_AUDIENCE_MISMATCH'],
    ['an expired token', () => issuer.sign({ sub: 'alice', aud: 'orders-api', exp: Math.floor(Date.now() / 1000) - 600 }), 'GH_AUTHZ_JWT_EXPIRED'],
    ['a token with a forged signature', () => tamper(issuer.sign({ sub: 'alice', aud: 'orders-api' })), 'GH_AUTHZ_JWT_SIGNATURE_INVALID'],
    ['garbage', () => 'not-a-jwt', 'GH_AUTHZ_JWT_MALFORMED'],
  ];
  it.each(badTokens)('answers 401 to %s, never reaching the Backend or the rate limit', async (_, token, code) => {
    const response = await get('/orders', token?.());
    expect(response.status).toBe(401);
    expect(response.body).toContain(code);
    expect(response.upstream).toBeUndefined();
    expect(response.sent.rateLimit).toBeUndefined();
  });

  it(`answers 429 to a user's request number ${LIMIT_PER_USER + 1} within the window, while another user passes`, async () => {
    const bob = issuer.sign({ sub: 'bob', aud: 'orders-api' });
    const passed = [];
    for (let i = 0; i < LIMIT_PER_USER; i += 1) passed.push(await get('/orders', bob));
    expect(passed.map((r) => r.status)).toEqual(Array(LIMIT_PER_USER).fill(200));
    // The descriptor Envoy sends carries the user from the verified token, not from the client.
    expect(passed[0]?.sent.rateLimit).toMatchObject({ domain: expect.any(String), descriptors: [{ entries: expect.arrayContaining([{ key: expect.any(String), value: 'bob' }]) }] });
    expect(passed.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(passed[0]?.headers['ratelimit-limit']).toBe(String(LIMIT_PER_USER));
    expect(passed.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);

    const over = await get('/orders', bob);
    expect(over.status).toBe(429);
    expect(over.upstream).toBeUndefined();
    expect(over.headers['x-envoy-ratelimited']).toBe('true');
    expect(over.headers['ratelimit-limit']).toBe(String(LIMIT_PER_USER));
    expect(over.headers['ratelimit-remaining']).toBe('0');
    expect(Number(over.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(over.headers['x-ratelimit-limit']).toMatch(new RegExp(`^${LIMIT_PER_USER}, ${LIMIT_PER_USER};w=3600`));
    expect(over.headers['x-ratelimit-remaining']).toBe('0');

    // Claiming to be someone else does not escape the limit: authz overwrites x-user-id.
    expect((await get('/orders', bob, { 'x-user-id': 'carol' })).status).toBe(429);

    const carol = await get('/orders', issuer.sign({ sub: 'carol', aud: 'orders-api' }));
    expect(carol.status).toBe(200);
    expect(carol.upstream?.headers['x-user-id']).toBe('carol');
  });
});

/** Flips one bit in the signature. */
function tamper(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}
