// Which served policies need a geo database this replica has not loaded, said where an operator looks:
// GET /status (`geoip`: the loaded files and the gaps), the gauge
// gatehouse_authz_geoip_missing_databases{policy,database} (1 per gap), and one warning per new gap in
// the log. xds cannot know this replica's files, so this is where the gap shows; the requests such a
// rule cannot decide are denied 503 GH_AUTHZ_GEOIP_UNAVAILABLE meanwhile.
import type { Logger } from '@gatehouse/kit';
import type { Meter } from '@opentelemetry/api';
import { databasesNeeded, missingDatabases, type GeoDatabase } from '../core/decide/geo.js';
import type { PolicySet } from '../core/policy/policy-set.js';
import type { GeoIpDatabases } from './geoip-databases.js';

export interface GeoIpGap {
  readonly policy: string;
  readonly needs: readonly GeoDatabase[];
  readonly missing: readonly GeoDatabase[];
}

export interface GeoIpReport {
  /** Logs the gaps that are new since the last call (after each policy update and database load). */
  check(): void;
  status(): { loaded: GeoIpDatabases['loaded']; policies: GeoIpGap[] };
}

export function createGeoIpReport(options: { meter: Meter; logger: Logger; databases: GeoIpDatabases; policies: () => PolicySet; variables: Readonly<Record<GeoDatabase, string>> }): GeoIpReport {
  const { meter, logger, databases, policies, variables } = options;
  const gaps = (): GeoIpGap[] =>
    [...policies().policies.values()].flatMap((policy) => {
      const needs = databasesNeeded(policy.authorization?.rules ?? []);
      return needs.length === 0 ? [] : [{ policy: policy.key, needs, missing: missingDatabases(needs, databases.available) }];
    });
  meter
    .createObservableGauge('gatehouse_authz_geoip_missing_databases', { description: 'Geo databases a served policy needs and this replica has not loaded (1 per policy and database)' })
    .addCallback((result) => {
      for (const gap of gaps()) for (const database of gap.missing) result.observe(1, { policy: gap.policy, database });
    });
  let reported = new Set<string>();
  return {
    check() {
      const now = new Set<string>();
      for (const gap of gaps()) {
        for (const database of gap.missing) {
          const key = `${gap.policy} ${database}`;
          now.add(key);
          if (!reported.has(key)) logger.warn({ policy: gap.policy, database, variable: variables[database] }, `SecurityPolicy ${gap.policy}: its clientIPGeoLocations rules need the ${database} database and ${variables[database]} is not set; requests those rules cannot decide are denied (503 GH_AUTHZ_GEOIP_UNAVAILABLE)`);
        }
      }
      reported = now;
    },
    status: () => ({ loaded: databases.loaded, policies: gaps() }),
  };
}
