// The internal decision structure a SecurityPolicy compiles to. Plain data, validated once at compile
// time so that the per-request path never re-checks configuration.
import type { CelProgram } from '@gatehouse/cel';
import type { JSONWebKeySet } from 'jose';
import type { Cidr } from '../decide/cidr.js';
import type { GeoLocationMatch } from '../decide/geo.js';
import type { PasswordHash } from '../authenticate/htpasswd.js';

/** Where a credential may be found; header names are lower-case. */
export interface ExtractFrom {
  readonly headers: readonly { readonly name: string; readonly valuePrefix: string }[];
  readonly cookies: readonly string[];
  readonly params: readonly string[];
}

/**
 * A Backend authz connects to for a URL. `tls`: a BackendTLSPolicy targets it, so the connection is TLS
 * with that SNI, a certificate carrying one of those SANs, signed by that CA (absent: the default roots).
 */
export interface BackendConnect {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly sni: string; readonly subjectAltNames: ReadonlyArray<{ readonly type: 'DNS' | 'URI'; readonly value: string }>; readonly ca?: string };
}

/** One backendRef of a remoteJWKS or OIDC provider: its Backend, weight (default 1; 0: never used) and fallback (tried after the primaries). */
export interface WeightedBackend extends BackendConnect {
  readonly weight: number;
  readonly fallback: boolean;
}

export type JwksSource =
  | {
      readonly kind: 'remote';
      readonly uri: string;
      readonly cacheDurationMs: number;
      readonly failedRefetchMs: number;
      /** remoteJWKS backendRef(s): the Backends to connect to, tried as backend-order.ts says (the uri still names the host). */
      readonly backends?: readonly WeightedBackend[];
      /** remoteJWKS backendSettings.retry: how a failed fetch is retried. */
      readonly retry?: ServiceRetrySpec;
    }
  | { readonly kind: 'local'; readonly jwks: JSONWebKeySet };

export interface JwtProviderSpec {
  /** Unique per policy; `<namespace>/<policy>/<provider>` identifies it across the service. */
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwks: JwksSource;
  readonly claimToHeaders: readonly { readonly claim: string; readonly header: string }[];
  readonly extractFrom: ExtractFrom;
}

export interface JwtSpec {
  readonly providers: readonly JwtProviderSpec[];
  readonly optional: boolean;
  /** A missing or invalid token passes unauthenticated (broader than optional); a valid one still verifies. */
  readonly failOpen: boolean;
}

export interface ApiKeySpec {
  /** SHA-256 of each key; keys themselves are never kept. */
  /** `metadata` is the key's dynamic metadata, built once so every answer shares (and can cache the encoding of) it. */
  readonly keys: readonly { readonly clientId: string; readonly sha256: Buffer; readonly metadata: Readonly<{ clientId: string }> }[];
  readonly extractFrom: ExtractFrom;
  readonly forwardClientIdHeader?: string;
  readonly sanitize: boolean;
}

export interface BasicAuthSpec {
  readonly users: ReadonlyMap<string, PasswordHash>;
  /** Checked for unknown users, at the cost of a known user's check (htpasswd.ts dummyHashFor). */
  readonly dummyHash: PasswordHash;
  readonly forwardUsernameHeader?: string;
}

export interface OidcSpec {
  readonly id: string;
  readonly issuer: string;
  readonly authorizationEndpoint?: string;
  readonly tokenEndpoint?: string;
  readonly endSessionEndpoint?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  readonly resources: readonly string[];
  /** Absolute URL, or undefined for "<scheme>://<host>/oauth2/callback" of the request. */
  readonly redirectUrl?: string;
  readonly callbackPath: string;
  readonly logoutPath: string;
  readonly refreshToken: boolean;
  readonly forwardAccessToken: boolean;
  readonly forwardIdTokenHeader?: string;
  readonly passThroughAuthHeader: boolean;
  readonly sameSite: 'Lax' | 'Strict';
  readonly defaultTokenTtlMs: number;
  readonly defaultRefreshTokenTtlMs: number;
  readonly csrfTokenTtlMs: number;
  readonly denyRedirectHeaders: readonly HeaderMatch[];
  /** provider backendRefs: the Backends every call to the provider connects to, tried as backend-order.ts says. */
  readonly backends?: readonly WeightedBackend[];
  /** provider backendSettings.retry: how a failed call to the provider is retried. */
  readonly retry?: ServiceRetrySpec;
  /** The session cookie's Domain (shared with subdomains; the cookie is then "__Secure-", not "__Host-"). */
  readonly cookieDomain?: string;
}

export interface HeaderMatch {
  readonly name: string;
  readonly type: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression';
  readonly value: string;
  readonly regex?: RegExp;
}

export interface ClaimMatch {
  readonly name: string;
  readonly valueType: 'String' | 'StringArray';
  readonly values: readonly string[];
}

export interface AuthorizationRule {
  readonly name: string;
  readonly action: 'Allow' | 'Deny';
  readonly clientCidrs: readonly Cidr[];
  /** principal.clientIPGeoLocations (any entry matches); empty: no geo condition. */
  readonly geoLocations: readonly GeoLocationMatch[];
  readonly headers: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly jwt?: { readonly provider: string; readonly claims: readonly ClaimMatch[]; readonly scopes: readonly string[] };
  readonly methods: readonly string[];
  readonly path?: { readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression'; readonly value: string; readonly invert: boolean; readonly regex?: RegExp };
  /** The rule's `cel` expression; the rule matches only when it is true as well. */
  readonly cel?: CelProgram;
}

export interface AuthorizationSpec {
  readonly defaultAction: 'Allow' | 'Deny';
  readonly rules: readonly AuthorizationRule[];
}

export interface CompiledPolicy {
  /** `<namespace>/<name>`, the value Envoy sends in context_extensions["policy"]. */
  readonly key: string;
  readonly jwt?: JwtSpec;
  readonly oidc?: OidcSpec;
  readonly apiKey?: ApiKeySpec;
  readonly basicAuth?: BasicAuthSpec;
  readonly authorization?: AuthorizationSpec;
  /** Lower-case request headers this policy writes for upstreams (so clients may never send them). */
  readonly identityHeaders: readonly string[];
}

/** A problem in one policy, located by a JSON pointer into its document. */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

/**
 * A backend's backendSettings.retry (Envoy Gateway's retry for a service that is not a route): up to
 * numRetries more attempts when the outcome matches a trigger, waiting a fully jittered exponential
 * back-off between them (Envoy's core RetryPolicy defaults: base 1 s, max 10 times the base).
 */
export interface ServiceRetrySpec {
  readonly numRetries: number;
  readonly triggers: readonly string[];
  readonly baseIntervalMs: number;
  readonly maxIntervalMs: number;
}
