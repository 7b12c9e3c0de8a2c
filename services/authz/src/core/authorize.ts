// The decision for one request under one policy: credentials first (JWT, API key, basic, OIDC session or
// introspected token), then authorization rules. Any failure denies; nothing here fails open.
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { claimToHeaderValue, readClaim } from './claims.js';
import { deny, unauthorized, type Decision } from './decision.js';
import { AuthzError, ErrorCodes, type ErrorCode } from './error-codes.js';
import { evaluateAuthorization, type VerifiedJwt } from './evaluate-authorization.js';
import { extractCredential } from './extract-credential.js';
import { verifyPassword } from './htpasswd.js';
import { headersToRemove } from './identity-headers.js';
import type { IdpClient } from './oidc-ports.js';
import type { OidcFlow } from './oidc-flow.js';
import type { ApiKeySpec, BasicAuthSpec, CompiledPolicy, JwtProviderSpec, JwtSpec, OidcSpec } from './policy-model.js';
import type { PolicySet } from './policy-set.js';
import type { RequestView } from './request-view.js';
import type { KeySource } from './select-keys.js';
import { VerdictCache } from './verdict-cache.js';
import { looksLikeJwt, peekIssuer, verifyJwt, type VerifiedToken } from './verify-jwt.js';

export interface AuthorizerOptions {
  readonly keySourceFor: (provider: JwtProviderSpec) => KeySource;
  readonly clockSkewSeconds: number;
  /** Applies when the route names no policy; without it such requests are denied. */
  readonly defaultPolicy?: string;
  readonly oidcFlow?: OidcFlow;
  readonly idp?: IdpClient;
  /** Verified-token verdicts kept (bounded LRU). Default 10 000. */
  readonly verdictCacheSize?: number;
  /** Longest an introspection answer is reused, capped further by the token's exp. Default 60 s. */
  readonly introspectionCacheMaxMs?: number;
  readonly now?: () => number;
  /** Cache hit/miss counter hook, for per-policy metrics. */
  readonly onCache?: (policy: string, cache: 'jwt' | 'introspection', hit: boolean) => void;
}

export interface AuthorizeOutcome {
  readonly decision: Decision;
  readonly policy?: string;
  /** The underlying error when the decision came from one (for the log line; never sent to clients). */
  readonly error?: unknown;
}

interface Identity {
  readonly upstream: [string, string][];
  /** Request headers to strip besides the identity headers (a sanitized API-key header). */
  readonly remove: string[];
  readonly metadata: Record<string, unknown>;
  jwt: VerifiedJwt | undefined;
  via: string;
}

const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([ErrorCodes.jwksUnavailable, ErrorCodes.oidcProviderUnavailable, ErrorCodes.redisUnavailable, ErrorCodes.introspectionFailed]);

export class Authorizer {
  readonly #o: AuthorizerOptions;
  readonly #now: () => number;
  #policies: PolicySet;
  #jwtCaches = new WeakMap<JwtProviderSpec, VerdictCache<VerifiedToken>>();
  #introspectionCache: VerdictCache<Record<string, unknown>>;
  // bcrypt costs tens of milliseconds of the event loop: a verified credential is remembered briefly.
  #basicCache = new VerdictCache<string>(1_000);

  constructor(policies: PolicySet, options: AuthorizerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#policies = policies;
    this.#introspectionCache = new VerdictCache(options.verdictCacheSize ?? 10_000);
  }

  get policies(): PolicySet {
    return this.#policies;
  }

  /** Swaps the whole policy set; cached verdicts were made under the old one and are dropped. */
  setPolicies(policies: PolicySet): void {
    this.#policies = policies;
    this.#jwtCaches = new WeakMap();
    this.#introspectionCache = new VerdictCache(this.#introspectionCache.maxEntries);
    this.#basicCache = new VerdictCache(this.#basicCache.maxEntries);
  }

