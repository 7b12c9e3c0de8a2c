// Per-policy metrics through the OpenTelemetry API (the kit registers the provider and /metrics);
// without a provider these are no-ops. The two counters touched on every check accumulate in Maps
// and are read at collection time through observable counters: a check then costs Map lookups, not
// attribute hashing per add. Label sets stay bounded: policies are config, reasons are error codes.
import { metrics, type Meter } from '@opentelemetry/api';

export interface AuthzMetrics {
  checked(policy: string, outcome: 'allowed' | 'denied', reason: string, seconds: number): void;
  error(policy: string, code: string): void;
  jwksFetch(outcome: 'ok' | 'error', uri?: string): void;
  cache(policy: string, cache: 'jwt' | 'introspection', hit: boolean): void;
  configReload(outcome: 'ok' | 'rejected'): void;
}

// Prebuilt "cache result" keys: no string built per lookup.
const CACHE_LOOKUP_KEYS = { jwt: ['jwt miss', 'jwt hit'], introspection: ['introspection miss', 'introspection hit'] } as const;

export function createAuthzMetrics(meter: Meter = metrics.getMeter('@gatehouse/authz')): AuthzMetrics {
  const checks = meter.createObservableCounter('gatehouse_authz_checks_total', { description: 'Check calls by policy, outcome and reason' });
  const errors = meter.createCounter('gatehouse_authz_errors_total', { description: 'Internal errors and dependency outages (each denied)' });
  const jwks = meter.createCounter('gatehouse_authz_jwks_fetches_total', { description: 'Remote JWKS fetches by outcome' });
  const cache = meter.createObservableCounter('gatehouse_authz_cache_lookups_total', { description: 'Verdict cache lookups by policy, cache and result' });
  const reloads = meter.createCounter('gatehouse_authz_config_reloads_total', { description: 'Policy reloads by outcome' });
  const latency = meter.createHistogram('gatehouse_authz_check_duration_seconds', {
    description: 'Check latency by policy',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
  });
  const checkCounts = new PolicyCounts(); // "outcome reason"
  const cacheCounts = new PolicyCounts(); // "cache result"
  const latencyAttributes = new Map<string, { policy: string }>();
  meter.addBatchObservableCallback(
    (result) => {
      checkCounts.forEach((policy, outcome, reason, count) => result.observe(checks, count, { policy, outcome, reason }));
      cacheCounts.forEach((policy, name, hit, count) => result.observe(cache, count, { policy, cache: name, result: hit }));
    },
    [checks, cache],
  );
  return {
    checked(policy, outcome, reason, seconds) {
      checkCounts.add(policy, `${outcome} ${reason}`);
      let attributes = latencyAttributes.get(policy);
      if (!attributes) latencyAttributes.set(policy, (attributes = { policy }));
      latency.record(seconds, attributes);
    },
    error: (policy, code) => errors.add(1, { policy, code }),
    jwksFetch: (outcome, uri) => jwks.add(1, uri ? { outcome, uri } : { outcome }),
    cache: (policy, name, hit) => cacheCounts.add(policy, CACHE_LOOKUP_KEYS[name][hit ? 1 : 0]),
    configReload: (outcome) => reloads.add(1, { outcome }),
  };
}

/** Counts per policy and a two-label key ("first second", labels without spaces), folded in at collection time. */
class PolicyCounts {
  readonly #byPolicy = new Map<string, Map<string, number>>();

  add(policy: string, key: string): void {
    let counts = this.#byPolicy.get(policy);
    if (!counts) this.#byPolicy.set(policy, (counts = new Map()));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }

  forEach(visit: (policy: string, first: string, second: string, count: number) => void): void {
    for (const [policy, counts] of this.#byPolicy) {
      for (const [key, count] of counts) {
        const space = key.indexOf(' ');
        visit(policy, key.slice(0, space), key.slice(space + 1), count);
      }
    }
  }
}
