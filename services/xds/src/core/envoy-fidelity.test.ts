// Every resource of every golden output must be a valid Envoy resource: known fields only, right
// types, and the protos' protoc-gen-validate rules satisfied.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEnvoyResource } from '@gatehouse/envoy-check';
import { describe, expect, it } from 'vitest';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'end-to-end');
const TYPES = {
  listeners: 'envoy.config.listener.v3.Listener',
  routes: 'envoy.config.route.v3.RouteConfiguration',
  clusters: 'envoy.config.cluster.v3.Cluster',
  endpoints: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  secrets: 'envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

describe('Envoy fidelity of golden outputs', () => {
  for (const file of readdirSync(testdata).filter((f) => f.endsWith('.out.json'))) {
    it(file, () => {
      const output = JSON.parse(readFileSync(join(testdata, file), 'utf8')) as { snapshots: Record<string, Record<keyof typeof TYPES, Array<{ name?: string; cluster_name?: string }>>> };
      const problems: string[] = [];
      for (const [node, snapshot] of Object.entries(output.snapshots)) {
        for (const [kind, typeName] of Object.entries(TYPES) as Array<[keyof typeof TYPES, string]>) {
          for (const resource of snapshot[kind]) {
            for (const p of checkEnvoyResource(typeName, resource)) problems.push(`${node} ${kind} ${resource.name ?? resource.cluster_name}: ${p.path}: ${p.message}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
