// JWT verification for one provider, with jose doing the cryptography. The header is screened first,
// so that alg=none, HMAC with a public key, embedded or remote keys, and unknown crit never reach a key.
import { decodeProtectedHeader, errors, importJWK, jwtVerify, type JWK, type JWTPayload, type JWTVerifyResult } from 'jose';
import { AuthzError, ErrorCodes } from '../../errors.js';
import type { JwtProviderSpec } from '../policy/policy-model.js';
import { MAX_CLAIMS_DEPTH, nestsDeeperThan } from './claims.js';
import { ASYMMETRIC_ALGORITHMS, type KeySource } from './select-keys.js';

export const MAX_TOKEN_LENGTH = 16 * 1024;
const ALLOWED_TYP = new Set(['jwt', 'at+jwt', 'application/jwt', 'application/at+jwt']);
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'] as const;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

export interface VerifyOptions {
  readonly clockSkewSeconds: number;
  readonly now?: () => Date;
}

export interface VerifiedToken {
  readonly provider: string;
  readonly payload: JWTPayload;
  /** Seconds since the epoch. */
  readonly exp: number;
}

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

const importedKeys = new WeakMap<JWK, Map<string, Promise<ImportedKey>>>();

function importKey(jwk: JWK, alg: string): Promise<ImportedKey> {
  let byAlg = importedKeys.get(jwk);
  if (!byAlg) importedKeys.set(jwk, (byAlg = new Map()));
  let key = byAlg.get(alg);
  if (!key) {
    key = importJWK({ ...jwk, alg }, alg);
    byAlg.set(alg, key);
  }
  return key;
}

/** True when the text has the shape of a compact JWS (three base64url parts), i.e. is not an opaque token. */
export function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && COMPACT_JWS.test(token);
}

/** Unverified "iss" of a JWT, used only to pick which provider verifies it. */
export function peekIssuer(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    const iss = (payload as { iss?: unknown } | null)?.iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyJwt(token: string, provider: JwtProviderSpec, keys: KeySource, options: VerifyOptions): Promise<VerifiedToken> {
  if (token.length > MAX_TOKEN_LENGTH) throw new AuthzError(ErrorCodes.jwtTooLarge, `${token.length} characters`);
  if (!COMPACT_JWS.test(token)) throw new AuthzError(ErrorCodes.jwtMalformed, 'not a compact JWS');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    throw new AuthzError(ErrorCodes.jwtMalformed, 'undecodable protected header');
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(alg)) throw new AuthzError(ErrorCodes.jwtAlgNotAllowed, `alg ${String(alg)}`);
  for (const name of KEY_CARRYING_HEADERS) {
    if (name in header) throw new AuthzError(ErrorCodes.jwtEmbeddedKey, `header "${name}"`);
  }
  if ('crit' in header) throw new AuthzError(ErrorCodes.jwtCritUnsupported, JSON.stringify(header.crit));
  if (header.b64 !== undefined) throw new AuthzError(ErrorCodes.jwtCritUnsupported, 'b64');
  if (header.typ !== undefined && (typeof header.typ !== 'string' || !ALLOWED_TYP.has(header.typ.toLowerCase()))) {
    throw new AuthzError(ErrorCodes.jwtTypNotAllowed, `typ ${String(header.typ)}`);
  }
  const kid = header.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256)) throw new AuthzError(ErrorCodes.jwtMalformed, 'kid is not a short string');

  const candidates = await keys.candidates(kid, alg);
  if (candidates.length === 0) throw new AuthzError(ErrorCodes.jwtNoMatchingKey, `kid ${String(kid)} alg ${alg}`);
  let lastError: unknown;
  for (const jwk of candidates.slice(0, 4)) {
    let result: JWTVerifyResult;
    try {
      result = await jwtVerify(token, await importKey(jwk, alg), {
        algorithms: [alg],
        issuer: provider.issuer,
        // No audiences listed: no `aud` check, as Envoy Gateway (jwt_authn) does; listed, `aud` must name one.
        ...(provider.audiences.length > 0 ? { audience: [...provider.audiences] } : {}),
        clockTolerance: options.clockSkewSeconds,
        requiredClaims: provider.audiences.length > 0 ? ['exp', 'iss', 'aud'] : ['exp', 'iss'],
        ...(options.now && { currentDate: options.now() }),
      });
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) {
        lastError = err;
        continue;
      }
      throw mapJoseError(err);
    }
    const exp = result.payload.exp;
    if (typeof exp !== 'number') throw new AuthzError(ErrorCodes.jwtExpMissing);
    // Before anything walks the payload recursively (deepFreeze below, claimToHeaders, metadata).
    if (nestsDeeperThan(result.payload, MAX_CLAIMS_DEPTH)) throw new AuthzError(ErrorCodes.jwtClaimsTooLarge, `claims nest deeper than ${MAX_CLAIMS_DEPTH} levels`);
    // Frozen: a verdict is cached and shared by every request with this token, and the response
    // encoder reuses the encoding of frozen objects.
    return { provider: provider.name, payload: deepFreeze(result.payload), exp };
  }
  throw mapJoseError(lastError);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function mapJoseError(err: unknown): AuthzError {
  if (err instanceof AuthzError) return err;
  if (err instanceof errors.JWTExpired) return new AuthzError(ErrorCodes.jwtExpired);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'exp') return new AuthzError(err.reason === 'missing' ? ErrorCodes.jwtExpMissing : ErrorCodes.jwtClaimInvalid, 'exp');
    if (err.claim === 'nbf') return new AuthzError(ErrorCodes.jwtNotYetValid);
    if (err.claim === 'iss') return new AuthzError(ErrorCodes.jwtIssuerMismatch);
    if (err.claim === 'aud') return new AuthzError(ErrorCodes.jwtAudienceMismatch);
    return new AuthzError(ErrorCodes.jwtClaimInvalid, err.claim);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthzError(ErrorCodes.jwtSignatureInvalid);
  if (err instanceof errors.JOSEAlgNotAllowed) return new AuthzError(ErrorCodes.jwtAlgNotAllowed);
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return new AuthzError(ErrorCodes.jwtMalformed, err.message);
  if (err instanceof errors.JOSENotSupported) return new AuthzError(ErrorCodes.jwtAlgNotAllowed, err.message);
  return new AuthzError(ErrorCodes.jwtSignatureInvalid, err instanceof Error ? err.message : String(err));
}
