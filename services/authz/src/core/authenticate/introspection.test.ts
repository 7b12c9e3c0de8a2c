// Introspection decisions and caching, with an in-memory IdP port (the real provider is exercised in
// oidc-flow.int.test.ts); the clock is injected so expiry is tested without waiting.
import { describe, expect, it } from 'vitest';
import { BcryptPool } from '../../adapters/bcrypt-pool.js';
import { Authorizer } from '../authorize.js';
import { compileSecurityPolicy } from '../policy/compile.js';
import type { IdpClient } from '../oidc/oidc-ports.js';
import { OidcFlow } from '../oidc/oidc-flow.js';
import { createCookieSealer } from '../oidc/cookie-crypto.js';
import { createPolicySet } from '../policy/policy-set.js';
import type { RequestView } from '../decide/request-view.js';

const policy = compileSecurityPolicy(
  {
    kind: 'SecurityPolicy',
    metadata: { name: 'web', namespace: 'app' },
    spec: { oidc: { provider: { issuer: 'https://idp.example' }, clientID: 'gatehouse', clientSecret: { name: 's' }, resources: ['https://api.example'] } },
  },
  { lookup: () => ({ 'client-secret': Buffer.from('secret') }) },
).policy!;

function setup(answers: Record<string, Record<string, unknown>>) {
  const clock = { t: 1_000_000_000 };
  const calls: string[] = [];
  const idp: IdpClient = {
    metadata: async () => ({ issuer: 'https://idp.example', authorization_endpoint: 'https://idp.example/auth', token_endpoint: 'https://idp.example/token', jwks_uri: 'https://idp.example/jwks', introspection_endpoint: 'https://idp.example/introspect' }),
    exchangeCode: async () => { throw new Error('unused'); },
    refresh: async () => { throw new Error('unused'); },
    introspect: async (_o, _m, token) => (calls.push(token), answers[token] ?? { active: false }),
    keys: () => ({ candidates: async () => [] }),
  };
  const store = { putLoginState: async () => {}, takeLoginState: async () => undefined, putSession: async () => {}, getSession: async () => undefined, deleteSession: async () => {}, acquireRefreshLock: async () => true, releaseRefreshLock: async () => {} };
  const authorizer = new Authorizer(createPolicySet('v1', [policy]), {
    keySourceFor: () => ({ candidates: async () => [] }),
    clockSkewSeconds: 0,
    bcrypt: new BcryptPool(),
    idp,
    oidcFlow: new OidcFlow({ idp, store, sealer: createCookieSealer('k'.repeat(32)), clockSkewSeconds: 0, now: () => clock.t }),
    now: () => clock.t,
    introspectionCacheMaxMs: 60_000,
  });
  const check = async (token: string) => (await authorizer.authorize(request(token))).decision;
  return { clock, calls, check };
}

const request = (token: string): RequestView => ({
  method: 'GET', path: '/api', query: '', host: 'app.example', scheme: 'https', headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, clientIp: '10.0.0.1', policyKey: 'app/web',
});

describe('opaque token introspection', () => {
  it('allows an active token issued to this client and forwards its subject', async () => {
    const { check } = setup({ good: { active: true, sub: 'alice', client_id: 'gatehouse', exp: 1_000_000 + 30 } });
    expect(await check('good')).toMatchObject({ kind: 'allow', via: 'introspection', upstreamHeaders: expect.arrayContaining([['x-gatehouse-subject', 'alice']]) });
  });
  it('caches an answer no longer than the token lives', async () => {
    const { check, clock, calls } = setup({ good: { active: true, sub: 'alice', client_id: 'gatehouse', exp: 1_000_000 + 30 } });
    await check('good');
    await check('good');
    expect(calls).toHaveLength(1);
    clock.t += 31_000; // past exp (30 s), well within the 60 s cache bound
    expect(await check('good')).toMatchObject({ kind: 'deny', code: 'GH_AUTHZ_TOKEN_INACTIVE' });
    expect(calls).toHaveLength(2);
  });
  it('rejects inactive tokens, refresh tokens and tokens issued to other applications', async () => {
    const { check } = setup({
      refresh: { active: true, token_type: 'refresh_token', client_id: 'gatehouse', exp: 2_000_000 },
      other: { active: true, client_id: 'someone-else', aud: 'https://other.example', exp: 2_000_000 },
      resource: { active: true, client_id: 'cli', aud: ['https://api.example'], exp: 2_000_000 },
    });
    expect(await check('unknown')).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_TOKEN_INACTIVE' });
    expect(await check('refresh')).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_TOKEN_INACTIVE' });
    expect(await check('other')).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_TOKEN_AUDIENCE_MISMATCH' });
    expect(await check('resource')).toMatchObject({ kind: 'allow' });
  });
});