  /**
   * Never throws and never rejects: every error becomes a deny (fail closed). Synchronous when nothing
   * needs I/O or a signature check (a cached token, an API key), so the hot path pays no promise hops.
   */
  authorize(request: RequestView): AuthorizeOutcome | Promise<AuthorizeOutcome> {
    const key = request.policyKey ?? this.#o.defaultPolicy;
    if (!key) return { decision: deny(403, ErrorCodes.noPolicy) };
    const policy = this.#policies.policies.get(key);
    if (!policy) return { decision: deny(403, ErrorCodes.unknownPolicy), policy: key };
    try {
      const decision = this.#decide(request, policy);
      if (decision instanceof Promise) {
        return decision.then(
          (settled) => ({ decision: settled, policy: key }),
          (error: unknown) => failedClosed(key, error),
        );
      }
      return { decision, policy: key };
    } catch (error) {
      return failedClosed(key, error);
    }
  }

  #decide(request: RequestView, policy: CompiledPolicy): Decision | Promise<Decision> {
    const flow = this.#o.oidcFlow;
    if (policy.oidc && flow) {
      if (flow.isCallback(request, policy.oidc)) return flow.handleCallback(request, policy.oidc);
      if (flow.isLogout(request, policy.oidc)) return flow.handleLogout(request, policy.oidc);
    }
    // Every field from the start: one object shape on the hot path.
    const identity: Identity = { upstream: [], remove: [], metadata: {}, jwt: undefined, via: 'anonymous' };
    if (!policy.jwt) return this.#afterJwt(request, policy, identity, undefined);
    const failure = this.#authenticateJwt(request, policy, policy.jwt, identity);
    return failure instanceof Promise
      ? failure.then((settled) => this.#afterJwt(request, policy, identity, settled))
      : this.#afterJwt(request, policy, identity, failure);
  }

