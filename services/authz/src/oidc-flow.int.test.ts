// The whole browser flow against a real OpenID Provider (oidc-provider, in-process) and a real Redis:
// login, callback, session use, refresh (one per session across replicas), logout; plus introspection
// of opaque tokens, replayed state and code, forged state, and failing closed when Redis is gone.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthz, type AuthzUnderTest } from './testing/authz-service.js';
import { deniedHeaders, upstreamHeaders, type CheckAnswer, type CheckClient } from './testing/check-client.js';
import { CookieJar } from './testing/cookie-jar.js';
import { rewriteSessionRecord, sessionIdOf } from './testing/session-records.js';
import { startOidcProvider, startRedis, type OidcProviderHandle, type RedisHandle as RedisServer } from '@gatehouse/e2e';

const HOST = 'app.example.test';
const CALLBACK = `https://${HOST}/oauth2/callback`;
const COOKIE_SECRET = 'c'.repeat(32);
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
let idp: OidcProviderHandle;
const grants: Record<string, number> = {};
let redisServer: RedisServer;
let dir: string;
// A TCP relay in front of the IdP: the Backend of the policy with provider backendRefs, recording the
// request lines it carries (connections are kept alive, so requests are counted, not connections).
let relay: Server;
const relayed: string[] = [];
const services: AuthzUnderTest[] = [];
const clients: CheckClient[] = [];

beforeAll(async () => {
  idp = await startOidcProvider({
    client: { clientId: 'gatehouse', clientSecret: 'client-secret-0123456789', redirectUris: [CALLBACK] },
    account: { sub: 'alice', claims: { email: 'alice@example.test' } },
    refreshTokens: 'always',
    accessTokenTtlSeconds: 600,
  });
  // Count successful grants as the provider itself sees them (refresh must happen once per session).
  idp.provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.grant_type);
    grants[type] = (grants[type] ?? 0) + 1;
  });
  redisServer = await startRedis();
  const idpUrl = new URL(idp.issuer);
  relay = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => relayed.push(...(chunk.toString('latin1').match(/^(?:GET|POST) \S+/gm) ?? [])));
    const upstream = connect(Number(idpUrl.port), idpUrl.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const relayPort = (relay.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'gh-authz-oidc-'));
  writeFileSync(
    join(dir, 'oidc.yaml'),
    `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: web, namespace: app }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: web }]
  oidc:
    provider: { issuer: "${idp.issuer}" }
    clientID: gatehouse
    clientSecret: { name: idp-client }
    scopes: [openid, email]
    redirectURL: "${CALLBACK}"
    logoutPath: /logout
    forwardAccessToken: true
    refreshToken: true
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: web-shared, namespace: app }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: web }]
  oidc:
    provider: { issuer: "${idp.issuer}" }
    clientID: gatehouse
    clientSecret: { name: idp-client }
    redirectURL: "${CALLBACK}"
    cookieDomain: example.test
    disableTokenEncryption: false
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: web-via-backend, namespace: app }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: web }]
  oidc:
    provider:
      issuer: "${idp.issuer}"
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: idp-relay }]
    clientID: gatehouse
    clientSecret: { name: idp-client }
    redirectURL: "${CALLBACK}"
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: idp-relay, namespace: app }
spec:
  endpoints: [{ ip: { address: 127.0.0.1, port: ${relayPort} } }]
---
apiVersion: v1
kind: Secret
metadata: { name: idp-client, namespace: app }
stringData: { client-secret: client-secret-0123456789 }
`,
  );
  for (let i = 0; i < 2; i++) {
    const service = await startAuthz({ AUTHZ_CONFIG_PATH: dir, REDIS_URL: redisServer.url, AUTHZ_COOKIE_SECRET: COOKIE_SECRET });
    services.push(service);
    clients.push(service.client);
  }
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await idp?.stop();
  await new Promise((resolve) => relay?.close(resolve));
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const check = (jar: CookieJar, path: string, headers: Record<string, string> = BROWSER, replica = 0, policy = 'app/web', host = HOST): Promise<CheckAnswer> =>
  clients[replica]!.check({ policy, host, path, headers: { ...headers, ...(jar.cookies.size > 0 && { cookie: jar.header() }) } });

