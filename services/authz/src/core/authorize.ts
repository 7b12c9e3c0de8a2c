// The decision for one request under one policy: find the policy, run its authentication steps in
// order (core/authenticate: JWT, API key, basic, OIDC session or introspected token), then its
// authorization rules. Any failure denies; nothing here fails open. Synchronous whenever no step
// needs I/O or a signature check, so the hot path pays no promise hops.
import { AuthzError, ErrorCodes, isUnavailableCode, type ErrorCode } from '../errors.js';
import { authenticateApiKey } from './authenticate/api-key.js';
import { authenticateBasic } from './authenticate/basic.js';
import { authenticateJwt } from './authenticate/jwt.js';
import { authenticateOidcSession } from './authenticate/oidc-session.js';
import { FailureBudget, type FailureBudgetOptions } from './authenticate/failure-budget.js';
import type { KeySource } from './authenticate/select-keys.js';
import { newIdentity, VerdictCaches, type AuthenticateDeps, type BcryptVerifier, type Identity } from './authenticate/step.js';
import { deny, unauthorized, type Decision } from './decide/decision.js';
import { evaluateAuthorization } from './decide/evaluate-authorization.js';
import { NO_GEO, type GeoLookup } from './decide/geo.js';
import { headersToRemove } from './decide/identity-headers.js';
import type { RequestView } from './decide/request-view.js';
import type { IdpClient } from './oidc/oidc-ports.js';
import type { OidcFlow } from './oidc/oidc-flow.js';
import type { CompiledPolicy, JwtProviderSpec } from './policy/policy-model.js';
import type { PolicySet } from './policy/policy-set.js';
import { thenMaybe } from './then-maybe.js';

export interface AuthorizerOptions {
  readonly keySourceFor: (provider: JwtProviderSpec) => KeySource;
  readonly clockSkewSeconds: number;
  /** Where bcrypt runs: off the event loop, with a cap (adapters/bcrypt-pool). */
  readonly bcrypt: BcryptVerifier;
  /** Failed basic-auth checks allowed per user name and window. Default 10 per 5 minutes. */
  readonly basicFailures?: FailureBudgetOptions;
  /** Applies when the route names no policy; without it such requests are denied. */
  readonly defaultPolicy?: string;
  readonly oidcFlow?: OidcFlow;
  readonly idp?: IdpClient;
  /** Verified-token verdicts kept (bounded, first in first out). Default 10 000. */
  readonly verdictCacheSize?: number;
  /** Longest an introspection answer is reused, capped further by the token's exp. Default 60 s. */
  readonly introspectionCacheMaxMs?: number;
  readonly now?: () => number;
  /** The geo databases clientIPGeoLocations rules read (adapters/geoip-databases); default none. */
  readonly geo?: GeoLookup;
  /** Cache hit/miss counter hook, for per-policy metrics. */
  readonly onCache?: (policy: string, cache: 'jwt' | 'introspection', hit: boolean) => void;
}

export interface AuthorizeOutcome {
  readonly decision: Decision;
  readonly policy?: string;
  /** The underlying error when the decision came from one (for the log line; never sent to clients). */
  readonly error?: unknown;
}

const BASIC_CHALLENGE = [['www-authenticate', 'Basic realm="gatehouse", charset="UTF-8"']] as const;

export class Authorizer {
  readonly #defaultPolicy: string | undefined;
  readonly #geo: GeoLookup;
  #policies: PolicySet;
  #deps: AuthenticateDeps;

