// Test helper: an in-process oidc-provider (real OpenID Provider) on a free loopback port, with one
// confidential client (PKCE required, refresh tokens, introspection) and a headless login that signs
// in "alice" and consents to everything requested. Small on purpose, to move to e2e/harness later.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from './redis-server.js';

export interface OidcProviderOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  /** Access token lifetime in seconds. Default 600. */
  readonly accessTokenTtl?: number;
}

export interface TestOidcProvider {
  readonly issuer: string;
  readonly provider: Provider;
  /** Successful grants by type, e.g. "refresh_token", as counted by the provider itself. */
  readonly grants: Record<string, number>;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const signingKey = { ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, introspection: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    issueRefreshToken: async () => true,
    rotateRefreshToken: true,
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, email: `${id}@example.test` }) }),
    claims: { openid: ['sub'], email: ['email'] },
    ttl: { AccessToken: options.accessTokenTtl ?? 600, IdToken: 600, RefreshToken: 3600, Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  } as ConstructorParameters<typeof Provider>[1]);
  const grants: Record<string, number> = {};
  provider.on('grant.success', (ctx: { oidc: { params: { grant_type: string } } }) => {
    const type = ctx.oidc.params.grant_type;
    grants[type] = (grants[type] ?? 0) + 1;
  });
  const callback = provider.callback();
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) void finishInteraction(provider, req, res);
    else callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { issuer, provider, grants, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Headless login + consent: alice, every requested scope. */
async function finishInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const details = await provider.interactionDetails(req, res);
    const params = details.params as { client_id: string; scope: string };
    const grant = new provider.Grant({ accountId: 'alice', clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    grant.addOIDCClaims(['email']);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: 'alice' }, consent: { grantId } }, { mergeWithLastSubmission: false });
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
}
