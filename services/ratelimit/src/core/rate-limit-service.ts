// ShouldRateLimit, transport-free: match every descriptor, drop replaced and unlimited rules,
// answer hot over-limit keys from the local cache, ask the counter store once for the rest, then
// build statuses, overall code, shadow-mode overrides and RateLimit-* headers.
import type { RateLimitRule } from './config-types.js';
import type { CounterCheck, CounterResult, CounterStore } from './counter-store.js';
import type { MatchedLimit } from './descriptor-matcher.js';
import { fixedWindowOutcome, secondsUntilReset, windowStart } from './fixed-window.js';
import type { OverLimitCache } from './over-limit-cache.js';
import type { Code, DescriptorAnswer, RateLimitAnswer } from './rate-limit-answer.js';
import type { RateLimitConfig } from './rate-limit-config.js';
import type { RateLimitMetrics, RuleCounts } from './rate-limit-metrics.js';
import { applyCostEntries } from './descriptor-cost.js';
import { defaultRequestLimits, hitsFor, validateRequest, type CheckRequest, type RequestLimits } from './rate-limit-request.js';
import { unitEnumName } from './units.js';

const UINT32_MAX = 4_294_967_295;

export type FailureMode = 'allow' | 'deny';

export interface ResponseHeaderNames {
  readonly limit: string;
  readonly remaining: string;
  readonly reset: string;
}

export interface RateLimitServiceOptions {
  /** Prepended to every Redis key (reference CACHE_KEY_PREFIX). Default "". */
  readonly keyPrefix: string;
  /** Share of the limit above which hits count as near_limit (reference NEAR_LIMIT_RATIO). Default 0.8. */
  readonly nearLimitRatio: number;
  /** Random extra expiry added to fixed-window keys (reference EXPIRATION_JITTER_MAX_SECONDS). */
  readonly expirationJitterMaxSeconds: number;
  /** Global shadow mode: always answer OK overall (reference SHADOW_MODE). */
  readonly globalShadowMode: boolean;
  /** What to answer when the counter store fails or times out. */
  readonly failureMode: FailureMode;
  /** RateLimit-* response headers (reference LIMIT_RESPONSE_HEADERS_ENABLED); undefined disables. */
  readonly responseHeaders: ResponseHeaderNames | undefined;
  /** Bounds on one request (hits_addend, descriptor counts and sizes); beyond them INVALID_ARGUMENT. */
  readonly requestLimits: RequestLimits;
}

export const defaultServiceOptions: RateLimitServiceOptions = {
  keyPrefix: '',
  nearLimitRatio: 0.8,
  expirationJitterMaxSeconds: 0,
  globalShadowMode: false,
  failureMode: 'allow',
  responseHeaders: undefined,
  requestLimits: defaultRequestLimits,
};

export interface RateLimitServiceDeps {
  readonly config: () => RateLimitConfig;
  readonly store: CounterStore;
  readonly overLimitCache: OverLimitCache;
  readonly metrics: RateLimitMetrics;
  readonly nowMs: () => number;
  /** In [0, 1); only used for expiry jitter. */
  readonly random: () => number;
}

/** A status plus whether its rule is in quota mode (which blocks only together with all others). */
interface RuleStatus {
  readonly answer: DescriptorAnswer;
  readonly quotaMode: boolean;
}

const NO_LIMIT: RuleStatus = { answer: { code: 'OK', limitRemaining: 0 }, quotaMode: false };
const UNLIMITED: RuleStatus = { answer: { code: 'OK', limitRemaining: UINT32_MAX }, quotaMode: false };

interface PendingLimit {
  readonly index: number;
  readonly matched: MatchedLimit;
  readonly hits: number;
  readonly check: CounterCheck;
  /** Key of the local over-limit cache. */
  readonly cacheKey: string;
}

export class RateLimitService {
  private readonly options: RateLimitServiceOptions;

  constructor(
    private readonly deps: RateLimitServiceDeps,
    options: Partial<RateLimitServiceOptions> = {},
  ) {
    this.options = { ...defaultServiceOptions, ...options };
  }

