// What the service decided about one request, before it is shaped into an Envoy CheckResponse.
import type { ErrorCode } from '../../errors.js';

export interface AllowDecision {
  readonly kind: 'allow';
  /** Headers set on the upstream request, overwriting anything the client sent. */
  readonly upstreamHeaders: ReadonlyArray<readonly [string, string]>;
  readonly headersToRemove: readonly string[];
  /** Emitted as ext_authz dynamic metadata (e.g. the verified JWT payload). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Who was let through, for logs and metrics ("jwt", "api-key", "basic", "session", "introspection", "anonymous"). */
  readonly via: string;
}

export interface DenyDecision {
  readonly kind: 'deny';
  /** HTTP status Envoy returns to the client: 401, 403, 302 (login/callback/logout), 400, 500, 503. */
  readonly httpStatus: number;
  readonly code: ErrorCode | 'GH_AUTHZ_REDIRECT';
  /** Response headers; repeated names (set-cookie) are appended, not overwritten. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export type Decision = AllowDecision | DenyDecision;

export function deny(httpStatus: number, code: DenyDecision['code'], headers: ReadonlyArray<readonly [string, string]> = []): DenyDecision {
  return { kind: 'deny', httpStatus, code, headers };
}

/** 401 for an API client, with the RFC 6750 challenge. */
export function unauthorized(code: ErrorCode): DenyDecision {
  return deny(401, code, [['www-authenticate', 'Bearer error="invalid_token"']]);
}

export function redirect(location: string, setCookies: readonly string[] = []): DenyDecision {
  return deny(302, 'GH_AUTHZ_REDIRECT', [['location', location], ['cache-control', 'no-store'], ...setCookies.map((c) => ['set-cookie', c] as const)]);
}
