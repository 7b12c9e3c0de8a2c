// An in-process OpenID Provider (npm oidc-provider v9) for authz tests: one confidential client,
// PKCE required, introspection, refresh tokens, end-session. Its interaction route logs in a fixed
// test account and grants consent without any HTML, so a cookie-jar fetch can walk the whole flow.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { createCookieJar, type CookieFetch } from './cookie-jar.js';

export interface OidcTestAccount {
  /** Subject identifier. Default 'test-user'. */
  sub: string;
  /** Extra claims released by scope: email, email_verified, name, preferred_username, groups. */
  claims?: Record<string, unknown>;
}

export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export interface StartOidcProviderOptions {
  /** The static confidential client. Default: client id 'gatehouse', a random secret, redirect http://127.0.0.1/callback. */
  client?: Partial<OidcClientRegistration>;
  /** The account every login signs in as. */
  account?: OidcTestAccount;
  /** Access token lifetime in seconds. Default 60: short, so tests can watch expiry and refresh. */
  accessTokenTtlSeconds?: number;
  /** ID token lifetime in seconds. Default 300. */
  idTokenTtlSeconds?: number;
  /**
   * 'offline_access' (the default): refresh tokens only when that scope is granted, which per OIDC Core needs
   * `prompt=consent` in the authorization request; 'always': on every code exchange.
   */
  refreshTokens?: 'offline_access' | 'always';
  /** Issue a new refresh token on every use and invalidate the old one. Default true. */
  rotateRefreshTokens?: boolean;
  /**
   * Issue access tokens as JWTs (RFC 9068) for this audience, via resource indicators, instead of opaque ones.
   * The scopes a client may ask for at the resource are `resourceScopes` (default 'api:read api:write').
   */
  jwtAccessTokens?: { audience: string; resourceScopes?: string };
}

export interface OidcProviderHandle {
  /** http://127.0.0.1:<port>; discovery at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly client: OidcClientRegistration;
  readonly account: OidcTestAccount;
  /** The underlying oidc-provider instance, for anything the helpers do not cover. */
  readonly provider: Provider;
  /** Registers another confidential client (e.g. once the redirect URI's port is known). */
  addClient(registration: Partial<OidcClientRegistration> & Pick<OidcClientRegistration, 'redirectUris'>): Promise<OidcClientRegistration>;
  /**
   * Follows an authorization request like a browser would (login as the test account, consent) and
   * returns the first URL outside the issuer: the client's callback URL with `code` and `state`.
   * Pass the cookie-jar fetch of a flow that already holds other cookies (e.g. a gateway's state cookie).
   */
  login(authorizationUrl: string | URL, jarFetch?: CookieFetch): Promise<URL>;
  /**
   * RP-initiated logout like a browser: opens the end-session URL (with id_token_hint, post_logout_redirect_uri,
   * state as the test likes), confirms the sign-out, and returns where the provider sent the browser: the
   * post-logout redirect URI, or the provider's own success page. Use the jar the session was created with.
   */
  logout(endSessionUrl: string | URL, jarFetch: CookieFetch): Promise<URL>;
  stop(): Promise<void>;
}

const DEFAULT_ACCOUNT: OidcTestAccount = {
  sub: 'test-user',
  claims: {
    email: 'test-user@example.test',
    email_verified: true,
    name: 'Test User',
    preferred_username: 'test-user',
    groups: ['developers'],
  },
};

export async function startOidcProvider(options: StartOidcProviderOptions = {}): Promise<OidcProviderHandle> {
  const account = options.account ?? DEFAULT_ACCOUNT;
  const client: OidcClientRegistration = {
    clientId: options.client?.clientId ?? 'gatehouse',
    clientSecret: options.client?.clientSecret ?? randomBytes(24).toString('base64url'),
    redirectUris: options.client?.redirectUris ?? ['http://127.0.0.1/callback'],
    postLogoutRedirectUris: options.client?.postLogoutRedirectUris ?? [],
  };

  // Listen first: the issuer URL must contain the port. Requests are handled once the provider exists.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Loaded on first use: importing the harness for Redis alone should not load (or warn about) oidc-provider.
  const { default: ProviderClass } = await import('oidc-provider');
  const provider = new ProviderClass(issuer, buildConfiguration(options, account, client));
  const providerCallback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      completeInteraction(provider, account, req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`interaction failed: ${String(err)}`);
      });
    } else {
      providerCallback(req, res);
    }
  });

  return {
    issuer,
    client,
    account,
    provider,
    async addClient(registration) {
      const added: OidcClientRegistration = {
        clientId: registration.clientId ?? `client-${randomBytes(6).toString('hex')}`,
        clientSecret: registration.clientSecret ?? randomBytes(24).toString('base64url'),
        redirectUris: registration.redirectUris,
        postLogoutRedirectUris: registration.postLogoutRedirectUris ?? [],
      };
      // Clients stored through the adapter are found like dynamically registered ones.
      const adapter = (provider.Client as unknown as { adapter: { upsert(id: string, payload: object): Promise<void> } })
        .adapter;
      await adapter.upsert(added.clientId, clientMetadata(added, options));
      return added;
    },
    login: (authorizationUrl, jarFetch) => followLogin(issuer, authorizationUrl, jarFetch ?? createCookieJar().fetch),
    logout: (endSessionUrl, jarFetch) => followLogout(issuer, endSessionUrl, jarFetch),
    stop: () => closeServer(server),
  };
}

