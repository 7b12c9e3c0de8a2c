// Journey: a browser app behind an OIDC login. Gateway API YAML with a SecurityPolicy (oidc, client
// secret in a Secret) goes through xds to an emulated Envoy and (published over Redis) to authz; a
// browser with a cookie jar walks login at a real OpenID Provider, uses its session past access-token
// expiry (refresh), and logs out at the gateway and the provider.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCookieJar, startGateway, startOidcProvider, waitFor, type CookieJar, type GatewayHandle, type OidcProviderHandle } from '../harness/index.js';
import type { EmulatedResponse } from '../harness/envoy/emulate-request.js';

const HOST = 'app.example.test';
const APP = `https://${HOST}`;
const HTTPS_PORT = 443;
const POLICY = 'shop/app-login';
const ROUTE_PREFIX = 'httproute/shop/app/rule/0/match/0/';
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const ACCESS_TOKEN_TTL_SECONDS = 2;

let idp: OidcProviderHandle;
let gw: GatewayHandle;
let configDir: string;
let discovery: { authorization_endpoint: string; end_session_endpoint: string; introspection_endpoint: string };
const grants: Record<string, number> = {};

/** What the emulated Envoy did for the latest request the browser sent to the gateway. */
let last: EmulatedResponse | undefined;

/**
 * fetch for the browser: requests to the gateway's host go through the emulated Envoy's HTTPS listener
 * (scheme https, as Envoy reports it for a TLS listener); everything else (the IdP) is real HTTP.
 */
function browserFetch(): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.hostname !== HOST) return fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    last = await gw.request(HTTPS_PORT, { method: init?.method ?? 'GET', host: HOST, path: `${url.pathname}${url.search}`, headers, scheme: 'https' });
    const response = new Headers();
    for (const [name, value] of Object.entries(last.headers)) if (name !== 'set-cookie') response.set(name, value);
    for (const cookie of last.setCookies ?? []) response.append('set-cookie', cookie);
    return new Response(last.body === '' ? null : last.body, { status: last.status, headers: response });
  }) as typeof fetch;
}

const navigate = (jar: CookieJar, path: string): Promise<Response> => jar.fetch(`${APP}${path}`, { headers: BROWSER });

function sessionCookieNames(jar: CookieJar): string[] {
  return jar.cookieNamesFor(`${APP}/`).filter((name) => name.startsWith('__Host-gh-session-'));
}

async function introspect(token: string): Promise<boolean> {
  const response = await fetch(discovery.introspection_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${idp.client.clientId}:${idp.client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }).toString(),
  });
  return ((await response.json()) as { active?: boolean }).active === true;
}

