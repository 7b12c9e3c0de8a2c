// Which keys of a JWKS may verify a token. The algorithm must be asymmetric and agree with the key's
// own type (and its "alg" when present): this, not the token, is what decides how a signature is checked.
import type { JWK } from 'jose';

export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);

const EC_CURVE_ALGORITHM: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

export function keyAllowsAlgorithm(jwk: JWK, alg: string): boolean {
  if (!ASYMMETRIC_ALGORITHMS.has(alg)) return false;
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes('verify')) return false;
  switch (jwk.kty) {
    case 'RSA':
      return /^(RS|PS)(256|384|512)$/.test(alg);
    case 'EC':
      return EC_CURVE_ALGORITHM[jwk.crv ?? ''] === alg;
    case 'OKP':
      return (jwk.crv === 'Ed25519' && (alg === 'EdDSA' || alg === 'Ed25519')) || (jwk.crv === 'Ed448' && alg === 'EdDSA');
    default:
      return false;
  }
}

/** Keys whose kid equals the token's (any key when the token has none) and that allow its alg. */
export function selectKeys(keys: readonly JWK[], kid: string | undefined, alg: string): JWK[] {
  return keys.filter((jwk) => (kid === undefined || jwk.kid === kid) && keyAllowsAlgorithm(jwk, alg));
}

/** Key sources: a local JWKS from config, or a cached remote one that may refetch for an unknown kid. */
export interface KeySource {
  candidates(kid: string | undefined, alg: string): Promise<readonly JWK[]>;
}
