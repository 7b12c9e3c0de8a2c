// The reference's stats as OpenTelemetry instruments (exported as Prometheus by the kit).
// Per-rule counts accumulate in a Map on the hot path and are read at collection time through
// observable counters, so a check costs a Map lookup, not six attribute-hashing counter adds.
// Rule labels are config paths; request values appear only where detailed_metric/value_to_metric
// opt in. Unknown-domain labels are capped.
import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import type { RateLimitMetrics, RuleCounts } from '../core/rate-limit-metrics.js';

const RULE_COUNTERS: ReadonlyArray<[keyof RuleCounts, string, string]> = [
  ['totalHits', 'ratelimit_total_hits', 'hits matched to the rule'],
  ['overLimit', 'ratelimit_over_limit', 'hits over the limit'],
  ['nearLimit', 'ratelimit_near_limit', 'hits above NEAR_LIMIT_RATIO of the limit'],
  ['withinLimit', 'ratelimit_within_limit', 'hits within the limit'],
  ['shadowMode', 'ratelimit_shadow_mode', 'over-limit hits let through by shadow_mode'],
  ['overLimitWithLocalCache', 'ratelimit_over_limit_with_local_cache', 'over-limit hits answered from the local cache'],
];

export interface OtelRateLimitMetricsOptions {
  /** Distinct domain labels kept for domain_not_found; later ones are counted as "other". Default 100. */
  readonly maxDomainLabels?: number;
}

export class OtelRateLimitMetrics implements RateLimitMetrics {
  private readonly rules = new Map<string, RuleCounts>();
  private readonly notFound = new Map<string, number>();
  private backendErrors = 0;
  private globalShadow = 0;
  private readonly configLoads = new Map<string, { success: number; error: number }>();
  private readonly duration: Histogram;
  private readonly maxDomainLabels: number;

  constructor(meter: Meter, options: OtelRateLimitMetricsOptions = {}) {
    this.maxDomainLabels = options.maxDomainLabels ?? 100;
    const ruleCounters = RULE_COUNTERS.map(([field, name, description]) => [field, meter.createObservableCounter(name, { description })] as const);
    const notFound = meter.createObservableCounter('ratelimit_domain_not_found', { description: 'requests for a domain with no config (answered OK)' });
    const redisError = meter.createObservableCounter('ratelimit_redis_error', { description: 'checks where Redis failed or timed out (failure mode applied)' });
    const globalShadow = meter.createObservableCounter('ratelimit_global_shadow_mode', { description: 'OVER_LIMIT answers turned OK by SHADOW_MODE' });
    const loadSuccess = meter.createObservableCounter('ratelimit_config_load_success', { description: 'config deliveries without a problem' });
    const loadError = meter.createObservableCounter('ratelimit_config_load_error', { description: 'config deliveries with a problem (an invalid domain keeps its last good version, or is not served if it never was valid)' });
    meter.addBatchObservableCallback(
      (result) => {
        for (const [rule, counts] of this.rules) {
          const attributes: Attributes = { rule, domain: rule.slice(0, rule.indexOf('.')) };
          for (const [field, counter] of ruleCounters) result.observe(counter, counts[field], attributes);
        }
        for (const [domain, count] of this.notFound) result.observe(notFound, count, { domain });
        result.observe(redisError, this.backendErrors);
        result.observe(globalShadow, this.globalShadow);
        for (const [source, counts] of this.configLoads) {
          result.observe(loadSuccess, counts.success, { source });
          result.observe(loadError, counts.error, { source });
        }
      },
      [...ruleCounters.map(([, c]) => c), notFound, redisError, globalShadow, loadSuccess, loadError],
    );
    this.duration = meter.createHistogram('ratelimit_should_rate_limit_duration_seconds', {
      description: 'time to answer ShouldRateLimit',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5] },
    });
  }

  rule(metricKey: string, counts: RuleCounts): void {
    let sum = this.rules.get(metricKey);
    if (!sum) {
      sum = { totalHits: 0, overLimit: 0, nearLimit: 0, withinLimit: 0, shadowMode: 0, overLimitWithLocalCache: 0 };
      this.rules.set(metricKey, sum);
    }
    sum.totalHits += counts.totalHits;
    sum.overLimit += counts.overLimit;
    sum.nearLimit += counts.nearLimit;
    sum.withinLimit += counts.withinLimit;
    sum.shadowMode += counts.shadowMode;
    sum.overLimitWithLocalCache += counts.overLimitWithLocalCache;
  }

  domainNotFound(domain: string): void {
    const label = this.notFound.has(domain) || this.notFound.size < this.maxDomainLabels ? domain : 'other';
    this.notFound.set(label, (this.notFound.get(label) ?? 0) + 1);
  }

  backendError(): void {
    this.backendErrors++;
  }

  globalShadowMode(): void {
    this.globalShadow++;
  }

  configLoad(source: string, ok: boolean): void {
    const counts = this.configLoads.get(source) ?? { success: 0, error: 0 };
    if (ok) counts.success++;
    else counts.error++;
    this.configLoads.set(source, counts);
  }

  observeDuration(seconds: number, transport: 'grpc' | 'json'): void {
    this.duration.record(seconds, { transport });
  }
}