function setCookies(answer: CheckAnswer): string[] {
  return deniedHeaders(answer).filter(([k]) => k === 'set-cookie').map(([, v]) => v);
}
function location(answer: CheckAnswer): string {
  const found = deniedHeaders(answer).find(([k]) => k === 'location');
  if (!found) throw new Error(`no location in ${JSON.stringify(answer)}`);
  return found[1];
}

/** Drives the IdP like a browser until it redirects back to the callback URL. */
async function loginAtIdp(authorizeUrl: string): Promise<string> {
  return (await idp.login(authorizeUrl)).href;
}

async function login(jar: CookieJar, path = '/dashboard?tab=2'): Promise<{ callbackUrl: string; answer: CheckAnswer }> {
  const start = await check(jar, path);
  expect(start.denied_response.status.code).toBe('Found');
  jar.store(setCookies(start));
  const callbackUrl = await loginAtIdp(location(start));
  const url = new URL(callbackUrl);
  const answer = await check(jar, `${url.pathname}${url.search}`);
  jar.store(setCookies(answer));
  return { callbackUrl, answer };
}

async function rewriteSession(jar: CookieJar, change: (session: Record<string, unknown>) => void): Promise<void> {
  const redis = new Redis(redisServer.url);
  try {
    await rewriteSessionRecord(redis, sessionIdOf(jar, COOKIE_SECRET), change);
  } finally {
    redis.disconnect();
  }
}

