import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { BcryptPool } from '../adapters/bcrypt-pool.js';
import { LocalJwks } from '../adapters/remote-jwks.js';
import { Authorizer } from './authorize.js';
import { compileSecurityPolicy } from './policy/compile.js';
import type { AllowDecision, DenyDecision } from './decide/decision.js';
import type { JwtProviderSpec } from './policy/policy-model.js';
import { createPolicySet } from './policy/policy-set.js';
import type { RequestView } from './decide/request-view.js';

const ISSUER = 'https://idp.example';
let signer: Awaited<ReturnType<typeof generateKeyPair>>;
let partnerSigner: Awaited<ReturnType<typeof generateKeyPair>>;
let authorizer: Authorizer;
let verifications = 0;

const secrets: Record<string, Record<string, Buffer>> = {
  'ns/keys': { 'client-a': Buffer.from('key-aaaaaaaaaaaaaaaaaaaa'), 'client-b': Buffer.from('key-bbbbbbbbbbbbbbbbbbbb') },
  'ns/users': { '.htpasswd': Buffer.from(`alice:{SHA}${createHash('sha1').update('wonderland').digest('base64')}\n`) },
};

beforeAll(async () => {
  signer = await generateKeyPair('ES256');
  partnerSigner = await generateKeyPair('RS256');
  const partnerJwks = JSON.stringify({ keys: [{ ...(await exportJWK(partnerSigner.publicKey)), kid: 'p1' }] });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(signer.publicKey)), kid: 'k1' }] });
  const compile = (name: string, spec: object) => {
    const result = compileSecurityPolicy({ kind: 'SecurityPolicy', metadata: { name, namespace: 'ns' }, spec }, { lookup: (_k, ns, n) => secrets[`${ns}/${n}`] });
    if (!result.policy) throw new Error(JSON.stringify(result.issues));
    return result.policy;
  };
  const jwt = { providers: [{ name: 'idp', issuer: ISSUER, audiences: ['api'], localJWKS: { type: 'Inline', inline: jwks }, claimToHeaders: [{ claim: 'sub', header: 'X-User-Id' }, { claim: 'org.team', header: 'x-team' }] }] };
  const policies = createPolicySet('v1', [
    compile('jwt', { jwt }),
    compile('multi', {
      jwt: {
        providers: [
          jwt.providers[0],
          { name: 'partner', issuer: 'https://partner.example', audiences: ['api'], localJWKS: { type: 'Inline', inline: partnerJwks }, extractFrom: { cookies: ['partner_token'] } },
        ],
      },
    }),
    compile('jwt-admin', { jwt, authorization: { defaultAction: 'Deny', rules: [{ name: 'admins', action: 'Allow', principal: { jwt: { provider: 'idp', claims: [{ name: 'role', values: ['admin'] }] } } }] } }),
    compile('jwt-fail-open', {
      jwt: { ...jwt, failOpen: true },
      authorization: {
        defaultAction: 'Allow',
        rules: [
          { name: 'verified-admins', action: 'Allow', principal: { jwt: { provider: 'idp', claims: [{ name: 'role', values: ['admin'] }] } } },
          { name: 'admin-area', action: 'Deny', operation: { path: { type: 'PathPrefix', value: '/admin' } } },
        ],
      },
    }),
    compile('keys', { apiKeyAuth: { credentialRefs: [{ name: 'keys' }], extractFrom: [{ headers: ['x-api-key'] }], forwardClientIDHeader: 'x-client', sanitize: true } }),
    compile('basic', { basicAuth: { users: { name: 'users' }, forwardUsernameHeader: 'x-username' } }),
  ]);
  authorizer = new Authorizer(policies, {
    clockSkewSeconds: 0,
    bcrypt: new BcryptPool(),
    keySourceFor: (provider: JwtProviderSpec) => {
      const local = new LocalJwks(provider.jwks.kind === 'local' ? provider.jwks.jwks.keys : []);
      return { candidates: (kid, alg) => (verifications++, local.candidates(kid, alg)) };
    },
  });
});

