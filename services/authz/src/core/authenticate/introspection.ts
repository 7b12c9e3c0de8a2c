// An opaque bearer token on an OIDC route, checked with RFC 7662 introspection at the policy's IdP.
// Active answers are cached no longer than the token lives (and at most introspectionCacheMaxMs);
// the token must have been issued to this client or for one of its resources.
import { ErrorCodes, type ErrorCode } from '../../errors.js';
import type { RequestView } from '../decide/request-view.js';
import type { OidcSpec } from '../policy/policy-model.js';
import type { AuthenticateDeps, Identity } from './step.js';
import { looksLikeJwt } from './verify-jwt.js';

const MAX_TOKEN_LENGTH = 4096;

/** The request's bearer token when it is opaque (not a JWT): what introspection checks. */
export function opaqueBearer(request: RequestView): string | undefined {
  const bearer = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  return bearer && !looksLikeJwt(bearer) ? bearer : undefined;
}

export async function authenticateIntrospection(request: RequestView, spec: OidcSpec, identity: Identity, deps: AuthenticateDeps): Promise<ErrorCode | undefined> {
  const token = opaqueBearer(request);
  if (!token || token.length > MAX_TOKEN_LENGTH || !deps.idp) return ErrorCodes.tokenInactive;
  const key = `${spec.id}\u0000${token}`;
  const now = deps.now();
  let answer = deps.caches.introspection.get(key, now);
  deps.onCache?.(identity.policy.key, 'introspection', answer !== undefined);
  if (!answer) {
    answer = await deps.idp.introspect(spec, await deps.idp.metadata(spec), token);
    const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : undefined;
    // Cached no longer than the token lives, and never when the IdP gave no expiry.
    if (answer.active === true && exp !== undefined) deps.caches.introspection.set(key, answer, Math.min(exp, now + deps.introspectionCacheMaxMs), now);
  }
  const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : undefined;
  if (answer.active !== true || (exp !== undefined && exp <= now) || answer.token_type === 'refresh_token') return ErrorCodes.tokenInactive;
  // Active is not enough: the token must have been issued to this client or for one of its resources,
  // or a token minted for another application at the same IdP would pass.
  const audiences = typeof answer.aud === 'string' ? [answer.aud] : Array.isArray(answer.aud) ? answer.aud : [];
  const forUs = answer.client_id === spec.clientId || audiences.some((a) => a === spec.clientId || spec.resources.includes(a as string));
  if (!forUs) return ErrorCodes.tokenAudienceMismatch;
  identity.via = 'introspection';
  identity.metadata.introspection = answer;
  if (typeof answer.sub === 'string') identity.upstream.push(['x-gatehouse-subject', answer.sub]);
  if (typeof answer.client_id === 'string') identity.upstream.push(['x-gatehouse-client-id', answer.client_id]);
  return undefined;
}
