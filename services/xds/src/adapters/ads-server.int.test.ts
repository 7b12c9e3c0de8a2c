// Protocol tests over real gRPC: a raw ADS client built on the Envoy protos against the server.
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import { Snapshot, SnapshotStore } from '../core/cache/index.js';
import { ProxyRegistry } from '../core/server/index.js';
import { edsCluster, endpoints, listener, routeConfig, simpleGateway } from '../testing/envoy-resources.js';
import { openDeltaStream, openSotwStream, resourceNames } from '../testing/raw-ads-client.js';
import { addAdsService } from './ads-server.js';
import { encodeSnapshot } from './resource-encoder.js';

const NODE = { id: 'envoy-a', cluster: 'default/gw' };
let server: grpc.Server;
let address: string;
let store: SnapshotStore;
let registry: ProxyRegistry;
const cleanups: Array<() => void> = [];

function setSnapshot(resources: Parameters<typeof Snapshot.fromResources>[0]): void {
  const snapshot = Snapshot.fromResources(resources, store.get(NODE.cluster));
  encodeSnapshot(snapshot);
  store.set(NODE.cluster, snapshot);
}

beforeAll(async () => {
  server = new grpc.Server();
  store = new SnapshotStore();
  registry = new ProxyRegistry();
  addAdsService(server, { store, registry, transport: 'plaintext' });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => server.forceShutdown());

beforeEach(() => setSnapshot(simpleGateway(8080)));
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

function sotw() {
  const s = openSotwStream(address);
  cleanups.push(s.close);
  return s;
}
function delta() {
  const s = openDeltaStream(address);
  cleanups.push(s.close);
  return s;
}

describe('StreamAggregatedResources (state of the world)', () => {
  it('serves a wildcard CDS request and sends nothing more after the ACK', async () => {
    const s = sotw();
    s.send({ node: NODE, type_url: TypeUrls.cluster });
    const r = await s.responses.next();
    expect(r.type_url).toBe(TypeUrls.cluster);
    expect(resourceNames(r)).toEqual(['backend']);
    s.send({ type_url: TypeUrls.cluster, version_info: r.version_info, response_nonce: r.nonce });
    expect(await s.responses.nothingWithin()).toBe(true);
    const proxy = registry.proxies().find((p) => p.nodeId === NODE.id);
    expect(proxy?.types[0]).toMatchObject({ type: 'clusters', ackedVersion: r.version_info });
  });

  it('records a NACK in the registry and does not resend the rejected version', async () => {
    const s = sotw();
    s.send({ node: NODE, type_url: TypeUrls.cluster });
    const r = await s.responses.next();
    s.send({ type_url: TypeUrls.cluster, response_nonce: r.nonce, error_detail: { code: 3, message: 'rejected by test' } });
    expect(await s.responses.nothingWithin()).toBe(true);
    expect(registry.recentNacks()[0]).toMatchObject({ node: NODE, type: 'clusters', version: r.version_info, errorMessage: 'rejected by test' });
  });

  it('sends nothing when a client reconnects to another replica holding the same config', async () => {
    const first = sotw();
    first.send({ node: NODE, type_url: TypeUrls.cluster });
    const held = await first.responses.next();
    first.close();
    // A second, independent server (another replica, or this one restarted) built from the same config.
    const replica = new grpc.Server();
    const replicaStore = new SnapshotStore();
    const snapshot = Snapshot.fromResources(simpleGateway(8080));
    encodeSnapshot(snapshot);
    replicaStore.set(NODE.cluster, snapshot);
    addAdsService(replica, { store: replicaStore, registry: new ProxyRegistry(), transport: 'plaintext' });
    const port = await new Promise<number>((resolve, reject) =>
      replica.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    cleanups.push(() => replica.forceShutdown());
    const s = openSotwStream(`127.0.0.1:${port}`);
    cleanups.push(s.close);
    s.send({ node: NODE, type_url: TypeUrls.cluster, version_info: held.version_info });
    expect(await s.responses.nothingWithin()).toBe(true);
    const d = openDeltaStream(`127.0.0.1:${port}`);
    cleanups.push(d.close);
    d.send({ node: NODE, type_url: TypeUrls.clusterLoadAssignment, resource_names_subscribe: ['backend'], initial_resource_versions: { backend: snapshot.entry(TypeUrls.clusterLoadAssignment, 'backend')!.version } });
    expect(await d.responses.nothingWithin()).toBe(true);
  });

  it('sends nothing when a client reconnects holding the current versions', async () => {
    const first = sotw();
    first.send({ node: NODE, type_url: TypeUrls.cluster });
    const held = await first.responses.next();
    first.close();
    const again = sotw();
    again.send({ node: NODE, type_url: TypeUrls.cluster, version_info: held.version_info });
    expect(await again.responses.nothingWithin()).toBe(true);
  });

  it('pushes a subscribed name when it appears and stops after unsubscribe', async () => {
    const s = sotw();
    s.send({ node: NODE, type_url: TypeUrls.routeConfiguration, resource_names: ['late'] });
    expect(await s.responses.nothingWithin(200)).toBe(true);
    setSnapshot({ ...simpleGateway(8080), routes: [routeConfig('http-routes', 'backend'), routeConfig('late', 'backend')] });
    const r = await s.responses.next();
    expect(resourceNames(r)).toEqual(['late']);
    s.send({ type_url: TypeUrls.routeConfiguration, resource_names: [], version_info: r.version_info, response_nonce: r.nonce });
    setSnapshot({ ...simpleGateway(8080), routes: [routeConfig('http-routes', 'backend'), routeConfig('late', 'changed')], clusters: [edsCluster('backend'), edsCluster('changed')], endpoints: [endpoints('backend', 8080), endpoints('changed', 1)] });
    expect(await s.responses.nothingWithin()).toBe(true);
  });

  it('pushes a change as clusters, endpoints, listeners, routes', async () => {
    setSnapshot({ listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] });
    const s = sotw();
    const subscriptions: Record<string, string[]> = {
      [TypeUrls.cluster]: [],
      [TypeUrls.listener]: [],
      [TypeUrls.clusterLoadAssignment]: ['backend'],
      [TypeUrls.routeConfiguration]: ['http-routes'],
    };
    for (const [typeUrl, names] of Object.entries(subscriptions)) s.send({ node: NODE, type_url: typeUrl, resource_names: names });
    const ack = (r: { type_url?: string; version_info?: string; nonce?: string }) =>
      s.send({ type_url: r.type_url, resource_names: subscriptions[r.type_url ?? ''] ?? [], version_info: r.version_info, response_nonce: r.nonce });
    // Initial empty LDS/CDS answers.
    for (let i = 0; i < 2; i++) ack(await s.responses.next());
    setSnapshot(simpleGateway(8080));
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await s.responses.next();
      order.push(r.type_url ?? '');
      ack(r);
    }
    expect(order).toEqual([TypeUrls.cluster, TypeUrls.clusterLoadAssignment, TypeUrls.listener, TypeUrls.routeConfiguration]);
  });

  it('refuses a stream whose first request has no node.cluster', async () => {
    const s = sotw();
    s.send({ node: { id: 'x' }, type_url: TypeUrls.cluster });
    await expect(s.responses.next(2000)).rejects.toThrow(/GH_XDS_NODE_CLUSTER_MISSING/);
  });
});