  /** @throws RateLimitRequestError for an empty domain or descriptor list, or a request beyond the request limits (nothing is counted). */
  async shouldRateLimit(received: CheckRequest): Promise<RateLimitAnswer> {
    const request = applyCostEntries(received, this.options.requestLimits.maxHitsAddend);
    validateRequest(request, this.options.requestLimits);
    const nowMs = this.deps.nowMs();
    const nowSeconds = Math.floor(nowMs / 1000);
    const statuses: RuleStatus[] = new Array<RuleStatus>(request.descriptors.length);
    const matcher = this.deps.config().matcher(request.domain);
    if (!matcher) this.deps.metrics.domainNotFound(request.domain);

    // 1. Match, then apply `replaces` across the whole request like the reference.
    const matches: Array<MatchedLimit | undefined> = request.descriptors.map((d) => matcher?.match(d));
    let replaced: Set<string> | undefined;
    for (const m of matches) {
      if (m && !m.rule.unlimited && m.rule.replaces.length > 0) for (const name of m.rule.replaces) (replaced ??= new Set()).add(name);
    }

    // 2. Answer what needs no counter; collect the rest.
    const pending: PendingLimit[] = [];
    for (let i = 0; i < matches.length; i++) {
      const matched = matches[i];
      if (!matched || (replaced !== undefined && matched.rule.name !== undefined && replaced.has(matched.rule.name))) {
        statuses[i] = NO_LIMIT;
        continue;
      }
      const hits = hitsFor(request, request.descriptors[i]!);
      if (matched.rule.unlimited) {
        // No counter, but counted in the stats: unlimited rules exist to observe traffic.
        const counts = emptyCounts(hits);
        counts.withinLimit = hits;
        this.deps.metrics.rule(matched.metricKey, counts);
        statuses[i] = UNLIMITED;
        continue;
      }
      const check = this.counterCheck(matched, hits, nowSeconds);
      const cacheKey = check.key;
      if (this.deps.overLimitCache.isOverLimit(cacheKey, nowMs)) {
        const counts = emptyCounts(hits);
        counts.overLimit = hits;
        counts.overLimitWithLocalCache = hits;
        statuses[i] = this.finish(matched.rule, counts, true, 0, resetSecondsFor(matched.rule, nowSeconds));
        this.deps.metrics.rule(matched.metricKey, counts);
        continue;
      }
      pending.push({ index: i, matched, hits, check, cacheKey });
    }

    // 3. One store call for everything left (one Redis round trip).
    if (pending.length > 0) {
      let results: CounterResult[] | undefined;
      try {
        results = await this.deps.store.check(pending.map((p) => p.check));
      } catch {
        this.deps.metrics.backendError();
      }
      for (let j = 0; j < pending.length; j++) {
        const p = pending[j]!;
        const result = results?.[j];
        statuses[p.index] = result ? this.decide(p, result, nowMs, nowSeconds) : this.failed(p.matched, nowSeconds);
      }
    }

    return this.answer(statuses);
  }

  private counterCheck(matched: MatchedLimit, hits: number, nowSeconds: number): CounterCheck {
    const rule = matched.rule;
    const prefix = this.options.keyPrefix;
    let key: string;
    let expireSeconds = rule.windowSeconds;
    if (rule.algorithm === 'fixed_window') {
      key = `${prefix}${matched.cacheKeyBase}${windowStart(nowSeconds, rule.windowSeconds)}`;
      const jitterMax = this.options.expirationJitterMaxSeconds;
      if (jitterMax > 0) expireSeconds += Math.floor(this.deps.random() * jitterMax);
    } else {
      // Not the reference layout (it has no such algorithms); a distinct, hash-tagged key so
      // cluster mode keeps each counter's Lua script on one slot.
      const tag = rule.algorithm === 'gcra' ? 'gcra' : 'sw';
      key = `${prefix}${tag}:{${matched.cacheKeyBase}${rule.windowSeconds}}`;
    }
    return {
      algorithm: rule.algorithm,
      key,
      hits,
      limit: rule.requestsPerUnit,
      windowSeconds: rule.windowSeconds,
      expireSeconds,
      burst: rule.burst,
    };
  }

