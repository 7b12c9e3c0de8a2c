// GET /status on the admin port: the enforced policies and, per source, the policies served (and
// whether an older generation serves because the newest one was refused), the policies refused, and
// every config problem as one "file:line: SecurityPolicy ns/name: /path: CODE: message" line; and the
// geo databases loaded and the policies that need one this replica lacks (adapters/geoip-report).
import type { ServiceContext } from '@gatehouse/kit';
import { formatConfigIssue } from '@gatehouse/schemas';
import type { ConfigIssue } from '../core/load-policies.js';
import type { PolicySourceName, PolicySourceUpdate } from '../core/policy-sources.js';
import type { PolicySet } from '../core/policy/policy-set.js';

export interface SourceStatus {
  readonly version: string;
  readonly update: PolicySourceUpdate;
  readonly issues: readonly ConfigIssue[];
}

export interface PolicyStatus {
  readonly enforced: PolicySet;
  readonly sources: ReadonlyMap<PolicySourceName, SourceStatus>;
  readonly geoip?: unknown;
}

export function addStatusRoute(admin: ServiceContext<unknown>['admin'], status: () => PolicyStatus): void {
  admin.get('/status', async () => {
    const { enforced, sources, geoip } = status();
    return {
      version: enforced.version,
      policies: [...enforced.policies.keys()].sort(),
      sources: Object.fromEntries(
        [...sources].map(([name, { version, update, issues }]) => [
          name,
          {
            version,
            serving: update.result.serving.map((e) => ({ policy: e.key, file: e.file, generation: e.generation, servingGeneration: e.servingGeneration, stale: e.servingGeneration < e.generation })),
            refused: update.result.refused.map((r) => ({ policy: r.key, file: r.file, generation: r.generation })),
            problems: issues.map(formatConfigIssue),
          },
        ]),
      ),
      ...(geoip !== undefined && { geoip }),
    };
  });
}
