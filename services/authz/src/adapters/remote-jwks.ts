// A remote JWKS with the behaviour the service promises: cached for cacheDuration, refreshed in the
// background when stale, one refetch per cooldown for an unknown kid, stale keys served while the
// endpoint is down (bounded by maxStaleMs), and concurrent misses sharing one fetch.
import type { JWK } from 'jose';
import { checkPublicJwk } from '../core/policy/compile-jwt.js';
import { AuthzError, ErrorCodes } from '../errors.js';
import { selectKeys, type KeySource } from '../core/authenticate/select-keys.js';
import type { ServiceRetrySpec, WeightedBackend } from '../core/policy/policy-model.js';
import type { FetchedText } from './fetch-via-backend.js';
import { fetchTextViaBackends } from './fetch-via-backends.js';
import { withRetries } from './retrying-fetch.js';

export interface RemoteJwksOptions {
  readonly uri: string;
  /** How long a fetched key set is fresh. Default 5 min. */
  readonly cacheDurationMs?: number;
  /** Minimum time between refetches caused by unknown kids, and between retries after a failure. Default 10 s. */
  readonly cooldownMs?: number;
  /** How long past freshness the last good keys keep working while the endpoint fails. Default 24 h. */
  readonly maxStaleMs?: number;
  /** Per-fetch timeout. Default 5 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Called after each fetch attempt, for metrics. */
  readonly onFetch?: (outcome: 'ok' | 'error') => void;
  /** remoteJWKS backendRefs: connect to these Backends (weights, fallbacks) instead of the URI's host. */
  readonly backends?: readonly WeightedBackend[];
  /** remoteJWKS backendSettings.retry: a failed fetch is retried within the attempt (retrying-fetch.ts). */
  readonly retry?: ServiceRetrySpec;
}

const MAX_JWKS_BYTES = 512 * 1024;

export class RemoteJwks implements KeySource {
  readonly #uri: string;
  readonly #cacheDurationMs: number;
  readonly #cooldownMs: number;
  readonly #maxStaleMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #onFetch: (outcome: 'ok' | 'error') => void;
  readonly #backends: readonly WeightedBackend[] | undefined;
  readonly #retry: ServiceRetrySpec | undefined;
  #keys: readonly JWK[] | undefined;
  #fetchedAt = 0;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastUnknownKidRefetchAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<readonly JWK[]> | undefined;

  constructor(options: RemoteJwksOptions) {
    this.#uri = options.uri;
    this.#cacheDurationMs = options.cacheDurationMs ?? 300_000;
    this.#cooldownMs = options.cooldownMs ?? 10_000;
    this.#maxStaleMs = options.maxStaleMs ?? 24 * 3_600_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    this.#onFetch = options.onFetch ?? (() => {});
    this.#backends = options.backends;
    this.#retry = options.retry;
  }

  async candidates(kid: string | undefined, alg: string): Promise<readonly JWK[]> {
    const keys = await this.#currentKeys();
    const matches = selectKeys(keys, kid, alg);
    if (matches.length > 0 || kid === undefined) return matches;
    // An unknown kid may mean the IdP rotated keys: refetch, but at most once per cooldown so that
    // tokens with made-up kids cannot turn the service into a JWKS request amplifier.
    const now = this.#now();
    if (now - this.#lastUnknownKidRefetchAt < this.#cooldownMs) return [];
    this.#lastUnknownKidRefetchAt = now;
    try {
      return selectKeys(await this.#refresh(), kid, alg);
    } catch {
      return [];
    }
  }

  async #currentKeys(): Promise<readonly JWK[]> {
    const now = this.#now();
    if (this.#keys === undefined) {
      try {
        return await this.#refresh();
      } catch (err) {
        throw new AuthzError(ErrorCodes.jwksUnavailable, err instanceof Error ? err.message : String(err));
      }
    }
    const age = now - this.#fetchedAt;
    if (age >= this.#cacheDurationMs && now - this.#lastAttemptAt >= this.#cooldownMs) {
      // Stale-while-revalidate: requests keep using the keys they have while one refresh runs.
      this.#refresh().catch(() => {});
    }
    if (age >= this.#cacheDurationMs + this.#maxStaleMs) throw new AuthzError(ErrorCodes.jwksUnavailable, 'cached keys are too old and the endpoint is failing');
    return this.#keys;
  }

  #refresh(): Promise<readonly JWK[]> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<readonly JWK[]> {
    this.#lastAttemptAt = this.#now();
    try {
      const { status, text } = await this.#get();
      if (status < 200 || status > 299) throw new Error(`JWKS ${this.#uri} answered ${status}`);
      if (text.length > MAX_JWKS_BYTES) throw new Error(`JWKS ${this.#uri} is larger than ${MAX_JWKS_BYTES} bytes`);
      const body = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error(`JWKS ${this.#uri} has no "keys" array`);
      // Unusable entries (symmetric or private keys) are skipped, never trusted.
      const keys = (body.keys as JWK[]).filter((k) => k !== null && typeof k === 'object' && checkPublicJwk(k) === undefined);
      this.#keys = keys;
      this.#fetchedAt = this.#now();
      this.#onFetch('ok');
      return keys;
    } catch (err) {
      this.#onFetch('error');
      throw err;
    }
  }

  #get(): Promise<FetchedText> {
    return withRetries(() => this.#getOnce(), this.#retry);
  }

  async #getOnce(): Promise<FetchedText> {
    const headers = { accept: 'application/json' };
    if (this.#backends) return fetchTextViaBackends(this.#uri, this.#backends, { timeoutMs: this.#timeoutMs, maxBytes: MAX_JWKS_BYTES + 1, headers });
    const response = await fetch(this.#uri, { signal: AbortSignal.timeout(this.#timeoutMs), headers, redirect: 'error' });
    return { status: response.status, text: await response.text() };
  }
}

/** A JWKS from configuration: no I/O, no refetch. */
export class LocalJwks implements KeySource {
  constructor(readonly keys: readonly JWK[]) {}
  async candidates(kid: string | undefined, alg: string): Promise<readonly JWK[]> {
    return selectKeys(this.keys, kid, alg);
  }
}
