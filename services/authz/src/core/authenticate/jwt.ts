// spec.jwt at request time: a token this provider verified before is answered from its verdict cache,
// synchronously; otherwise only the providers of the issuer the token claims may verify it (async).
import { AuthzError, ErrorCodes, isUnavailableCode, type ErrorCode } from '../../errors.js';
import type { RequestView } from '../decide/request-view.js';
import type { JwtProviderSpec, JwtSpec } from '../policy/policy-model.js';
import { claimToHeaderValue, MAX_CLAIM_HEADER_BYTES, MAX_CLAIM_HEADERS_BYTES, readClaim } from './claims.js';
import { extractCredential } from './extract-credential.js';
import type { AuthenticateDeps, Identity } from './step.js';
import { looksLikeJwt, peekIssuer, verifyJwt, type VerifiedToken } from './verify-jwt.js';

interface Found {
  readonly provider: JwtProviderSpec;
  readonly token: string;
}

/** The code of an unacceptable token; undefined when none was presented or one verified (identity.jwt set). */
export function authenticateJwt(request: RequestView, spec: JwtSpec, identity: Identity, deps: AuthenticateDeps): ErrorCode | undefined | Promise<ErrorCode | undefined> {
  const now = deps.now();
  const found: Found[] = [];
  for (const provider of spec.providers) {
    const credential = extractCredential(request, provider.extractFrom);
    if (!credential) continue;
    // Hot path: a token this provider verified before is answered from the cache, nothing parsed.
    const cached = deps.caches.jwtFor(provider).get(credential.value, now);
    deps.onCache?.(identity.policy.key, 'jwt', cached !== undefined);
    if (cached) return acceptJwt(provider, cached, identity);
    found.push({ provider, token: credential.value });
  }
  if (found.length === 0) return undefined;
  // A token is only ever verified by the provider(s) of the issuer it claims.
  const candidates = found.filter(({ provider, token }) => peekIssuer(token) === provider.issuer);
  if (candidates.length === 0) {
    // An opaque token on an OIDC route is introspected later, not rejected here.
    if (found.every(({ token }) => !looksLikeJwt(token))) return identity.policy.oidc ? undefined : ErrorCodes.jwtMalformed;
    return found.some(({ token }) => looksLikeJwt(token) && peekIssuer(token) !== undefined) ? ErrorCodes.jwtIssuerMismatch : ErrorCodes.jwtMalformed;
  }
  return verifyCandidates(candidates, identity, deps, now);
}

/** The first candidate that verifies wins; an outage (JWKS down) throws so the check fails closed with 503. */
async function verifyCandidates(candidates: readonly Found[], identity: Identity, deps: AuthenticateDeps, now: number): Promise<ErrorCode | undefined> {
  let firstError: ErrorCode | undefined;
  for (const { provider, token } of candidates) {
    try {
      const verified = await verifyJwt(token, provider, deps.keySourceFor(provider), {
        clockSkewSeconds: deps.clockSkewSeconds,
        now: () => new Date(deps.now()),
      });
      // Claims too large for their headers fail here, before the verdict is cached.
      const failure = acceptJwt(provider, verified, identity);
      if (failure) return failure;
      deps.caches.jwtFor(provider).set(token, verified, verified.exp * 1000, now);
      return undefined;
    } catch (err) {
      if (!(err instanceof AuthzError)) throw err;
      if (isUnavailableCode(err.code)) throw err;
      firstError ??= err.code;
    }
  }
  return firstError;
}

/** Sets the identity from a verified token; GH_AUTHZ_JWT_CLAIMS_TOO_LARGE when its header values are over the bounds. */
function acceptJwt(provider: JwtProviderSpec, verified: VerifiedToken, identity: Identity): ErrorCode | undefined {
  const start = identity.upstream.length;
  if (typeof verified.payload.sub === 'string') identity.upstream.push(['x-gatehouse-subject', verified.payload.sub]);
  let bytes = 0;
  for (const { claim, header } of provider.claimToHeaders) {
    const value = claimToHeaderValue(readClaim(verified.payload, claim));
    if (value === undefined) continue;
    const size = Buffer.byteLength(value);
    bytes += size;
    if (size > MAX_CLAIM_HEADER_BYTES || bytes > MAX_CLAIM_HEADERS_BYTES) {
      identity.upstream.length = start;
      return ErrorCodes.jwtClaimsTooLarge;
    }
    identity.upstream.push([header, value]);
  }
  identity.jwt = { provider: provider.name, claims: verified.payload };
  identity.metadata[provider.name] = verified.payload;
  identity.via = 'jwt';
  return undefined;
}
