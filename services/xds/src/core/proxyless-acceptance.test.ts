// Every resource a proxyless gRPC client would load from a golden output (its API listeners, their
// route configurations, the clusters and endpoints those name) passes @grpc/grpc-js-xds's own
// decoders: the validation the client runs on each xDS response before it NACKs or uses it.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeEnvoyResource } from '@gatehouse/envoy-check';
import { describe, expect, it } from 'vitest';

interface Decoder {
  decode(context: unknown, resource: { type_url: string; value: Uint8Array }): { error?: string };
}

const require = createRequire(import.meta.url);
// The client's HTTP filters (the router) are registered by the package's register().
(require('@grpc/grpc-js-xds') as { register(): void }).register();
const typesDir = join(dirname(require.resolve('@grpc/grpc-js-xds')), 'xds-resource-type');
const decoderOf = (file: string, name: string) => (require(join(typesDir, file)) as Record<string, { get(): Decoder }>)[name]!.get();
const T = 'type.googleapis.com/';
const DECODERS = {
  listeners: { decoder: decoderOf('listener-resource-type.js', 'ListenerResourceType'), typeUrl: `${T}envoy.config.listener.v3.Listener` },
  routes: { decoder: decoderOf('route-config-resource-type.js', 'RouteConfigurationResourceType'), typeUrl: `${T}envoy.config.route.v3.RouteConfiguration` },
  clusters: { decoder: decoderOf('cluster-resource-type.js', 'ClusterResourceType'), typeUrl: `${T}envoy.config.cluster.v3.Cluster` },
  endpoints: { decoder: decoderOf('endpoint-resource-type.js', 'EndpointResourceType'), typeUrl: `${T}envoy.config.endpoint.v3.ClusterLoadAssignment` },
};
const context = { server: { serverUri: 'xds.test', channelCredentials: {}, serverFeatures: ['xds_v3'] }, authorities: {} };

interface RouteJson {
  route?: { cluster?: string; weighted_clusters?: { clusters: Array<{ name: string }> } };
}
interface Snapshot {
  listeners: Array<{ name: string; api_listener?: { api_listener: { rds: { route_config_name: string } } } }>;
  routes: Array<{ name: string; virtual_hosts: Array<{ routes: RouteJson[] }> }>;
  clusters: Array<{ name: string }>;
  endpoints: Array<{ cluster_name: string }>;
}

/** What a client of the snapshot's proxyless hosts subscribes to. */
function proxylessResources(snapshot: Snapshot): Record<keyof typeof DECODERS, object[]> {
  const listeners = snapshot.listeners.filter((l) => l.api_listener);
  const routeNames = new Set(listeners.map((l) => l.api_listener!.api_listener.rds.route_config_name));
  const routes = snapshot.routes.filter((r) => routeNames.has(r.name));
  const clusterNames = new Set(
    routes.flatMap((r) => r.virtual_hosts.flatMap((vh) => vh.routes.flatMap((rt) => (rt.route?.cluster ? [rt.route.cluster] : (rt.route?.weighted_clusters?.clusters ?? []).map((c) => c.name))))),
  );
  return {
    listeners,
    routes,
    clusters: snapshot.clusters.filter((c) => clusterNames.has(c.name)),
    endpoints: snapshot.endpoints.filter((e) => clusterNames.has(e.cluster_name)),
  };
}

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'end-to-end');
const outputs = readdirSync(testdata)
  .filter((f) => f.endsWith('.out.json'))
  .map((f) => ({ file: f, snapshots: (JSON.parse(readFileSync(join(testdata, f), 'utf8')) as { snapshots: Record<string, Snapshot> }).snapshots }))
  .filter((o) => Object.values(o.snapshots).some((s) => s.listeners.some((l) => l.api_listener)));

describe('proxyless resources pass @grpc/grpc-js-xds validation', () => {
  it('has golden outputs with proxyless hosts to check', () => {
    expect(outputs.length).toBeGreaterThan(0);
  });

  for (const { file, snapshots } of outputs) {
    it(file, () => {
      const errors: string[] = [];
      let checked = 0;
      for (const snapshot of Object.values(snapshots)) {
        for (const [kind, list] of Object.entries(proxylessResources(snapshot)) as Array<[keyof typeof DECODERS, object[]]>) {
          const { decoder, typeUrl } = DECODERS[kind];
          for (const resource of list) {
            checked++;
            const decoded = decoder.decode(context, { type_url: typeUrl, value: encodeEnvoyResource(typeUrl, resource) });
            if (decoded.error) errors.push(`${kind}: ${decoded.error}`);
          }
        }
      }
      expect(errors).toEqual([]);
      // A listener, its route configuration and a cluster at least (a LOGICAL_DNS cluster has no endpoints resource).
      expect(checked).toBeGreaterThanOrEqual(3);
    });
  }
});
