// Per-policy metrics through the OpenTelemetry API (the kit registers the provider and /metrics);
// without a provider these are no-ops.
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';

export interface AuthzMetrics {
  checked(policy: string, outcome: 'allowed' | 'denied', reason: string, seconds: number): void;
  error(policy: string, code: string): void;
  jwksFetch(outcome: 'ok' | 'error', uri?: string): void;
  cache(cache: 'jwt' | 'introspection', hit: boolean): void;
  configReload(outcome: 'ok' | 'rejected'): void;
}

export function createAuthzMetrics(meter: Meter = metrics.getMeter('@gatehouse/authz')): AuthzMetrics {
  const checks = meter.createCounter('gatehouse_authz_checks_total', { description: 'Check calls by policy, outcome and reason' });
  const errors = meter.createCounter('gatehouse_authz_errors_total', { description: 'Internal errors and dependency outages (each denied)' });
  const jwks = meter.createCounter('gatehouse_authz_jwks_fetches_total', { description: 'Remote JWKS fetches by outcome' });
  const cache = meter.createCounter('gatehouse_authz_cache_lookups_total', { description: 'Verdict cache lookups by cache and result' });
  const reloads = meter.createCounter('gatehouse_authz_config_reloads_total', { description: 'Policy reloads by outcome' });
  const latency = meter.createHistogram('gatehouse_authz_check_duration_seconds', {
    description: 'Check latency by policy',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
  });
  return {
    checked(policy, outcome, reason, seconds) {
      const attributes: Attributes = { policy, outcome, reason };
      checks.add(1, attributes);
      latency.record(seconds, { policy });
    },
    error: (policy, code) => errors.add(1, { policy, code }),
    jwksFetch: (outcome, uri) => jwks.add(1, uri ? { outcome, uri } : { outcome }),
    cache: (name, hit) => cache.add(1, { cache: name, result: hit ? 'hit' : 'miss' }),
    configReload: (outcome) => reloads.add(1, { outcome }),
  };
}
