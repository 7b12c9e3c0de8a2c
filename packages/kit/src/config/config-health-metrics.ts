// Two metrics every service exposes about its config intake, so one dashboard panel covers all four:
// how many resources serve an older version than their input says, and how many new versions were refused.
import type { Meter } from '@opentelemetry/api';
import type { LastGood } from './last-good.js';

export interface ConfigHealthMetrics {
  /** Call after each LastGood.update(); `kindOf` labels keys (default: the text before the first space). */
  observe(lastGood: LastGood<unknown>): void;
}

const defaultKindOf = (key: string): string => (key.includes(' ') ? key.slice(0, key.indexOf(' ')) : 'resource');

export function configHealthMetrics(meter: Meter, kindOf: (key: string) => string = defaultKindOf): ConfigHealthMetrics {
  let staleByKind = new Map<string, number>();
  const refused = meter.createCounter('gatehouse_config_refused_total', {
    description: 'new versions of config resources refused as invalid (each version once), by kind',
  });
  meter
    .createObservableGauge('gatehouse_config_stale_resources', {
      description: 'resources serving their last good version because the newest one is invalid, by kind',
    })
    .addCallback((result) => {
      for (const [kind, count] of staleByKind) result.observe(count, { kind });
    });
  return {
    observe(lastGood) {
      for (const r of lastGood.takeNewlyRefused()) refused.add(1, { kind: kindOf(r.key) });
      const next = new Map<string, number>();
      // Kinds that recovered report 0 rather than vanishing, so a graph shows the recovery.
      for (const kind of staleByKind.keys()) next.set(kind, 0);
      for (const e of lastGood.current?.stale ?? []) next.set(kindOf(e.key), (next.get(kindOf(e.key)) ?? 0) + 1);
      staleByKind = next;
    },
  };
}
