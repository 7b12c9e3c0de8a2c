// Tokens whose claims cannot go into headers (issue 13): deeply nested claims overflowed the stack of
// every recursive walk and answered 500 GH_AUTHZ_INTERNAL; a huge claim copied into claimToHeaders
// headers could exceed what the upstream accepts. Both are now a 401 with a stable code, and neither
// verdict is cached.
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { BcryptPool } from '../../adapters/bcrypt-pool.js';
import { LocalJwks } from '../../adapters/remote-jwks.js';
import { Authorizer } from '../authorize.js';
import type { RequestView } from '../decide/request-view.js';
import { compileSecurityPolicy } from '../policy/compile.js';
import type { JwtProviderSpec } from '../policy/policy-model.js';
import { createPolicySet } from '../policy/policy-set.js';
import { MAX_CLAIMS_DEPTH } from './claims.js';

const ISSUER = 'https://idp.example';
let signer: Awaited<ReturnType<typeof generateKeyPair>>;
let authorizer: Authorizer;
let verifications = 0;

beforeAll(async () => {
  signer = await generateKeyPair('ES256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(signer.publicKey)), kid: 'k1' }] });
  const claimToHeaders = [
    { claim: 'sub', header: 'x-user-id' },
    { claim: 'data', header: 'x-data' },
    { claim: 'groups', header: 'x-groups-1' },
    { claim: 'groups', header: 'x-groups-2' },
    { claim: 'groups', header: 'x-groups-3' },
  ];
  const spec = { jwt: { providers: [{ name: 'idp', issuer: ISSUER, audiences: ['api'], localJWKS: { type: 'Inline', inline: jwks }, claimToHeaders }] } };
  const result = compileSecurityPolicy({ kind: 'SecurityPolicy', metadata: { name: 'jwt', namespace: 'ns' }, spec }, { lookup: () => undefined });
  authorizer = new Authorizer(createPolicySet('v1', [result.policy!]), {
    clockSkewSeconds: 0,
    bcrypt: new BcryptPool(),
    keySourceFor: (provider: JwtProviderSpec) => {
      const local = new LocalJwks(provider.jwks.kind === 'local' ? provider.jwks.jwks.keys : []);
      return { candidates: (kid, alg) => (verifications++, local.candidates(kid, alg)) };
    },
  });
});

/** Signs the payload text as given: JSON.stringify itself overflows on the nesting these tests need. */
function sign(extraClaimsJson: string): Promise<string> {
  const payload = `{"iss":"${ISSUER}","aud":"api","sub":"alice","exp":${Math.floor(Date.now() / 1000) + 600},${extraClaimsJson}}`;
  return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(signer.privateKey);
}

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const request = (token: string): RequestView => ({
  method: 'GET', path: '/', query: '', host: 'app.example', scheme: 'https', clientIp: '10.0.0.1', policyKey: 'ns/jwt', headers: { authorization: `Bearer ${token}` },
});

async function decide(token: string) {
  return (await authorizer.authorize(request(token))).decision;
}

describe('claims bounded before they become headers', () => {
  it('a token nesting claims thousands of levels deep (within 16 KiB) is 401 GH_AUTHZ_JWT_CLAIMS_TOO_LARGE, never 500', async () => {
    const token = await sign(`"data":${nested(5_000)}`);
    expect(token.length).toBeLessThan(16 * 1024);
    expect(await decide(token)).toMatchObject({ kind: 'deny', httpStatus: 401, code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    // The nesting is counted anywhere in the payload, not only in mapped claims.
    expect(await decide(await sign(`"other":{"a":${nested(100)}}`))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
  });

  it('claims up to the depth bound still pass and are forwarded', async () => {
    // The payload is level 1; "data" adds MAX_CLAIMS_DEPTH - 1 levels of arrays.
    const decision = await decide(await sign(`"data":${nested(MAX_CLAIMS_DEPTH - 1)}`));
    expect(decision).toMatchObject({ kind: 'allow' });
    expect(decision.kind === 'allow' && decision.upstreamHeaders.find(([h]) => h === 'x-data')?.[1]).toBe(nested(MAX_CLAIMS_DEPTH - 1));
    expect(await decide(await sign(`"data":${nested(MAX_CLAIMS_DEPTH)}`))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
  });

  it('a claim over 8 KiB for one header, or claims over 16 KiB across headers, is 401 GH_AUTHZ_JWT_CLAIMS_TOO_LARGE', async () => {
    expect(await decide(await sign(`"data":"${'a'.repeat(9_000)}"`))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    // 6 KiB copied into three headers: 18 KiB of upstream headers from a 9 KiB token.
    expect(await decide(await sign(`"groups":"${'g'.repeat(6_000)}"`))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    // Multi-byte text counts in bytes: 3 000 × "€" is 9 000 bytes.
    expect(await decide(await sign(`"data":"${'€'.repeat(3_000)}"`))).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    expect(await decide(await sign(`"data":"${'a'.repeat(4_000)}"`))).toMatchObject({ kind: 'allow' });
  });

  it('a refused token is not cached: it is refused again, verified again', async () => {
    const token = await sign(`"data":${nested(MAX_CLAIMS_DEPTH)}`);
    const before = verifications;
    expect(await decide(token)).toMatchObject({ code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    expect(await decide(token)).toMatchObject({ code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    expect(verifications - before).toBe(2);
    const big = await sign(`"data":"${'a'.repeat(9_000)}"`);
    const beforeBig = verifications;
    expect(await decide(big)).toMatchObject({ code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    expect(await decide(big)).toMatchObject({ code: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
    expect(verifications - beforeBig).toBe(2);
  });
});