describe('DeltaAggregatedResources', () => {
  const twoRoutes = (cluster: string) => ({
    ...simpleGateway(8080),
    listeners: [listener('http', 'http-routes'), listener('admin', 'admin-routes', 10081)],
    routes: [routeConfig('http-routes', 'backend'), routeConfig('admin-routes', cluster)],
    clusters: [edsCluster('backend'), edsCluster('other')],
    endpoints: [endpoints('backend', 8080), endpoints('other', 9090)],
  });

  it('sends only the resource that changed, and removals as names', async () => {
    setSnapshot(twoRoutes('backend'));
    const s = delta();
    s.send({ node: NODE, type_url: TypeUrls.routeConfiguration, resource_names_subscribe: ['http-routes', 'admin-routes'] });
    const first = await s.responses.next();
    expect(first.resources?.map((r) => r.name).sort()).toEqual(['admin-routes', 'http-routes']);
    s.send({ type_url: TypeUrls.routeConfiguration, response_nonce: first.nonce });
    setSnapshot(twoRoutes('other'));
    const change = await s.responses.next();
    expect(change.resources?.map((r) => r.name)).toEqual(['admin-routes']);
    s.send({ type_url: TypeUrls.routeConfiguration, response_nonce: change.nonce });
    setSnapshot({ ...twoRoutes('other'), listeners: [listener('http', 'http-routes')], routes: [routeConfig('http-routes', 'backend')] });
    const removal = await s.responses.next();
    expect(removal.removed_resources).toEqual(['admin-routes']);
  });

  it('serves wildcard CDS and sends nothing on reconnect with the same resource versions', async () => {
    const s = delta();
    s.send({ node: NODE, type_url: TypeUrls.cluster });
    const r = await s.responses.next();
    expect(r.resources?.map((x) => x.name)).toEqual(['backend']);
    s.close();
    const again = delta();
    again.send({ node: NODE, type_url: TypeUrls.cluster, initial_resource_versions: Object.fromEntries(r.resources!.map((x) => [x.name!, x.version!])) });
    expect(await again.responses.nothingWithin()).toBe(true);
  });

  it('pushes a change as clusters, endpoints, listeners, routes and removes the old cluster last', async () => {
    const s = delta();
    const subscribe: Record<string, string[]> = {
      [TypeUrls.cluster]: [],
      [TypeUrls.clusterLoadAssignment]: ['backend', 'next'],
      [TypeUrls.listener]: [],
      [TypeUrls.routeConfiguration]: ['http-routes'],
    };
    for (const [typeUrl, names] of Object.entries(subscribe)) s.send({ node: NODE, type_url: typeUrl, resource_names_subscribe: names });
    for (let i = 0; i < 4; i++) {
      const r = await s.responses.next();
      s.send({ type_url: r.type_url, response_nonce: r.nonce });
    }
    setSnapshot({ ...simpleGateway(8080), routes: [routeConfig('http-routes', 'next')], clusters: [edsCluster('next')], endpoints: [endpoints('next', 1)] });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.responses.next();
      seen.push(`${(r.type_url ?? '').split('.').at(-1)} +${(r.resources ?? []).map((x) => x.name).join(',')} -${(r.removed_resources ?? []).join(',')}`);
      s.send({ type_url: r.type_url, response_nonce: r.nonce });
    }
    expect(seen).toEqual([
      'Cluster +next -',
      'ClusterLoadAssignment +next -',
      'RouteConfiguration +http-routes -',
      'ClusterLoadAssignment + -backend',
      'Cluster + -backend',
    ]);
  });

  it('unsubscribing stops pushes for that name; NACK is recorded without a resend', async () => {
    const s = delta();
    s.send({ node: NODE, type_url: TypeUrls.clusterLoadAssignment, resource_names_subscribe: ['backend'] });
    const r = await s.responses.next();
    s.send({ type_url: TypeUrls.clusterLoadAssignment, response_nonce: r.nonce, error_detail: { code: 3, message: 'bad endpoints' } });
    expect(await s.responses.nothingWithin(200)).toBe(true);
    expect(registry.recentNacks()[0]).toMatchObject({ type: 'endpoints', errorMessage: 'bad endpoints' });
    s.send({ type_url: TypeUrls.clusterLoadAssignment, resource_names_unsubscribe: ['backend'] });
    await s.responses.nothingWithin(200); // lets the unsubscribe reach the server first
    setSnapshot(simpleGateway(7070));
    expect(await s.responses.nothingWithin()).toBe(true);
  });
});