  constructor(policies: PolicySet, options: AuthorizerOptions) {
    this.#defaultPolicy = options.defaultPolicy;
    this.#geo = options.geo ?? NO_GEO;
    this.#policies = policies;
    this.#deps = {
      now: options.now ?? Date.now,
      caches: new VerdictCaches(options.verdictCacheSize ?? 10_000),
      bcrypt: options.bcrypt,
      basicFailures: new FailureBudget(options.basicFailures ?? { maxFailures: 10, windowMs: 300_000 }),
      keySourceFor: options.keySourceFor,
      clockSkewSeconds: options.clockSkewSeconds,
      introspectionCacheMaxMs: options.introspectionCacheMaxMs ?? 60_000,
      ...(options.oidcFlow && { oidcFlow: options.oidcFlow }),
      ...(options.idp && { idp: options.idp }),
      ...(options.onCache && { onCache: options.onCache }),
    };
  }

  get policies(): PolicySet {
    return this.#policies;
  }

  /** Swaps the whole policy set; cached verdicts were made under the old one and are dropped. */
  setPolicies(policies: PolicySet): void {
    this.#policies = policies;
    this.#deps = { ...this.#deps, caches: new VerdictCaches(this.#deps.caches.size) };
  }

  /** Never throws and never rejects: every error becomes a deny (fail closed). */
  authorize(request: RequestView): AuthorizeOutcome | Promise<AuthorizeOutcome> {
    const key = request.policyKey ?? this.#defaultPolicy;
    if (!key) return { decision: deny(403, ErrorCodes.noPolicy) };
    const policy = this.#policies.policies.get(key);
    if (!policy) return { decision: deny(403, ErrorCodes.unknownPolicy), policy: key };
    try {
      return thenMaybe(
        this.#decide(request, policy),
        (decision): AuthorizeOutcome => ({ decision, policy: key }),
        (error) => failedClosed(key, error),
      );
    } catch (error) {
      return failedClosed(key, error);
    }
  }

  #decide(request: RequestView, policy: CompiledPolicy): Decision | Promise<Decision> {
    const flow = this.#deps.oidcFlow;
    if (policy.oidc && flow) {
      if (flow.isCallback(request, policy.oidc)) return flow.handleCallback(request, policy.oidc);
      if (flow.isLogout(request, policy.oidc)) return flow.handleLogout(request, policy.oidc);
    }
    const identity = newIdentity(policy);
    if (!policy.jwt) return this.#afterJwt(request, policy, identity, undefined);
    return thenMaybe(authenticateJwt(request, policy.jwt, identity, this.#deps), (failure) => this.#afterJwt(request, policy, identity, failure));
  }

  /** The steps after JWT, in the README's order: API key, basic (async when it hashes), then the rest. */
  #afterJwt(request: RequestView, policy: CompiledPolicy, identity: Identity, jwtFailure: ErrorCode | undefined): Decision | Promise<Decision> {
    // failOpen: a missing or invalid token passes unauthenticated (the rules still apply); an unreachable
    // JWKS is not an invalid token and still fails closed (503).
    if (policy.jwt && !policy.jwt.failOpen) {
      if (jwtFailure) return unauthorized(jwtFailure);
      if (!identity.jwt && !policy.jwt.optional && !policy.oidc) return unauthorized(ErrorCodes.jwtMissing);
    }
    if (policy.apiKey) {
      const failure = authenticateApiKey(request, policy.apiKey, identity, this.#deps);
      if (failure) return unauthorized(failure);
    }
    if (!policy.basicAuth) return this.#afterBasic(request, policy, identity);
    return thenMaybe(authenticateBasic(request, policy.basicAuth, identity, this.#deps), (failure) => (failure ? basicDenied(failure) : this.#afterBasic(request, policy, identity)));
  }

  /** OIDC session (when the policy has one), then the rules. */
  #afterBasic(request: RequestView, policy: CompiledPolicy, identity: Identity): Decision | Promise<Decision> {
    if (policy.oidc && !(identity.jwt && policy.oidc.passThroughAuthHeader)) {
      return authenticateOidcSession(request, policy.oidc, identity, this.#deps).then((answer) => answer ?? this.#authorizeIdentity(request, policy, identity));
    }
    return this.#authorizeIdentity(request, policy, identity);
  }

  /** The authorization rules over an authenticated identity, and the allow answer built from it. */
  #authorizeIdentity(request: RequestView, policy: CompiledPolicy, identity: Identity): Decision {
    if (policy.authorization) {
      const verdict = evaluateAuthorization(policy.authorization, request, identity.jwt, this.#geo);
      // A rule that needs a geo database this replica has not loaded fails closed, like any missing dependency.
      if (verdict.missingGeoDatabases) throw new AuthzError(ErrorCodes.geoipUnavailable, `rule "${verdict.rule}" needs the ${verdict.missingGeoDatabases.join(', ')} database (AUTHZ_GEOIP_*_DB)`);
      if (verdict.action === 'Deny') return deny(403, ErrorCodes.forbidden);
    }
    identity.upstream.push(['x-gatehouse-auth-method', identity.via]);
    const remove = headersToRemove(request.headers, this.#policies.identityHeaders, identity.upstream, identity.remove);
    return { kind: 'allow', upstreamHeaders: identity.upstream, headersToRemove: remove, metadata: identity.metadata, via: identity.via };
  }
}

/** 401 with the Basic challenge; 429 for a name past its failure budget; 503 while hashing is at its cap. */
function basicDenied(code: ErrorCode): Decision {
  if (code === ErrorCodes.basicLocked) return deny(429, code);
  if (code === ErrorCodes.basicBusy) return deny(503, code);
  return deny(401, code, BASIC_CHALLENGE);
}

/** The deny for an error thrown while deciding: 503 when a dependency is down, 401 for a bad credential. */
function failedClosed(policy: string, error: unknown): AuthorizeOutcome {
  if (error instanceof AuthzError) {
    const status = isUnavailableCode(error.code) ? 503 : error.code === ErrorCodes.internal ? 500 : 401;
    return { decision: status === 401 ? unauthorized(error.code) : deny(status, error.code), policy, error };
  }
  return { decision: deny(500, ErrorCodes.internal), policy, error };
}