beforeAll(async () => {
  idp = await startOidcProvider({
    client: { clientId: 'gatehouse', redirectUris: [`${APP}/oauth2/callback`] },
    account: { sub: 'alice', claims: { email: 'alice@example.test' } },
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    refreshTokens: 'always',
  });
  discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as typeof discovery;
  idp.provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.grant_type);
    grants[type] = (grants[type] ?? 0) + 1;
  });
  configDir = mkdtempSync(join(tmpdir(), 'gh-e2e-oidc-'));
  const yaml = readFileSync(new URL('./oidc-browser/gateway.yaml', import.meta.url), 'utf8')
    .replaceAll('{{ISSUER}}', idp.issuer)
    .replaceAll('{{CLIENT_SECRET}}', idp.client.clientSecret);
  writeFileSync(join(configDir, 'gateway.yaml'), yaml);
  gw = await startGateway({ configDir, nodeCluster: 'shop/web', services: ['xds', 'authz'] });
  // The policy reaches authz through xds's publication over Redis; until then the route's policy is unknown.
  await waitFor(async () => (await gw.request(HTTPS_PORT, { host: HOST, path: '/', headers: BROWSER, scheme: 'https' })).status === 302, {
    timeoutMs: 20_000,
    description: 'the gateway to answer a browser with a login redirect',
  });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await idp?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('a browser app behind an OIDC login', () => {
  const jar = createCookieJar(browserFetch());
  let sessionCookie = '';
  let firstAccessToken = '';

  it('redirects an anonymous browser to the provider with PKCE S256, state and nonce', async () => {
    const response = await navigate(jar, '/orders?page=2');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(discovery.authorization_endpoint);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('client_id')).toBe('gatehouse');
    expect(location.searchParams.get('redirect_uri')).toBe(`${APP}/oauth2/callback`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(location.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    // The emulated Envoy asked authz with the route's policy; nothing reached the upstream.
    expect(last?.routeName?.startsWith(ROUTE_PREFIX)).toBe(true);
    expect(last?.sent.check).toMatchObject({ attributes: { context_extensions: { policy: POLICY } } });
    expect(last?.upstream).toBeUndefined();
    // The login binding cookie is set for the callback.
    expect(jar.cookieNamesFor(`${APP}/oauth2/callback`).some((n) => n.startsWith('__Host-gh-login-'))).toBe(true);
  });

  it('keeps the https callback when the client claims x-forwarded-proto: http (the edge overwrites it)', async () => {
    const response = await gw.request(HTTPS_PORT, { host: HOST, path: '/', headers: { ...BROWSER, 'x-forwarded-proto': 'http' }, scheme: 'https' });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.location!).searchParams.get('redirect_uri')).toBe(`${APP}/oauth2/callback`);
  });

  it('answers an API client without a session 401 instead of a login redirect', async () => {
    const response = await gw.request(HTTPS_PORT, { host: HOST, path: '/api/orders', headers: { accept: 'application/json' }, scheme: 'https' });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(response.upstream).toBeUndefined();
  });

  it('logs in at the provider; the callback goes through ext_authz and sets a __Host- session cookie', async () => {
    const start = await navigate(jar, '/orders?page=2');
    const callback = await idp.login(start.headers.get('location')!, jar.fetch);
    expect(callback.origin).toBe(APP);
    expect(callback.pathname).toBe('/oauth2/callback');
    expect(callback.searchParams.get('code')).toBeTruthy();

    const response = await jar.fetch(callback, { headers: BROWSER });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/orders?page=2');
    expect(last?.routeName?.startsWith(ROUTE_PREFIX)).toBe(true);
    expect(last?.sent.check).toMatchObject({ attributes: { context_extensions: { policy: POLICY }, request: { http: { path: callback.pathname + callback.search } } } });
    const set = (last?.setCookies ?? []).find((c) => c.startsWith('__Host-gh-session-'));
    expect(set).toBeDefined();
    const attributes = set!.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
    expect(sessionCookieNames(jar)).toHaveLength(1);
    expect(grants.authorization_code).toBe(1);
    sessionCookie = jar.cookieHeaderFor(`${APP}/`);
  });

  it('lets the browser through with its cookie; the upstream gets the identity headers', async () => {
    const response = await navigate(jar, '/orders?page=2');
    expect(response.status).toBe(200);
    expect(last?.upstream?.cluster).toBe('backend/shop/app');
    const upstream = last!.upstream!.headers;
    expect(upstream['x-gatehouse-subject']).toBe('alice');
    expect(upstream.authorization).toMatch(/^Bearer \S+$/);
    firstAccessToken = upstream.authorization!.slice('Bearer '.length);
    expect(await introspect(firstAccessToken)).toBe(true);
  });

  it('replaces identity headers the browser sends itself with the verified ones', async () => {
    const response = await jar.fetch(`${APP}/orders`, { headers: { ...BROWSER, 'x-gatehouse-subject': 'mallory', 'X-Gatehouse-SUBJECT': 'mallory' } });
    expect(response.status).toBe(200);
    const upstream = last!.upstream!.headers;
    expect(upstream['x-gatehouse-subject']).toBe('alice');
    expect(Object.entries(upstream).filter(([, value]) => value.includes('mallory'))).toEqual([]);
    // An underscore spelling never gets as far as authz: xds configures the listener to reject it.
    const underscored = await jar.fetch(`${APP}/orders`, { headers: { ...BROWSER, x_gatehouse_subject: 'mallory' } });
    expect(underscored.status).toBe(400);
    expect(last?.sent.check).toBeUndefined();
  });

  it('keeps the session working past the access token expiry, via the refresh token', async () => {
    const refreshesBefore = grants.refresh_token ?? 0;
    // The provider itself says when the token has expired; no clock arithmetic here.
    await waitFor(async () => !(await introspect(firstAccessToken)), { timeoutMs: 15_000, intervalMs: 250, description: 'the first access token to expire' });
    const response = await navigate(jar, '/orders');
    expect(response.status).toBe(200);
    const token = last!.upstream!.headers.authorization!.slice('Bearer '.length);
    expect(token).not.toBe(firstAccessToken);
    expect(await introspect(token)).toBe(true);
    expect(last!.upstream!.headers['x-gatehouse-subject']).toBe('alice');
    expect(grants.refresh_token ?? 0).toBeGreaterThan(refreshesBefore);
    // Still the same session: no new login happened.
    expect(grants.authorization_code).toBe(1);
  });

  it('logs out: clears the session, follows the provider end-session, and the next visit logs in again', async () => {
    expect(jar.cookieNamesFor(idp.issuer)).toContain('_session');
    const response = await navigate(jar, '/logout');
    expect(response.status).toBe(302);
    expect(last?.sent.check).toMatchObject({ attributes: { context_extensions: { policy: POLICY } } });
    const endSession = new URL(response.headers.get('location')!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(discovery.end_session_endpoint);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(sessionCookieNames(jar)).toEqual([]);

    const landed = await idp.logout(endSession, jar.fetch);
    expect(landed.origin).toBe(idp.issuer);
    expect(jar.cookieNamesFor(idp.issuer)).not.toContain('_session');

    // The session is gone server-side: even a copy of the old cookie is sent to log in.
    const replay = await gw.request(HTTPS_PORT, { host: HOST, path: '/orders', headers: { ...BROWSER, cookie: sessionCookie }, scheme: 'https' });
    expect(replay.status).toBe(302);
    expect(replay.headers.location?.startsWith(`${discovery.authorization_endpoint}?`)).toBe(true);
    const again = await navigate(jar, '/orders');
    expect(again.status).toBe(302);
    expect(again.headers.get('location')?.startsWith(`${discovery.authorization_endpoint}?`)).toBe(true);
  });
});
