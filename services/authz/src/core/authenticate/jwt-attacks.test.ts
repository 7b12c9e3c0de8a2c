// The JWT security suite: one named test per attack, each asserting a stable error code.
import { createHmac, createSign, KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthzError } from '../../errors.js';
import type { JwtProviderSpec } from '../policy/policy-model.js';
import { selectKeys, type KeySource } from './select-keys.js';
import { verifyJwt } from './verify-jwt.js';

const ISSUER = 'https://idp.example';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
let ec: Awaited<ReturnType<typeof generateKeyPair>>;
let attacker: Awaited<ReturnType<typeof generateKeyPair>>;
let rsaPublic: JWK;
let keys: KeySource;
let provider: JwtProviderSpec;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  attacker = await generateKeyPair('RS256');
  rsaPublic = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1' };
  const jwks = [rsaPublic, { ...(await exportJWK(ec.publicKey)), kid: 'ec-1' }];
  keys = { candidates: async (kid, alg) => selectKeys(jwks, kid, alg) };
  provider = { id: 'ns/p/idp', name: 'idp', issuer: ISSUER, audiences: ['api'], jwks: { kind: 'local', jwks: { keys: jwks } }, claimToHeaders: [], extractFrom: { headers: [], cookies: [], params: [] } };
});

function claims(over: JWTPayload = {}): JWTPayload {
  return { iss: ISSUER, aud: 'api', sub: 'alice', exp: now() + 300, iat: now(), ...over };
}

async function signRs(payload: JWTPayload, header: Record<string, unknown> = {}, key = rsa.privateKey): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1', ...header }).sign(key);
}

/** Signs exactly what it is given with the real RSA key, for headers and payloads jose refuses to produce. */
function signRaw(header: Record<string, unknown>, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const key = KeyObject.from(rsa.privateKey as Parameters<typeof KeyObject.from>[0]);
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

async function codeOf(token: string): Promise<string> {
  try {
    await verifyJwt(token, provider, keys, { clockSkewSeconds: 30 });
  } catch (err) {
    if (err instanceof AuthzError) return err.code;
    throw err;
  }
  return 'ACCEPTED';
}

describe('JWT verification accepts', () => {
  it('a valid RS256 token and a valid ES256 token', async () => {
    expect(await codeOf(await signRs(claims()))).toBe('ACCEPTED');
    const es = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'ec-1', typ: 'at+jwt' }).sign(ec.privateKey);
    expect(await codeOf(es)).toBe('ACCEPTED');
  });
  it('a token that expired within the clock skew', async () => {
    expect(await codeOf(await signRs(claims({ exp: now() - 10 })))).toBe('ACCEPTED');
  });
  it('any audience, or none, when the provider lists no audiences (Envoy Gateway checks no aud then), but still only its issuer', async () => {
    const listed = provider;
    provider = { ...listed, audiences: [] };
    try {
      const { aud: _aud, ...withoutAud } = claims();
      expect(await codeOf(await signRs(claims({ aud: 'other-api' })))).toBe('ACCEPTED');
      expect(await codeOf(await signRs(withoutAud))).toBe('ACCEPTED');
      expect(await codeOf(await signRs(claims({ iss: 'https://evil.example' })))).toBe('GH_AUTHZ_JWT_ISSUER_MISMATCH');
    } finally {
      provider = listed;
    }
  });
});

