// What a service does with something from Redis that is not sealed by the control key (forged, edited,
// moved or unsigned): refuse it (the caller keeps the last good version), count it in
// gatehouse_redis_untrusted_total{source}, and log it once per channel/key and reason, so an attacker
// who keeps writing cannot flood the log.
import { SealedEnvelopeError } from '@gatehouse/contracts';
import type { Meter } from '@opentelemetry/api';
import type { Logger } from '../logging/logger.js';

const MAX_REMEMBERED = 1000;

export interface UntrustedData {
  /**
   * Records `err` if it is a refused envelope (SealedEnvelopeError). `source` is a small fixed set
   * (the metric label: "authz-policies", "session", ...), `ref` the channel or key.
   * @returns whether it was one (otherwise the caller handles `err` as before)
   */
  report(source: string, ref: string, err: unknown): boolean;
}

export function untrustedData(meter: Meter, logger: Logger): UntrustedData {
  const counter = meter.createCounter('gatehouse_redis_untrusted_total', {
    description: 'entries read from Redis and refused because they were not sealed by the control key (forged, edited, moved or unsigned)',
  });
  const logged = new Set<string>();
  return {
    report(source, ref, err) {
      if (!(err instanceof SealedEnvelopeError)) return false;
      counter.add(1, { source });
      const once = `${source}\n${ref}\n${err.code}`;
      if (!logged.has(once)) {
        if (logged.size >= MAX_REMEMBERED) logged.clear();
        logged.add(once);
        logger.warn({ code: err.code, source, ref, err: err.message }, 'untrusted data in Redis refused (not sealed by the control key); the last good version keeps serving');
      }
      return true;
    },
  };
}
