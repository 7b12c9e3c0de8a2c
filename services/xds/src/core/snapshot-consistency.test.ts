// Every name a golden snapshot refers to resolves inside it: RDS route configurations, clusters
// named by routes, mirrors and filters, EDS load assignments, and SDS secrets (or a certificate
// the certs service was asked for). A dangling cluster name would not be NACKed, just answer 503.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Json = Record<string, unknown>;
interface Output {
  snapshots: Record<string, { listeners: Json[]; routes: Json[]; clusters: Json[]; endpoints: Json[]; secrets: Json[] }>;
  certificatesWanted: Array<{ namespace: string; secret_name: string }>;
}

/** Every value under a key anywhere in a JSON tree. */
function valuesOf(tree: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(tree)) for (const item of tree) valuesOf(item, key, found);
  else if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) {
      if (k === key) found.push(v);
      valuesOf(v, key, found);
    }
  }
  return found;
}

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'end-to-end');
const files = readdirSync(testdata).filter((f) => f.endsWith('.out.json'));

describe('golden snapshots are self-consistent', () => {
  for (const file of files) {
    it(file, () => {
      const output = JSON.parse(readFileSync(join(testdata, file), 'utf8')) as Output;
      const problems: string[] = [];
      const acme = new Set(output.certificatesWanted.map((c) => `${c.namespace}/${c.secret_name}`));
      for (const [node, snapshot] of Object.entries(output.snapshots)) {
        const routeNames = new Set(snapshot.routes.map((r) => r.name));
        const clusterNames = new Set(snapshot.clusters.map((c) => c.name));
        const assignments = new Set(snapshot.endpoints.map((e) => e.cluster_name));
        const secrets = new Set(snapshot.secrets.map((s) => s.name));
        for (const name of valuesOf(snapshot.listeners, 'route_config_name')) if (!routeNames.has(name)) problems.push(`${node}: RDS ${String(name)} missing`);
        const referencedClusters = [
          ...valuesOf(snapshot.routes, 'cluster'),
          ...valuesOf(valuesOf(snapshot.routes, 'weighted_clusters'), 'name'),
          ...valuesOf(snapshot.listeners, 'cluster_name'),
        ];
        for (const name of referencedClusters) if (!clusterNames.has(name)) problems.push(`${node}: cluster ${String(name)} missing`);
        for (const cluster of snapshot.clusters) {
          if (cluster.type === 'EDS' && !assignments.has(cluster.name)) problems.push(`${node}: EDS cluster ${String(cluster.name)} has no ClusterLoadAssignment`);
        }
        for (const name of assignments) if (!clusterNames.has(name)) problems.push(`${node}: ClusterLoadAssignment ${String(name)} has no cluster`);
        for (const config of valuesOf(snapshot.listeners, 'tls_certificate_sds_secret_configs').flat() as Json[]) {
          if (!secrets.has(config.name) && !acme.has(config.name as string)) problems.push(`${node}: secret ${String(config.name)} neither served nor requested`);
        }
        const listenerNames = snapshot.listeners.map((l) => l.name);
        if (new Set(listenerNames).size !== listenerNames.length) problems.push(`${node}: duplicate listener names`);
        if (routeNames.size !== snapshot.routes.length) problems.push(`${node}: duplicate route configuration names`);
        if (clusterNames.size !== snapshot.clusters.length) problems.push(`${node}: duplicate cluster names`);
        for (const route of snapshot.routes) {
          const domains = valuesOf(route, 'domains').flat();
          if (new Set(domains).size !== domains.length) problems.push(`${node}: ${String(route.name)} repeats a virtual host domain`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
