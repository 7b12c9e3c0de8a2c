import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCookieJar } from './cookie-jar.js';
import { startOidcProvider, type OidcProviderHandle } from './oidc-provider.js';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  introspection_endpoint: string;
  end_session_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported: string[];
}

interface TokenResponse {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  expires_in: number;
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

describe('startOidcProvider', () => {
  let idp: OidcProviderHandle;
  let discovery: Discovery;
  const redirectUri = 'http://127.0.0.1:9/callback';

  beforeAll(async () => {
    idp = await startOidcProvider({ client: { redirectUris: [redirectUri] }, accessTokenTtlSeconds: 30 });
    discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
  });
  afterAll(() => idp?.stop());

  function authorizationUrl(scope: string, challenge: string, state: string, clientId = idp.client.clientId): URL {
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    return url;
  }

  async function exchange(body: Record<string, string>, clientId = idp.client.clientId, secret = idp.client.clientSecret): Promise<Response> {
    return fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { authorization: basicAuth(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
  }

  it('publishes discovery with introspection, end-session and S256 PKCE', () => {
    expect(discovery.introspection_endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(discovery.end_session_endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(discovery.code_challenge_methods_supported).toContain('S256');
  });

  it('logs in headlessly and returns the callback URL with code and state', async () => {
    const { challenge } = pkcePair();
    const callback = await idp.login(authorizationUrl('openid email', challenge, 'state-1'));
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(callback.searchParams.get('code')).toBeTruthy();
  });

  it('rejects an authorization request without PKCE', async () => {
    const url = authorizationUrl('openid', 'x', 'state-2');
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const callback = await idp.login(url);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
  });

  it('exchanges the code for tokens that introspect as active and refresh with offline_access', async () => {
    const { verifier, challenge } = pkcePair();
    const jar = createCookieJar();
    const url = authorizationUrl('openid email offline_access', challenge, 's');
    url.searchParams.set('prompt', 'consent'); // OIDC Core 11: offline_access is ignored without it
    const callback = await idp.login(url, jar.fetch);
    const response = await exchange({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as TokenResponse;
    expect(tokens.expires_in).toBeLessThanOrEqual(30);
    expect(tokens.refresh_token).toBeTruthy();

    const introspection = await fetch(discovery.introspection_endpoint, {
      method: 'POST',
      headers: { authorization: basicAuth(idp.client.clientId, idp.client.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
    const info = (await introspection.json()) as { active: boolean; sub?: string };
    expect(info).toMatchObject({ active: true, sub: 'test-user' });

    const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    expect(refreshed.status).toBe(200);
    const rotated = (await refreshed.json()) as TokenResponse;
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('signs out through end-session and then needs a new login', async () => {
    const logoutTarget = 'http://127.0.0.1:9/signed-out';
    const client = await idp.addClient({ redirectUris: [redirectUri], postLogoutRedirectUris: [logoutTarget] });
    const jar = createCookieJar();
    const { verifier, challenge } = pkcePair();
    const callback = await idp.login(authorizationUrl('openid', challenge, 's', client.clientId), jar.fetch);
    const tokens = (await (
      await exchange(
        { grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier },
        client.clientId,
        client.clientSecret,
      )
    ).json()) as TokenResponse;

    const silent = authorizationUrl('openid', pkcePair().challenge, 'silent', client.clientId);
    silent.searchParams.set('prompt', 'none');
    expect((await idp.login(silent, jar.fetch)).searchParams.get('code')).toBeTruthy();

    const endSession = new URL(discovery.end_session_endpoint);
    endSession.search = new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: logoutTarget, state: 'bye' }).toString();
    const after = await idp.logout(endSession, jar.fetch);
    expect(after.origin + after.pathname).toBe(logoutTarget);
    expect(after.searchParams.get('state')).toBe('bye');

    expect((await idp.login(silent, jar.fetch)).searchParams.get('error')).toBe('login_required');
  });

  it('registers another client later and logs in with it', async () => {
    const extra = await idp.addClient({ redirectUris: [redirectUri] });
    const { verifier, challenge } = pkcePair();
    const callback = await idp.login(authorizationUrl('openid', challenge, 's', extra.clientId));
    const response = await exchange(
      { grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier },
      extra.clientId,
      extra.clientSecret,
    );
    expect(response.status).toBe(200);
  });
});

describe('startOidcProvider with JWT access tokens', () => {
  it('issues RFC 9068 access tokens for the configured audience', async () => {
    const redirectUri = 'http://127.0.0.1:9/cb';
    const idp = await startOidcProvider({
      client: { redirectUris: [redirectUri] },
      jwtAccessTokens: { audience: 'https://api.example.test' },
    });
    try {
      const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
      const { verifier, challenge } = pkcePair();
      const url = new URL(discovery.authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: idp.client.clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid api:read',
        state: 's', code_challenge: challenge, code_challenge_method: 'S256',
      }).toString();
      const callback = await idp.login(url);
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { authorization: basicAuth(idp.client.clientId, idp.client.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier }),
      });
      const tokens = (await response.json()) as TokenResponse;
      const [header = '', payload = ''] = tokens.access_token.split('.');
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
        aud: 'https://api.example.test', sub: 'test-user', iss: idp.issuer, scope: 'api:read',
      });
    } finally {
      await idp.stop();
    }
  });
});
