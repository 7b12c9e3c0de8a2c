// What every authentication step works with: the identity it adds to (one object per request, every
// field set from the start so the hot path sees one shape) and the Authorizer's dependencies (clock,
// verdict caches, key sources, IdP, OIDC flow). A step returns the ErrorCode that denies, or undefined.
import type { VerifiedJwt } from '../decide/evaluate-authorization.js';
import type { IdpClient } from '../oidc/oidc-ports.js';
import type { OidcFlow } from '../oidc/oidc-flow.js';
import type { CompiledPolicy, JwtProviderSpec } from '../policy/policy-model.js';
import type { FailureBudget } from './failure-budget.js';
import type { KeySource } from './select-keys.js';
import { VerdictCache } from './verdict-cache.js';
import type { VerifiedToken } from './verify-jwt.js';

export interface Identity {
  /** The policy the request is checked under. */
  readonly policy: CompiledPolicy;
  readonly upstream: [string, string][];
  /** Request headers to strip besides the identity headers (a sanitized API-key header). */
  readonly remove: string[];
  readonly metadata: Record<string, unknown>;
  jwt: VerifiedJwt | undefined;
  via: string;
}

export function newIdentity(policy: CompiledPolicy): Identity {
  return { policy, upstream: [], remove: [], metadata: {}, jwt: undefined, via: 'anonymous' };
}

/** Verdicts made under one policy set; the Authorizer replaces them all when the set changes. */
export class VerdictCaches {
  readonly #jwt = new WeakMap<JwtProviderSpec, VerdictCache<VerifiedToken>>();
  readonly introspection: VerdictCache<Record<string, unknown>>;
  // bcrypt costs tens of milliseconds of a hashing thread: a verified credential is remembered briefly.
  readonly basic = new VerdictCache<string>(1_000);

  constructor(readonly size: number) {
    this.introspection = new VerdictCache(size);
  }

  /** One cache per JWT provider, keyed by the token alone. */
  jwtFor(provider: JwtProviderSpec): VerdictCache<VerifiedToken> {
    let cache = this.#jwt.get(provider);
    if (!cache) this.#jwt.set(provider, (cache = new VerdictCache(this.size)));
    return cache;
  }
}

/** bcrypt off the event loop (adapters/bcrypt-pool): 'busy' when the pool is at its cap, nothing queued. */
export interface BcryptVerifier {
  verify(password: string, hash: string): Promise<boolean> | 'busy';
}

export interface AuthenticateDeps {
  readonly now: () => number;
  readonly caches: VerdictCaches;
  readonly bcrypt: BcryptVerifier;
  /** Failed basic-auth checks per policy and user name; outlives policy reloads, unlike the caches. */
  readonly basicFailures: FailureBudget;
  readonly keySourceFor: (provider: JwtProviderSpec) => KeySource;
  readonly clockSkewSeconds: number;
  readonly oidcFlow?: OidcFlow;
  readonly idp?: IdpClient;
  /** Longest an introspection answer is reused, capped further by the token's exp. */
  readonly introspectionCacheMaxMs: number;
  readonly onCache?: (policy: string, cache: 'jwt' | 'introspection', hit: boolean) => void;
}