  private decide(p: PendingLimit, result: CounterResult, nowMs: number, nowSeconds: number): RuleStatus {
    const rule = p.matched.rule;
    const counts = emptyCounts(p.hits);
    let over: boolean;
    let remaining: number;
    let resetSeconds: number;
    let overUntilMs: number;
    if (result.algorithm === 'fixed_window') {
      const outcome = fixedWindowOutcome(rule.requestsPerUnit, result.after, p.hits, this.options.nearLimitRatio);
      over = outcome.overLimit;
      remaining = outcome.remaining;
      Object.assign(counts, outcome.counts);
      resetSeconds = secondsUntilReset(nowSeconds, rule.windowSeconds);
      overUntilMs = (windowStart(nowSeconds, rule.windowSeconds) + rule.windowSeconds) * 1000;
    } else {
      over = !result.allowed;
      remaining = result.remaining;
      resetSeconds = Math.ceil(result.resetMs / 1000);
      overUntilMs = nowMs + result.resetMs;
      if (over) counts.overLimit = p.hits;
      else {
        counts.withinLimit = p.hits;
        if (remaining < rule.requestsPerUnit - Math.floor(rule.requestsPerUnit * this.options.nearLimitRatio)) counts.nearLimit = p.hits;
      }
    }
    // A shadowed key must keep being counted in Redis, so it never enters the local cache.
    if (over && !rule.shadowMode && !this.options.globalShadowMode && p.hits > 0) {
      this.deps.overLimitCache.markOverLimit(p.cacheKey, overUntilMs);
    }
    const status = this.finish(rule, counts, over, remaining, resetSeconds);
    this.deps.metrics.rule(p.matched.metricKey, counts);
    return status;
  }

  private failed(matched: MatchedLimit, nowSeconds: number): RuleStatus {
    if (this.options.failureMode === 'allow') return NO_LIMIT;
    return this.status('OVER_LIMIT', matched.rule, 0, resetSecondsFor(matched.rule, nowSeconds));
  }

  /** Applies per-rule shadow mode (status flips to OK, counted) and builds the status. */
  private finish(rule: RateLimitRule, counts: RuleCounts, over: boolean, remaining: number, resetSeconds: number): RuleStatus {
    let code: Code = over ? 'OVER_LIMIT' : 'OK';
    if (over && rule.shadowMode) {
      code = 'OK';
      counts.shadowMode = counts.totalHits;
    }
    return this.status(code, rule, remaining, resetSeconds);
  }

  private status(code: Code, rule: RateLimitRule, remaining: number, resetSeconds: number): RuleStatus {
    return {
      answer: {
        code,
        currentLimit: { name: rule.name, requestsPerUnit: rule.requestsPerUnit, unit: unitEnumName(rule.unit!) },
        limitRemaining: remaining,
        durationUntilResetSeconds: resetSeconds,
      },
      quotaMode: rule.quotaMode,
    };
  }

  /**
   * The overall code is OVER_LIMIT when a rule in normal mode is over its limit, or when every
   * quota_mode rule of the request is (the reference's quota mode: one exhausted quota among
   * several only shows in the metadata, so Envoy can route to a backend with quota left).
   */
  private answer(statuses: readonly RuleStatus[]): RateLimitAnswer {
    let overall: Code = 'OK';
    let quotaRules = 0;
    const quotaViolations: number[] = [];
    // The headers describe the descriptor closest to its limit, or the (last) one that blocks.
    let closest: DescriptorAnswer | undefined;
    for (let i = 0; i < statuses.length; i++) {
      const { answer, quotaMode } = statuses[i]!;
      const over = answer.code === 'OVER_LIMIT';
      if (quotaMode) {
        quotaRules++;
        if (over) quotaViolations.push(i);
      }
      if (over && !quotaMode) {
        overall = 'OVER_LIMIT';
        closest = answer;
      } else if (overall === 'OK' && answer.currentLimit && (!closest || answer.limitRemaining < closest.limitRemaining)) {
        closest = answer;
      }
    }
    if (quotaRules > 0 && quotaViolations.length === quotaRules) overall = 'OVER_LIMIT';
    if (overall === 'OVER_LIMIT' && this.options.globalShadowMode) {
      overall = 'OK';
      this.deps.metrics.globalShadowMode();
    }
    const names = this.options.responseHeaders;
    const responseHeaders =
      names && closest?.currentLimit
        ? [
            { key: names.limit, value: String(closest.currentLimit.requestsPerUnit) },
            { key: names.remaining, value: String(closest.limitRemaining) },
            { key: names.reset, value: String(closest.durationUntilResetSeconds ?? 0) },
          ]
        : [];
    return {
      overallCode: overall,
      statuses: statuses.map((s) => s.answer),
      responseHeaders,
      dynamicMetadata: quotaRules > 0 ? { quotaModeEnabled: true, quotaModeViolations: quotaViolations } : undefined,
    };
  }
}

function emptyCounts(hits: number): RuleCounts {
  return { totalHits: hits, overLimit: 0, nearLimit: 0, withinLimit: 0, shadowMode: 0, overLimitWithLocalCache: 0 };
}

function resetSecondsFor(rule: RateLimitRule, nowSeconds: number): number {
  return secondsUntilReset(nowSeconds, rule.windowSeconds);
}
