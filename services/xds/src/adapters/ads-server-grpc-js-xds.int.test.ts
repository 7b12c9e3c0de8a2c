// Real-client test: @grpc/grpc-js-xds resolves xds:///<host> over ADS from this server (api_listener,
// RDS, EDS cluster, endpoints) and makes real calls to real grpc-js backends; a new snapshot moves
// the next call to the other backend without restarting anything.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { buildXdsBootstrap, createXdsClient, waitFor, type XdsClientHandle } from '@gatehouse/e2e';
import { Snapshot, SnapshotStore } from '../core/cache/index.js';
import { ProxyRegistry } from '../core/server/index.js';
import { apiListener, edsCluster } from '../testing/envoy-resources.js';
import { addAdsService } from './ads-server.js';
import { encodeSnapshot } from './resource-encoder.js';

const HOST = 'health.gatehouse.test';
const NODE_CLUSTER = 'default/mesh';

async function startBackend(status: 'SERVING' | 'NOT_SERVING'): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(grpcServiceDefinition(ServiceNames.health), {
    Check: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { status }),
    Watch: (call: grpc.ServerWritableStream<object, object>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server };
}

/** What the translator builds for one GRPCRoute hostname, pointed at `port`. */
function proxylessResources(clusterName: string, port: number) {
  return {
    listeners: [apiListener(HOST, `proxyless/${HOST}`)],
    routes: [
      {
        name: `proxyless/${HOST}`,
        virtual_hosts: [{ name: HOST, domains: [HOST], routes: [{ match: { prefix: '' }, route: { cluster: clusterName } }] }],
      },
    ],
    clusters: [{ ...edsCluster(clusterName), lb_policy: 'ROUND_ROBIN' }],
    endpoints: [
      {
        cluster_name: clusterName,
        endpoints: [
          {
            locality: { region: 'local' },
            load_balancing_weight: 1,
            lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }],
          },
        ],
      },
    ],
    secrets: [],
  };
}

let server: grpc.Server;
let store: SnapshotStore;
let registry: ProxyRegistry;
let client: XdsClientHandle;
const backends: Array<{ port: number; server: grpc.Server }> = [];

function setSnapshot(resources: ReturnType<typeof proxylessResources>): void {
  const snapshot = Snapshot.fromResources(resources, store.get(NODE_CLUSTER));
  encodeSnapshot(snapshot);
  store.set(NODE_CLUSTER, snapshot);
}

beforeAll(async () => {
  backends.push(await startBackend('SERVING'), await startBackend('NOT_SERVING'));
  server = new grpc.Server();
  store = new SnapshotStore();
  registry = new ProxyRegistry();
  addAdsService(server, { store, registry, transport: 'plaintext' });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  setSnapshot(proxylessResources('backend-a', backends[0]!.port));
  client = createXdsClient({
    bootstrap: buildXdsBootstrap({ serverUri: `127.0.0.1:${port}`, nodeCluster: NODE_CLUSTER }),
    service: grpcServiceDefinition(ServiceNames.health),
    target: `xds:///${HOST}`,
  });
});

afterAll(() => {
  client?.close();
  server?.forceShutdown();
  for (const b of backends) b.server.forceShutdown();
});

function check(): Promise<string> {
  return new Promise((resolve, reject) =>
    (client.client as unknown as { Check: (req: object, opts: object, cb: grpc.requestCallback<{ status: string }>) => void }).Check(
      { service: 'who' },
      { deadline: Date.now() + 10_000 },
      (err, res) => (err ? reject(err) : resolve(res!.status)),
    ),
  );
}

describe('@grpc/grpc-js-xds against the ADS server', () => {
  it('makes real calls through served routes and follows a new snapshot without restarts', async () => {
    expect(await check()).toBe('SERVING');
    // Move the route to a new cluster (make-before-break: cluster and endpoints first).
    setSnapshot(proxylessResources('backend-b', backends[1]!.port));
    await waitFor(async () => (await check()) === 'NOT_SERVING', { timeoutMs: 15_000, description: 'calls to reach the second backend' });
    const proxy = registry.proxies().find((p) => p.nodeCluster === NODE_CLUSTER);
    expect(proxy?.variant).toBe('sotw');
    expect(proxy?.types.map((t) => t.type).sort()).toEqual(['clusters', 'endpoints', 'listeners', 'routes']);
    expect(proxy?.types.every((t) => t.ackedVersion !== undefined && t.lastNack === undefined)).toBe(true);
    expect(registry.recentNacks()).toEqual([]);
  });
});