  /** The rest of the decision once the JWT step (if any) has settled. */
  #afterJwt(request: RequestView, policy: CompiledPolicy, identity: Identity, jwtFailure: ErrorCode | undefined): Decision | Promise<Decision> {
    if (policy.jwt) {
      if (jwtFailure) return unauthorized(jwtFailure);
      if (!identity.jwt && !policy.jwt.optional && !policy.oidc) return unauthorized(ErrorCodes.jwtMissing);
    }
    if (policy.apiKey) {
      const failure = this.#authenticateApiKey(request, policy.apiKey, identity);
      if (failure) return unauthorized(failure);
    }
    if (policy.basicAuth) {
      const failure = this.#authenticateBasic(request, policy, policy.basicAuth, identity);
      if (failure) return deny(401, failure, [['www-authenticate', 'Basic realm="gatehouse", charset="UTF-8"']]);
    }
    if (policy.oidc && !(identity.jwt && policy.oidc.passThroughAuthHeader)) {
      return this.#authenticateOidc(request, policy, policy.oidc, identity).then((answer) => answer ?? this.#authorizeIdentity(request, policy, identity));
    }
    return this.#authorizeIdentity(request, policy, identity);
  }

  /** The authorization rules over an authenticated identity, and the allow answer built from it. */
  #authorizeIdentity(request: RequestView, policy: CompiledPolicy, identity: Identity): Decision {
    if (policy.authorization) {
      const verdict = evaluateAuthorization(policy.authorization, request, identity.jwt);
      if (verdict.action === 'Deny') return deny(403, ErrorCodes.forbidden);
    }
    identity.upstream.push(['x-gatehouse-auth-method', identity.via]);
    const remove = headersToRemove(request.headers, this.#policies.identityHeaders, identity.upstream, identity.remove);
    return { kind: 'allow', upstreamHeaders: identity.upstream, headersToRemove: remove, metadata: identity.metadata, via: identity.via };
  }

  /**
   * Returns an error code when a token was presented but is not acceptable; sets identity.jwt on success.
   * A token found in a provider's verdict cache is answered synchronously; only verification is async.
   */
  #authenticateJwt(request: RequestView, policy: CompiledPolicy, jwt: JwtSpec, identity: Identity): ErrorCode | undefined | Promise<ErrorCode | undefined> {
    const now = this.#now();
    const found: { provider: JwtProviderSpec; token: string }[] = [];
    for (const provider of jwt.providers) {
      const credential = extractCredential(request, provider.extractFrom);
      if (!credential) continue;
      // Hot path: a token this provider verified before is answered from the cache, nothing parsed.
      const cached = this.#jwtCacheFor(provider).get(credential.value, now);
      this.#o.onCache?.(policy.key, 'jwt', cached !== undefined);
      if (cached) return this.#acceptJwt(provider, cached, identity);
      found.push({ provider, token: credential.value });
    }
    if (found.length === 0) return undefined;
    // A token is only ever verified by the provider(s) of the issuer it claims.
    const candidates = found.filter(({ provider, token }) => peekIssuer(token) === provider.issuer);
    if (candidates.length === 0) {
      // An opaque token on an OIDC route is introspected later, not rejected here.
      if (found.every(({ token }) => !looksLikeJwt(token))) return policy.oidc ? undefined : ErrorCodes.jwtMalformed;
      return found.some(({ token }) => looksLikeJwt(token) && peekIssuer(token) !== undefined) ? ErrorCodes.jwtIssuerMismatch : ErrorCodes.jwtMalformed;
    }
    return this.#verifyJwtCandidates(candidates, identity, now);
  }

  async #verifyJwtCandidates(candidates: { provider: JwtProviderSpec; token: string }[], identity: Identity, now: number): Promise<ErrorCode | undefined> {
    let firstError: ErrorCode | undefined;
    for (const { provider, token } of candidates) {
      try {
        const verified = await verifyJwt(token, provider, this.#o.keySourceFor(provider), {
          clockSkewSeconds: this.#o.clockSkewSeconds,
          now: () => new Date(this.#now()),
        });
        this.#jwtCacheFor(provider).set(token, verified, verified.exp * 1000, now);
        return this.#acceptJwt(provider, verified, identity);
      } catch (err) {
        if (!(err instanceof AuthzError)) throw err;
        if (UNAVAILABLE_CODES.has(err.code)) throw err;
        firstError ??= err.code;
      }
    }
    return firstError;
  }

  #acceptJwt(provider: JwtProviderSpec, verified: VerifiedToken, identity: Identity): undefined {
    identity.jwt = { provider: provider.name, claims: verified.payload };
    identity.metadata[provider.name] = verified.payload;
    identity.via = 'jwt';
    if (typeof verified.payload.sub === 'string') identity.upstream.push(['x-gatehouse-subject', verified.payload.sub]);
    for (const { claim, header } of provider.claimToHeaders) {
      const value = claimToHeaderValue(readClaim(verified.payload, claim));
      if (value !== undefined) identity.upstream.push([header, value]);
    }
    return undefined;
  }

  /** One cache per provider (keyed by the token alone), replaced with the policy set. */
  #jwtCacheFor(provider: JwtProviderSpec): VerdictCache<VerifiedToken> {
    let cache = this.#jwtCaches.get(provider);
    if (!cache) this.#jwtCaches.set(provider, (cache = new VerdictCache(this.#o.verdictCacheSize ?? 10_000)));
    return cache;
  }

  #authenticateApiKey(request: RequestView, spec: ApiKeySpec, identity: Identity): ErrorCode | undefined {
    const credential = extractCredential(request, spec.extractFrom);
    if (!credential) return ErrorCodes.apiKeyMissing;
    // One-shot hashing: no Hash object per request.
    const presented = hash('sha256', credential.value, 'buffer');
    // Compare against every key without stopping early, so timing says nothing about which matched.
    let matched: ApiKeySpec['keys'][number] | undefined;
    for (const key of spec.keys) {
      if (timingSafeEqual(presented, key.sha256) && matched === undefined) matched = key;
    }
    if (matched === undefined) return ErrorCodes.apiKeyInvalid;
    const { clientId } = matched;
    identity.via = identity.via === 'anonymous' ? 'api-key' : identity.via;
    identity.upstream.push(['x-gatehouse-client-id', clientId]);
    if (spec.forwardClientIdHeader) identity.upstream.push([spec.forwardClientIdHeader, clientId]);
    if (spec.sanitize && !credential.source.includes(':')) identity.remove.push(credential.source);
    identity.metadata.apiKey = matched.metadata;
    return undefined;
  }

  #authenticateBasic(request: RequestView, policy: CompiledPolicy, spec: BasicAuthSpec, identity: Identity): ErrorCode | undefined {
    const header = request.headers.authorization;
    if (!header || !/^basic /i.test(header)) return ErrorCodes.basicMissing;
    const now = this.#now();
    // Keyed by a digest of the credential, never the credential itself.
    const cacheKey = createHash('sha256').update(policy.key).update('\u0000').update(header).digest('base64');
    let user = this.#basicCache.get(cacheKey, now);
    if (user === undefined) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) return ErrorCodes.basicInvalid;
      const name = decoded.slice(0, colon);
      const hash = spec.users.get(name);
      // Unknown users still cost one hash, so response time does not reveal which users exist.
      const ok = hash ? verifyPassword(decoded.slice(colon + 1), hash) : (verifyPassword(decoded.slice(colon + 1), DUMMY_HASH), false);
      if (!ok) return ErrorCodes.basicInvalid;
      user = name;
      this.#basicCache.set(cacheKey, user, now + 300_000, now);
    }
    identity.via = identity.via === 'anonymous' ? 'basic' : identity.via;
    identity.upstream.push(['x-gatehouse-subject', user]);
    if (spec.forwardUsernameHeader) identity.upstream.push([spec.forwardUsernameHeader, user]);
    identity.metadata.basic = { username: user };
    return undefined;
  }

  async #authenticateOidc(request: RequestView, policy: CompiledPolicy, oidc: OidcSpec, identity: Identity): Promise<Decision | undefined> {
    const bearer = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer && !looksLikeJwt(bearer) && this.#o.idp) return this.#introspect(bearer, policy.key, oidc, identity);
    const flow = this.#o.oidcFlow;
    if (!flow) throw new AuthzError(ErrorCodes.internal, 'OIDC policy without an OIDC flow');
    const result = await flow.authenticate(request, oidc);
    if (result.kind === 'decision') return result.decision;
    const { session } = result;
    identity.via = 'session';
    identity.metadata.oidc = session.claims;
    identity.upstream.push(['x-gatehouse-subject', session.sub]);
    if (oidc.forwardAccessToken) identity.upstream.push(['authorization', `Bearer ${session.accessToken}`]);
    if (oidc.forwardIdTokenHeader && session.idToken) identity.upstream.push([oidc.forwardIdTokenHeader, session.idToken]);
    return undefined;
  }

  async #introspect(token: string, policyKey: string, oidc: OidcSpec, identity: Identity): Promise<Decision | undefined> {
    if (token.length > 4096) return unauthorized(ErrorCodes.tokenInactive);
    const key = `${oidc.id}\u0000${token}`;
    const now = this.#now();
    let answer = this.#introspectionCache.get(key, now);
    this.#o.onCache?.(policyKey, 'introspection', answer !== undefined);
    if (!answer) {
      const idp = this.#o.idp!;
      answer = await idp.introspect(oidc, await idp.metadata(oidc), token);
      const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : undefined;
      // Cached no longer than the token lives, and never when the IdP gave no expiry.
      if (answer.active === true && exp !== undefined) this.#introspectionCache.set(key, answer, Math.min(exp, now + (this.#o.introspectionCacheMaxMs ?? 60_000)), now);
    }
    const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : undefined;
    if (answer.active !== true || (exp !== undefined && exp <= now) || answer.token_type === 'refresh_token') return unauthorized(ErrorCodes.tokenInactive);
    // Active is not enough: the token must have been issued to this client or for one of its resources,
    // or a token minted for another application at the same IdP would pass.
    const audiences = typeof answer.aud === 'string' ? [answer.aud] : Array.isArray(answer.aud) ? answer.aud : [];
    const forUs = answer.client_id === oidc.clientId || audiences.some((a) => a === oidc.clientId || oidc.resources.includes(a as string));
    if (!forUs) return unauthorized(ErrorCodes.tokenAudienceMismatch);
    identity.via = 'introspection';
    identity.metadata.introspection = answer;
    if (typeof answer.sub === 'string') identity.upstream.push(['x-gatehouse-subject', answer.sub]);
    if (typeof answer.client_id === 'string') identity.upstream.push(['x-gatehouse-client-id', answer.client_id]);
    return undefined;
  }
}

/** The deny for an error thrown while deciding: 503 when a dependency is down, 401 for a bad credential. */
function failedClosed(policy: string, error: unknown): AuthorizeOutcome {
  if (error instanceof AuthzError) {
    const status = UNAVAILABLE_CODES.has(error.code) ? 503 : error.code === ErrorCodes.internal ? 500 : 401;
    return { decision: status === 401 ? unauthorized(error.code) : deny(status, error.code), policy, error };
  }
  return { decision: deny(500, ErrorCodes.internal), policy, error };
}

const DUMMY_HASH = { scheme: 'sha1', digest: Buffer.alloc(20) } as const;
