// The compose demo's OpenID Provider (oidc-provider): one confidential client for deploy/examples/oidc-app.yaml
// and one static user, "demo", who is signed in without a password (the login and consent pages complete
// themselves). Demo only: anyone who reaches it is "demo". In compose it shares the authz container's network
// namespace, so http://localhost:3001 is the same issuer for the browser (published on 127.0.0.1:3001) and for
// authz (which accepts plain http for loopback issuers only).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

export const DEMO_USER = { sub: 'demo', email: 'demo@gatehouse.test', name: 'Demo User', preferred_username: 'demo' };

/**
 * Starts the provider. `Provider` is oidc-provider's default export (passed in so tests can use their own copy).
 * Options: issuer, port, host, clientId, clientSecret, redirectUris, postLogoutRedirectUris.
 */
export async function startDemoIdp({ Provider, issuer, port, host = '0.0.0.0', clientId, clientSecret, redirectUris, postLogoutRedirectUris = [] }) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'demo-idp-rs256', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email'], profile: ['name', 'preferred_username'] },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    findAccount: async (_ctx, id) => (id === DEMO_USER.sub ? { accountId: id, claims: async () => ({ ...DEMO_USER }) } : undefined),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, introspection: { enabled: true }, revocation: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  });
  const callback = provider.callback();
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      completeInteraction(provider, req, res).catch((err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`interaction failed: ${err}`));
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      callback(req, res);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Login as the demo user, then grant whatever the client asked for: no pages to fill in. */
async function completeInteraction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: DEMO_USER.sub } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session?.accountId ?? DEMO_USER.sub, clientId: String(details.params.client_id) });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { default: Provider } = await import('oidc-provider');
  const env = process.env;
  const idp = await startDemoIdp({
    Provider,
    issuer: env.ISSUER ?? 'http://localhost:3001',
    port: Number(env.PORT ?? 3001),
    host: env.HOST ?? '0.0.0.0',
    clientId: env.CLIENT_ID ?? 'gatehouse-demo',
    clientSecret: env.CLIENT_SECRET ?? 'demo-only-client-secret-change-me',
    redirectUris: (env.REDIRECT_URIS ?? 'http://localhost/app/oauth2/callback').split(','),
    postLogoutRedirectUris: (env.POST_LOGOUT_REDIRECT_URIS ?? 'http://localhost/app/').split(','),
  });
  console.log(`demo IdP listening on :${idp.port}, issuer ${env.ISSUER ?? 'http://localhost:3001'}`);
  const stop = () => void idp.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