describe('OIDC browser login against a real OpenID Provider', () => {
  it('redirects a browser to log in with PKCE S256, state and nonce; an API client gets 401', async () => {
    const jar = new CookieJar();
    const answer = await check(jar, '/dashboard');
    const url = new URL(location(answer));
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    const api = await check(jar, '/api/orders', { accept: 'application/json' });
    expect(api.denied_response.status.code).toBe('Unauthorized');
    expect(deniedHeaders(api)).toContainEqual(['www-authenticate', 'Bearer error="invalid_token"']);
  });

  it('logs in, returns to the original URL with a fresh __Host- session cookie, and uses the session', async () => {
    const jar = new CookieJar();
    const planted = '__Host-gh-session-planted';
    jar.cookies.set(planted, 'attacker-chosen');
    const { answer } = await login(jar);
    expect(answer.denied_response.status.code).toBe('Found');
    expect(location(answer)).toBe('/dashboard?tab=2');
    const sessionCookie = setCookies(answer).find((c) => c.startsWith('__Host-gh-session-'))!;
    expect(sessionCookie).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Lax/);
    expect(sessionCookie).not.toMatch(/Domain=/i);
    const allowed = await check(jar, '/dashboard');
    expect(allowed.status.code).toBe(0);
    const headers = upstreamHeaders(allowed);
    expect(headers['x-gatehouse-subject']).toBe('alice');
    expect(headers.authorization).toMatch(/^Bearer \S+$/);
    expect(allowed.dynamic_metadata.fields.oidc.structValue.fields.sub.stringValue).toBe('alice');
    // The same session works on the other replica.
    expect((await check(jar, '/dashboard', BROWSER, 1)).status.code).toBe(0);
  });

  it('cookieDomain: the session cookie is __Secure- with that Domain, so a subdomain shares the login', async () => {
    const jar = new CookieJar();
    const start = await check(jar, '/home', BROWSER, 0, 'app/web-shared');
    jar.store(setCookies(start));
    const url = new URL(await loginAtIdp(location(start)));
    const answer = await check(jar, `${url.pathname}${url.search}`, BROWSER, 0, 'app/web-shared');
    const sessionCookie = setCookies(answer).find((c) => c.startsWith('__Secure-gh-session-'))!;
    expect(sessionCookie).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Lax; Domain=example\.test/);
    jar.store(setCookies(answer));
    const elsewhere = await check(jar, '/reports', BROWSER, 1, 'app/web-shared', 'reports.example.test');
    expect(elsewhere.status.code).toBe(0);
    expect(upstreamHeaders(elsewhere)['x-gatehouse-subject']).toBe('alice');
    const logout = await check(jar, '/logout', BROWSER, 0, 'app/web-shared', 'reports.example.test');
    expect(setCookies(logout).find((c) => c.startsWith('__Secure-gh-session-'))).toMatch(/Max-Age=0.*; Domain=example\.test|Domain=example\.test.*Max-Age=0/);
  });

  it('provider backendRefs: discovery, code exchange and the ID token keys go through the Backend', async () => {
    relayed.length = 0;
    const jar = new CookieJar();
    const start = await check(jar, '/home', BROWSER, 0, 'app/web-via-backend');
    jar.store(setCookies(start));
    const url = new URL(await loginAtIdp(location(start)));
    const answer = await check(jar, `${url.pathname}${url.search}`, BROWSER, 0, 'app/web-via-backend');
    expect(location(answer)).toBe('/home');
    jar.store(setCookies(answer));
    expect((await check(jar, '/home', BROWSER, 0, 'app/web-via-backend')).status.code).toBe(0);
    // Discovery, the token exchange and the JWKS fetch all went through the relay.
    expect(relayed).toEqual(expect.arrayContaining(['GET /.well-known/openid-configuration', expect.stringMatching(/^POST \/token/), expect.stringMatching(/^GET \/jwks/)]));
  });

  it('issues a new session id at every login, dropping any session the browser already had (no fixation)', async () => {
    const attacker = new CookieJar();
    await login(attacker);
    const [sessionName, planted] = [...attacker.cookies].find(([k]) => k.startsWith('__Host-gh-session-'))!;
    // The victim's browser carries the attacker's session cookie while it completes its own login.
    const victim = new CookieJar();
    const start = await check(victim, '/');
    victim.store(setCookies(start));
    const callbackUrl = new URL(await loginAtIdp(location(start)));
    victim.cookies.set(sessionName, planted);
    const answer = await check(victim, `${callbackUrl.pathname}${callbackUrl.search}`);
    victim.store(setCookies(answer));
    expect(victim.cookies.get(sessionName)).not.toBe(planted);
    expect((await check(victim, '/')).status.code).toBe(0);
    // The planted session is gone server-side.
    expect((await check(attacker, '/', { accept: 'application/json' })).denied_response.status.code).toBe('Unauthorized');
  });

  it('rejects a replayed callback (state and code are single-use)', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await login(jar);
    const url = new URL(callbackUrl);
    const replay = await check(jar, `${url.pathname}${url.search}`);
    expect(replay.denied_response.status.code).toBe('BadRequest');
    expect(JSON.parse(replay.denied_response.body)).toEqual({ error: 'GH_AUTHZ_OIDC_STATE_INVALID' });
  });

  it('rejects a forged state and a state minted for another browser (login CSRF)', async () => {
    const forged = await check(new CookieJar(), '/oauth2/callback?code=abc&state=forged-state-value');
    expect(JSON.parse(forged.denied_response.body)).toEqual({ error: 'GH_AUTHZ_OIDC_STATE_INVALID' });
    // The attacker starts a login in their browser and sends the callback URL to the victim.
    const attacker = new CookieJar();
    const start = await check(attacker, '/');
    attacker.store(setCookies(start));
    const callbackUrl = new URL(await loginAtIdp(location(start)));
    const victim = new CookieJar();
    const answer = await check(victim, `${callbackUrl.pathname}${callbackUrl.search}`);
    expect(JSON.parse(answer.denied_response.body)).toEqual({ error: 'GH_AUTHZ_OIDC_STATE_INVALID' });
  });

  it('rejects a replayed authorization code even with a fresh state', async () => {
    const jar = new CookieJar();
    const { callbackUrl } = await login(jar);
    const code = new URL(callbackUrl).searchParams.get('code')!;
    const other = new CookieJar();
    const start = await check(other, '/other');
    other.store(setCookies(start));
    const state = new URL(location(start)).searchParams.get('state')!;
    const answer = await check(other, `/oauth2/callback?code=${encodeURIComponent(code)}&state=${state}`);
    expect(answer.denied_response.status.code).toBe('Unauthorized');
    expect(JSON.parse(answer.denied_response.body)).toEqual({ error: 'GH_AUTHZ_OIDC_CODE_EXCHANGE_FAILED' });
  });

  it('never returns to an off-site URL after login', async () => {
    const jar = new CookieJar();
    const start = await check(jar, '//evil.example/steal');
    jar.store(setCookies(start));
    const url = new URL(await loginAtIdp(location(start)));
    const answer = await check(jar, `${url.pathname}${url.search}`);
    expect(location(answer)).toBe('/');
  });

  it('refreshes an expiring access token once per session, even with concurrent requests on two replicas', async () => {
    const jar = new CookieJar();
    await login(jar);
    const before = upstreamHeaders(await check(jar, '/')).authorization;
    await rewriteSession(jar, (s) => void (s.accessExpiresAtMs = Date.now() + 1_000));
    const refreshesBefore = grants.refresh_token ?? 0;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => check(jar, '/', BROWSER, i % 2)));
    expect(answers.map((a) => a.status.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect((grants.refresh_token ?? 0) - refreshesBefore).toBe(1);
    const after = upstreamHeaders(await check(jar, '/')).authorization;
    expect(after).not.toBe(before);
  });

  it('introspects opaque access tokens from API clients, and rejects inactive ones', async () => {
    const jar = new CookieJar();
    await login(jar);
    const accessToken = upstreamHeaders(await check(jar, '/')).authorization!.slice('Bearer '.length);
    const api = await clients[0]!.check({ policy: 'app/web', host: HOST, path: '/api', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
    expect(api.status.code).toBe(0);
    expect(upstreamHeaders(api)['x-gatehouse-auth-method']).toBe('introspection');
    expect(upstreamHeaders(api)['x-gatehouse-subject']).toBe('alice');
    const bogus = await clients[0]!.check({ policy: 'app/web', host: HOST, path: '/api', headers: { authorization: 'Bearer not-a-real-token', accept: 'application/json' } });
    expect(JSON.parse(bogus.denied_response.body)).toEqual({ error: 'GH_AUTHZ_TOKEN_INACTIVE' });
  });

  it('logs out: clears the session and follows the IdP end-session endpoint', async () => {
    const jar = new CookieJar();
    await login(jar);
    const sessionCookies = new Map(jar.cookies);
    const answer = await check(jar, '/logout?return_to=/goodbye');
    const url = new URL(location(answer));
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(url.searchParams.get('id_token_hint')).toBeTruthy();
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`https://${HOST}/goodbye`);
    jar.store(setCookies(answer));
    expect([...jar.cookies.keys()].some((k) => k.startsWith('__Host-gh-session-'))).toBe(false);
    // Replaying the old cookie does not bring the session back.
    const replay = new CookieJar();
    for (const [k, v] of sessionCookies) replay.cookies.set(k, v);
    expect((await check(replay, '/', { accept: 'application/json' })).denied_response.status.code).toBe('Unauthorized');
  });

  it('never sends the browser off-site after logout', async () => {
    for (const target of ['//evil.example', 'https://evil.example/', '/\\evil.example', 'https://app.example.test@evil.example/']) {
      const answer = await check(new CookieJar(), `/logout?return_to=${encodeURIComponent(target)}`);
      expect(new URL(location(answer)).searchParams.has('post_logout_redirect_uri')).toBe(false);
    }
  });

  it('fails closed with 503 and a log line when Redis is gone', async () => {
    const jar = new CookieJar();
    await login(jar);
    await redisServer.stop();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answer = await check(jar, '/', { ...BROWSER, traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(answer.status.code).not.toBe(0);
    expect(answer.denied_response.status.code).toBe('ServiceUnavailable');
    expect(JSON.parse(answer.denied_response.body)).toEqual({ error: 'GH_AUTHZ_REDIS_UNAVAILABLE' });
    expect(services[0]!.errors.some((e) => e.includes('GH_AUTHZ_REDIS_UNAVAILABLE') && e.includes(traceId))).toBe(true);
  });
});
