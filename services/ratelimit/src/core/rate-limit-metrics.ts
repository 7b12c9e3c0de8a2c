// What the decision logic reports; the metrics adapter maps it to Prometheus series. Rule labels
// are config paths, so cardinality is bounded by the config unless detailed_metric/value_to_metric
// opt in to request values.
export interface RuleCounts {
  totalHits: number;
  overLimit: number;
  nearLimit: number;
  withinLimit: number;
  shadowMode: number;
  overLimitWithLocalCache: number;
}

export interface RateLimitMetrics {
  rule(metricKey: string, counts: RuleCounts): void;
  domainNotFound(domain: string): void;
  backendError(): void;
  globalShadowMode(): void;
}