const token = (claims: object = {}, exp = Math.floor(Date.now() / 1000) + 600) =>
  new SignJWT({ sub: 'alice', org: { team: 'core' }, ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(ISSUER).setAudience('api').setExpirationTime(exp).sign(signer.privateKey);

const request = (policyKey: string | undefined, headers: Record<string, string> = {}): RequestView => ({
  method: 'GET', path: '/', query: '', host: 'app.example', scheme: 'https', headers, clientIp: '10.0.0.1', ...(policyKey && { policyKey }),
});

/** Envoy's ext_authz OK handling: set (overwrite) the headers, then remove headers_to_remove. */
function applyLikeEnvoy(requestHeaders: Record<string, string>, decision: AllowDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(requestHeaders)) headers[name.toLowerCase()] = value;
  for (const [name, value] of decision.upstreamHeaders) headers[name] = value;
  for (const name of decision.headersToRemove) delete headers[name.toLowerCase()];
  return headers;
}

async function decide(r: RequestView) {
  return (await authorizer.authorize(r)).decision;
}

describe('Authorizer', () => {
  it('denies when no policy is named and there is no default, or the policy is unknown', async () => {
    expect(await decide(request(undefined))).toMatchObject({ kind: 'deny', httpStatus: 403, code: 'GH_AUTHZ_NO_POLICY' });
    expect(await decide(request('ns/nope'))).toMatchObject({ kind: 'deny', httpStatus: 403, code: 'GH_AUTHZ_UNKNOWN_POLICY' });
  });
  it('allows a valid JWT, forwards claims as headers and the payload as metadata', async () => {
    const d = (await decide(request('ns/jwt', { authorization: `Bearer ${await token()}` }))) as AllowDecision;
    expect(d.kind).toBe('allow');
    expect(d.upstreamHeaders).toEqual(expect.arrayContaining([['x-user-id', 'alice'], ['x-team', 'core'], ['x-gatehouse-auth-method', 'jwt']]));
    expect(d.metadata).toMatchObject({ idp: { sub: 'alice', iss: ISSUER } });
  });
  it('answers 401 with a challenge when the JWT is missing', async () => {
    const d = (await decide(request('ns/jwt'))) as DenyDecision;
    expect(d).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_JWT_MISSING' });
    expect(d.headers).toContainEqual(['www-authenticate', 'Bearer error="invalid_token"']);
  });
  it('verifies each token with the provider of its issuer, from that provider\'s locations', async () => {
    const partnerToken = await new SignJWT({ sub: 'carol' }).setProtectedHeader({ alg: 'RS256', kid: 'p1' }).setIssuer('https://partner.example').setAudience('api').setExpirationTime('5m').sign(partnerSigner.privateKey);
    expect(await decide(request('ns/multi', { cookie: `partner_token=${partnerToken}` }))).toMatchObject({ kind: 'allow', metadata: { partner: { sub: 'carol' } } });
    expect(await decide(request('ns/multi', { authorization: `Bearer ${await token()}` }))).toMatchObject({ kind: 'allow', metadata: { idp: { sub: 'alice' } } });
    // The partner's token in the Authorization header is not one the header's provider accepts.
    expect(await decide(request('ns/multi', { authorization: `Bearer ${partnerToken}` }))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_JWT_ISSUER_MISMATCH' });
  });
  it('caches a verified token until it expires', async () => {
    const t = await token({ jti: 'cache-me' });
    const before = verifications;
    await decide(request('ns/jwt', { authorization: `Bearer ${t}` }));
    await decide(request('ns/jwt', { authorization: `Bearer ${t}` }));
    expect(verifications - before).toBe(1);
  });
  it('answers a cached token or an API key synchronously, and a first-seen token asynchronously', async () => {
    const t = await token({ jti: 'sync-path' });
    const first = authorizer.authorize(request('ns/jwt', { authorization: `Bearer ${t}` }));
    expect(first).toBeInstanceOf(Promise);
    expect((await first).decision.kind).toBe('allow');
    const cached = authorizer.authorize(request('ns/jwt', { authorization: `Bearer ${t}` }));
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ policy: 'ns/jwt', decision: { kind: 'allow', metadata: { idp: { jti: 'sync-path' } } } });
    expect(authorizer.authorize(request('ns/keys', { 'x-api-key': 'key-aaaaaaaaaaaaaaaaaaaa' }))).toMatchObject({ decision: { kind: 'allow', via: 'api-key' } });
  });
  it('strips spoofed identity headers, in any case or underscore variant, on every allowed request', async () => {
    const spoofed = { 'x-user-id': 'admin', x_user_id: 'admin', 'X-USER_ID': 'admin', 'x-client': 'admin', 'x-gatehouse-subject': 'admin', x_username: 'root', 'x-team': 'root' };
    const d = (await decide(request('ns/jwt', { authorization: `Bearer ${await token()}`, ...spoofed }))) as AllowDecision;
    const upstream = applyLikeEnvoy({ authorization: 'Bearer x', ...spoofed }, d);
    expect(upstream).toEqual({ authorization: 'Bearer x', 'x-user-id': 'alice', 'x-team': 'core', 'x-gatehouse-subject': 'alice', 'x-gatehouse-auth-method': 'jwt' });
  });
  it('removes owned headers it does not set this time (claim absent), and never removes what it sets', async () => {
    const d = (await decide(request('ns/jwt', { authorization: `Bearer ${await token({ org: {} })}`, 'x-team': 'spoofed' }))) as AllowDecision;
    expect(d.headersToRemove).toContain('x-team');
    const written = d.upstreamHeaders.map(([name]) => name);
    expect(d.headersToRemove.filter((name) => written.includes(name))).toEqual([]);
    expect(applyLikeEnvoy({ 'x-team': 'spoofed' }, d)['x-team']).toBeUndefined();
  });
  it('jwt.failOpen: a missing or invalid token passes unauthenticated, a valid one still verifies, the rules still apply', async () => {
    const at = (path: string, headers: Record<string, string> = {}): RequestView => ({ ...request('ns/jwt-fail-open', headers), path });
    expect(await decide(at('/'))).toMatchObject({ kind: 'allow', via: 'anonymous' });
    const forged = `${(await token()).slice(0, -4)}AAAA`;
    const passed = (await decide(at('/', { authorization: `Bearer ${forged}`, 'x-user-id': 'mallory' }))) as AllowDecision;
    expect(passed.kind).toBe('allow');
    expect(passed.headersToRemove).toContain('x-user-id');
    expect(passed.upstreamHeaders.find(([name]) => name === 'x-user-id')).toBeUndefined();
    expect(await decide(at('/', { authorization: 'Bearer not-a-jwt' }))).toMatchObject({ kind: 'allow' });
    expect(await decide(at('/admin/x', { authorization: `Bearer ${forged}` }))).toMatchObject({ httpStatus: 403, code: 'GH_AUTHZ_FORBIDDEN' });
    expect(await decide(at('/admin/x', { authorization: `Bearer ${await token({ role: 'admin' })}` }))).toMatchObject({ kind: 'allow', upstreamHeaders: expect.arrayContaining([['x-user-id', 'alice']]) });
  });
  it('enforces authorization rules on claims with 403', async () => {
    expect(await decide(request('ns/jwt-admin', { authorization: `Bearer ${await token()}` }))).toMatchObject({ httpStatus: 403, code: 'GH_AUTHZ_FORBIDDEN' });
    expect(await decide(request('ns/jwt-admin', { authorization: `Bearer ${await token({ role: 'admin' })}` }))).toMatchObject({ kind: 'allow' });
  });
  it('accepts a known API key, forwards the client id and removes the key when sanitizing', async () => {
    const d = (await decide(request('ns/keys', { 'x-api-key': 'key-bbbbbbbbbbbbbbbbbbbb' }))) as AllowDecision;
    expect(d.upstreamHeaders).toContainEqual(['x-client', 'client-b']);
    expect(d.headersToRemove).toContain('x-api-key');
    expect(await decide(request('ns/keys', { 'x-api-key': 'key-cccccccccccccccccccc' }))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_API_KEY_INVALID' });
    expect(await decide(request('ns/keys'))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_API_KEY_MISSING' });
  });
  it('accepts basic auth against htpasswd hashes and rejects wrong passwords and unknown users', async () => {
    const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });
    expect(await decide(request('ns/basic', basic('alice:wonderland')))).toMatchObject({ kind: 'allow', upstreamHeaders: expect.arrayContaining([['x-username', 'alice']]) });
    expect(await decide(request('ns/basic', basic('alice:nope')))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(await decide(request('ns/basic', basic('mallory:wonderland')))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(await decide(request('ns/basic'))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_BASIC_MISSING' });
  });
});
