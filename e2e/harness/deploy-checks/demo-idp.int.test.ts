// The compose demo's OIDC app end to end, natively: deploy/demo-idp/server.mjs on a free port (issuer
// http://localhost:<port>, as compose serves it on 3001), deploy/examples/oidc-app.yaml pointed at it, the
// real services behind the emulated Envoy, and a browser with a cookie jar. Browsers treat http://localhost as
// a secure context (they keep and send Secure / __Host- cookies there); the jar does that only for https, so
// the browser's requests to the gateway are given to the jar as https://localhost and played as http.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCookieJar } from '../cookie-jar.js';
import type { EmulatedResponse } from '../envoy/emulate-request.js';
import { freePort } from '../free-port.js';
import { startGateway, type GatewayHandle } from '../gateway.js';
import { repoRoot } from '../service.js';

interface DemoIdpModule {
  startDemoIdp(options: Record<string, unknown>): Promise<{ port: number; close(): Promise<void> }>;
  DEMO_USER: { sub: string };
}

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
let idp: { port: number; close(): Promise<void> };
let issuer: string;
let gw: GatewayHandle;
let configDir: string;
let last: EmulatedResponse | undefined;
let demoUser: string;

/** The browser: https://localhost/... goes to the emulated Envoy as plain http on 8080; the rest is real HTTP. */
const browserFetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const url = new URL(input instanceof Request ? input.url : input);
  if (url.origin !== 'https://localhost') return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
  last = await gw.request(8080, { method: init?.method ?? 'GET', host: 'localhost', path: `${url.pathname}${url.search}`, headers });
  const response = new Headers();
  for (const [name, value] of Object.entries(last.headers)) if (name !== 'set-cookie') response.set(name, value);
  for (const cookie of last.setCookies ?? []) response.append('set-cookie', cookie);
  return new Response(last.body === '' ? null : last.body, { status: last.status, headers: response });
}) as typeof fetch;
const asBrowserUrl = (location: string, base: URL): URL => {
  const url = new URL(location, base);
  return url.origin === 'http://localhost' ? new URL(`https://localhost${url.pathname}${url.search}`) : url;
};

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  const { startDemoIdp, DEMO_USER } = (await import(pathToFileURL(join(repoRoot, 'deploy/demo-idp/server.mjs')).href)) as DemoIdpModule;
  demoUser = DEMO_USER.sub;
  idp = await startDemoIdp({
    Provider,
    issuer,
    port,
    host: '127.0.0.1',
    clientId: 'gatehouse-demo',
    clientSecret: 'demo-only-client-secret-change-me',
    redirectUris: ['http://localhost/app/oauth2/callback'],
  });
  configDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-idp-'));
  cpSync(join(repoRoot, 'deploy/examples'), configDir, { recursive: true });
  const app = join(configDir, 'oidc-app.yaml');
  const text = readFileSync(app, 'utf8');
  expect(text).toContain('issuer: http://localhost:3001');
  writeFileSync(app, text.replace('issuer: http://localhost:3001', `issuer: ${issuer}`));
  gw = await startGateway({
    configDir,
    nodeCluster: 'default/gateway',
    services: ['xds', 'authz', 'ratelimit'],
    env: { authz: { AUTHZ_COOKIE_SECRET: 'demo-idp-test-cookie-secret-0123456789abcdef' } },
  });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await idp?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('the OIDC app with the demo IdP', () => {
  it('sends a browser to log in, signs in the demo user, and lets the browser through with its session', async () => {
    const jar = createCookieJar(browserFetch);
    const start = await jar.fetch('https://localhost/app/inbox', { headers: BROWSER });
    expect(start.status).toBe(302);
    let url = new URL(start.headers.get('location')!);
    expect(url.origin).toBe(issuer);
    // The IdP's pages complete themselves; follow its redirects until it sends the browser back.
    for (let hop = 0; hop < 20 && url.origin === issuer; hop++) {
      const response = await jar.fetch(url, { headers: BROWSER });
      expect(response.status, `${url.href}: ${response.status}`).toBeGreaterThanOrEqual(300);
      url = asBrowserUrl(response.headers.get('location')!, url);
    }
    expect(url.pathname).toBe('/app/oauth2/callback');
    const callback = await jar.fetch(url, { headers: BROWSER });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/app/inbox');
    expect((last?.setCookies ?? []).some((c) => c.startsWith('__Host-gh-session-'))).toBe(true);

    const page = await jar.fetch('https://localhost/app/inbox', { headers: BROWSER });
    expect(page.status).toBe(200);
    expect(last?.upstream?.headers['x-gatehouse-subject']).toBe(demoUser);
    expect(last?.upstream?.headers.authorization).toMatch(/^Bearer /);
  });

  it('answers an API client without a session with 401, never a login redirect', async () => {
    const response = await gw.request(8080, { path: '/app/inbox', headers: { accept: 'application/json' } });
    expect(response.status).toBe(401);
    expect(response.body).toContain('GH_AUTHZ_LOGIN_REQUIRED');
  });
});