function clientMetadata(client: OidcClientRegistration, options: StartOidcProviderOptions): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...(options.jwtAccessTokens ? { access_token_signed_response_alg: 'RS256' } : {}),
  } as ClientMetadata;
}

function buildConfiguration(
  options: StartOidcProviderOptions,
  account: OidcTestAccount,
  client: OidcClientRegistration,
): Configuration {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };
  const rotateRefreshTokens = options.rotateRefreshTokens ?? true;
  const jwt = options.jwtAccessTokens;

  return {
    clients: [clientMetadata(client, options)],
    jwks: { keys: [signingKey as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    async findAccount(_ctx: KoaContextWithOIDC, id: string) {
      if (id !== account.sub) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
    },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 60,
      IdToken: options.idTokenTtlSeconds ?? 300,
      AuthorizationCode: 60,
      RefreshToken: 24 * 3600,
      Grant: 24 * 3600,
      Session: 24 * 3600,
      Interaction: 600,
    },
    ...(options.refreshTokens === 'always'
      ? { issueRefreshToken: async (_ctx: KoaContextWithOIDC, c: { grantTypeAllowed(t: string): boolean }) => c.grantTypeAllowed('refresh_token') }
      : {}),
    rotateRefreshToken: () => rotateRefreshTokens,
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      // The confirmation page is just the provider's form, which followLogout() submits.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = `<!DOCTYPE html><html><body>${form}</body></html>`;
        },
      },
      ...(jwt
        ? {
            resourceIndicators: {
              enabled: true,
              defaultResource: () => jwt.audience,
              useGrantedResource: () => true,
              getResourceServerInfo: (_ctx: KoaContextWithOIDC, resource: string) => {
                if (resource !== jwt.audience) throw new Error(`unknown resource ${resource}`);
                return {
                  scope: jwt.resourceScopes ?? 'api:read api:write',
                  audience: jwt.audience,
                  accessTokenFormat: 'jwt',
                  accessTokenTTL: options.accessTokenTtlSeconds ?? 60,
                  jwt: { sign: { alg: 'RS256' } },
                };
              },
            },
          }
        : {}),
    },
  } as unknown as Configuration;
}

/** The whole interaction UI: log in the test account if asked, then grant whatever is missing. */
async function completeInteraction(
  provider: Provider,
  account: OidcTestAccount,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = details.session?.accountId ?? account.sub;
  const clientId = String(details.params.client_id);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId });
  if (!grant) throw new Error(`grant ${details.grantId} not found`);
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: details.grantId ? {} : { grantId } },
    { mergeWithLastSubmission: true },
  );
}

async function followLogin(issuer: string, start: string | URL, jarFetch: CookieFetch): Promise<URL> {
  const issuerOrigin = new URL(issuer).origin;
  let url = new URL(start);
  for (let hop = 0; hop < 20; hop++) {
    if (url.origin !== issuerOrigin) return url;
    const response = await jarFetch(url);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      const body = (await response.text()).slice(0, 500);
      throw new Error(`OIDC login stopped at ${url.href} with HTTP ${response.status} and no redirect: ${body}`);
    }
    await response.body?.cancel();
    url = new URL(location, url);
  }
  throw new Error(`OIDC login did not leave ${issuerOrigin} within 20 redirects`);
}

async function followLogout(issuer: string, start: string | URL, jarFetch: CookieFetch): Promise<URL> {
  const issuerOrigin = new URL(issuer).origin;
  let url = new URL(start);
  let init: RequestInit | undefined;
  for (let hop = 0; hop < 10; hop++) {
    if (url.origin !== issuerOrigin) return url;
    const response = await jarFetch(url, init);
    init = undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      continue;
    }
    const body = await response.text();
    if (response.status !== 200) throw new Error(`OIDC logout stopped at ${url.href} with HTTP ${response.status}: ${body.slice(0, 500)}`);
    const action = /<form id="op\.logoutForm" method="post" action="([^"]+)"/.exec(body)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(body)?.[1];
    if (!action || !xsrf) return url; // the provider's "signed out" page
    url = new URL(action.replace(/&amp;/g, '&'), url);
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    };
  }
  throw new Error(`OIDC logout did not finish within 10 steps at ${issuerOrigin}`);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
