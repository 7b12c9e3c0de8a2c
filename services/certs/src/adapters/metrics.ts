// OpenTelemetry instruments of the certs service (the kit's meter; it serves them on /metrics).
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';

export interface CertsMetrics {
  orderFinished(outcome: 'issued' | 'renewed' | 'failed' | 'rate_limited', ca: string): void;
  acmeRequest(durationMs: number, attributes: { ca: string; method: string; status: number }): void;
  rateLimitHit(ca: string): void;
  /** An ACME request waited for a slot of the call limiter. */
  acmeCallSlot(waitedMs: number, ca: string): void;
  /** Called on collection: returns seconds until expiry per certificate. */
  observeExpiry(source: () => Iterable<{ certificate: string; secondsUntilExpiry: number }>): void;
}

export function createCertsMetrics(meter: Meter = metrics.getMeter('gatehouse-certs')): CertsMetrics {
  const orders = meter.createCounter('gatehouse_certs_orders_total', { description: 'ACME orders by outcome' });
  const latency = meter.createHistogram('gatehouse_certs_acme_request_duration_seconds', {
    description: 'ACME HTTP request latency',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
  });
  const rateLimits = meter.createCounter('gatehouse_certs_acme_rate_limited_total', { description: 'ACME responses that said rateLimited / HTTP 429' });
  const callDelays = meter.createHistogram('gatehouse_certs_acme_call_delay_seconds', {
    description: 'Time each ACME request waited for a slot of its CA + account call limit (le="0": not held back)',
    unit: 's',
    advice: { explicitBucketBoundaries: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] },
  });
  const expiry = meter.createObservableGauge('gatehouse_certs_seconds_until_expiry', { description: 'Seconds until the current certificate expires', unit: 's' });
  return {
    orderFinished: (outcome, ca) => orders.add(1, { outcome, ca }),
    acmeRequest: (durationMs, attributes) => latency.record(durationMs / 1000, attributes as Attributes),
    rateLimitHit: (ca) => rateLimits.add(1, { ca }),
    acmeCallSlot: (waitedMs, ca) => callDelays.record(waitedMs / 1000, { ca }),
    observeExpiry: (source) => {
      expiry.addCallback((result) => {
        for (const { certificate, secondsUntilExpiry } of source()) result.observe(secondsUntilExpiry, { certificate });
      });
    },
  };
}