describe('JWT attacks', () => {
  it('alg=none is rejected', async () => {
    expect(await codeOf(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`)).toBe('GH_AUTHZ_JWT_ALG_NOT_ALLOWED');
    expect(await codeOf(`${b64({ alg: 'none' })}.${b64(claims())}.${b64('x')}`)).toBe('GH_AUTHZ_JWT_ALG_NOT_ALLOWED');
    expect(await codeOf(`${b64({ alg: 'NoNe' })}.${b64(claims())}.${b64('x')}`)).toBe('GH_AUTHZ_JWT_ALG_NOT_ALLOWED');
  });
  it('RS256-to-HS256 confusion (HMAC keyed with the public key) is rejected', async () => {
    const input = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${b64(claims())}`;
    for (const secret of [JSON.stringify(rsaPublic), rsaPublic.n!]) {
      const sig = createHmac('sha256', secret).update(input).digest('base64url');
      expect(await codeOf(`${input}.${sig}`)).toBe('GH_AUTHZ_JWT_ALG_NOT_ALLOWED');
    }
  });
  it('an embedded jwk header carrying the attacker key is rejected', async () => {
    const jwk = await exportJWK(attacker.publicKey);
    expect(await codeOf(await signRs(claims(), { jwk }, attacker.privateKey))).toBe('GH_AUTHZ_JWT_EMBEDDED_KEY');
  });
  it('jku and x5u headers pointing at attacker keys are rejected', async () => {
    expect(await codeOf(await signRs(claims(), { jku: 'https://evil.example/jwks' }, attacker.privateKey))).toBe('GH_AUTHZ_JWT_EMBEDDED_KEY');
    expect(await codeOf(await signRs(claims(), { x5u: 'https://evil.example/cert' }, attacker.privateKey))).toBe('GH_AUTHZ_JWT_EMBEDDED_KEY');
  });
  it('an unknown crit extension is rejected', async () => {
    expect(await codeOf(signRaw({ alg: 'RS256', kid: 'rsa-1', crit: ['exp-policy'], 'exp-policy': 1 }, claims()))).toBe('GH_AUTHZ_JWT_CRIT_UNSUPPORTED');
  });
  it('kid injection finds no key', async () => {
    for (const kid of ['../../../../dev/null', "' OR '1'='1", 'rsa-1\u0000', '*']) {
      expect(await codeOf(await signRs(claims(), { kid }, attacker.privateKey))).toBe('GH_AUTHZ_JWT_NO_MATCHING_KEY');
    }
  });
  it('a kid that is not a short string is malformed', async () => {
    expect(await codeOf(await signRs(claims(), { kid: 'k'.repeat(300) }))).toBe('GH_AUTHZ_JWT_MALFORMED');
  });
  it('an RSA kid used with an EC algorithm finds no key', async () => {
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'rsa-1' }).sign(ec.privateKey);
    expect(await codeOf(forged)).toBe('GH_AUTHZ_JWT_NO_MATCHING_KEY');
  });
  it('a signature by another key under a known kid is rejected', async () => {
    expect(await codeOf(await signRs(claims(), {}, attacker.privateKey))).toBe('GH_AUTHZ_JWT_SIGNATURE_INVALID');
  });
  it('a tampered payload is rejected', async () => {
    const [h, , s] = (await signRs(claims())).split('.');
    expect(await codeOf(`${h}.${b64(claims({ sub: 'admin' }))}.${s}`)).toBe('GH_AUTHZ_JWT_SIGNATURE_INVALID');
  });
  it('a token without exp is rejected', async () => {
    const { exp: _exp, ...rest } = claims();
    expect(await codeOf(await signRs(rest))).toBe('GH_AUTHZ_JWT_EXP_MISSING');
  });
  it('an expired token is rejected', async () => {
    expect(await codeOf(await signRs(claims({ exp: now() - 3600 })))).toBe('GH_AUTHZ_JWT_EXPIRED');
  });
  it('a not-yet-valid token is rejected', async () => {
    expect(await codeOf(await signRs(claims({ nbf: now() + 3600 })))).toBe('GH_AUTHZ_JWT_NOT_YET_VALID');
  });
  it('a wrong issuer is rejected', async () => {
    expect(await codeOf(await signRs(claims({ iss: 'https://evil.example' })))).toBe('GH_AUTHZ_JWT_ISSUER_MISMATCH');
  });
  it('a wrong or missing audience is rejected', async () => {
    expect(await codeOf(await signRs(claims({ aud: 'other-api' })))).toBe('GH_AUTHZ_JWT_AUDIENCE_MISMATCH');
    const { aud: _aud, ...rest } = claims();
    expect(await codeOf(await signRs(rest))).toBe('GH_AUTHZ_JWT_AUDIENCE_MISMATCH');
  });
  it('a wrong typ (logout, DPoP proof, SET) is rejected', async () => {
    for (const typ of ['logout+jwt', 'dpop+jwt', 'secevent+jwt']) {
      expect(await codeOf(await signRs(claims(), { typ }))).toBe('GH_AUTHZ_JWT_TYP_NOT_ALLOWED');
    }
  });
  it('an oversized token is rejected before any parsing', async () => {
    expect(await codeOf(await signRs(claims({ pad: 'x'.repeat(20_000) })))).toBe('GH_AUTHZ_JWT_TOO_LARGE');
  });
  it('malformed tokens are rejected', async () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d', `${b64('not json')}.${b64(claims())}.${b64('s')}`, 'a b.c.d', `${b64({ alg: 'RS256' })}.!!.${b64('s')}`]) {
      expect(await codeOf(token)).toBe('GH_AUTHZ_JWT_MALFORMED');
    }
  });
  it('a payload that is not JSON is rejected', async () => {
    expect(await codeOf(signRaw({ alg: 'RS256', kid: 'rsa-1' }, 'not json'))).toBe('GH_AUTHZ_JWT_MALFORMED');
  });
});
