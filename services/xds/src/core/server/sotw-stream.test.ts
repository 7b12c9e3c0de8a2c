import { describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import type { NackRecord } from './ads-stream.js';
import { Snapshot } from '../cache/snapshot.js';
import { SnapshotStore } from '../cache/snapshot-store.js';
import { SotwStream, type SotwResponse } from './sotw-stream.js';
import { edsCluster, endpoints, listener, routeConfig, simpleGateway } from '../../testing/envoy-resources.js';

const NODE = { id: 'envoy-1', cluster: 'default/gw' };

function setup(initial = simpleGateway()) {
  const store = new SnapshotStore();
  store.set(NODE.cluster, Snapshot.fromResources(initial));
  const sent: SotwResponse[] = [];
  const nacks: NackRecord[] = [];
  const stream = new SotwStream({ store, send: (r) => sent.push(r), observer: { onNack: (n) => nacks.push(n) }, now: () => 42 });
  const request = (typeUrl: string, names: string[] = [], extra: { version_info?: string; response_nonce?: string; error_detail?: { code: number; message: string } } = {}) =>
    stream.handleRequest({ node: NODE, type_url: typeUrl, resource_names: names, ...extra });
  const ack = (r: SotwResponse, names: string[] = []) => request(r.type_url, names, { version_info: r.version_info, response_nonce: r.nonce });
  const take = () => sent.splice(0);
  return { store, stream, sent, nacks, request, ack, take };
}

const names = (r: SotwResponse) => r.resources.map((e) => e.name);

describe('SotwStream', () => {
  it('answers a wildcard CDS request with every cluster', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    const [response] = t.take();
    expect(response).toMatchObject({ type_url: TypeUrls.cluster, nonce: response!.version_info });
    expect(names(response!)).toEqual(['backend']);
  });

  it('answers named requests with only the named resources that exist', () => {
    const t = setup();
    t.request(TypeUrls.clusterLoadAssignment, ['backend', 'not-yet']);
    expect(t.take().map(names)).toEqual([['backend']]);
  });

  it('pushes a name requested before it existed once it appears', () => {
    const t = setup();
    t.request(TypeUrls.routeConfiguration, ['later']);
    expect(t.take()).toEqual([]);
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), routes: [routeConfig('http-routes', 'backend'), routeConfig('later', 'backend')] }));
    expect(t.take().map(names)).toEqual([['later']]);
  });

  it('sends nothing more after an ACK while the config is unchanged', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    t.ack(t.take()[0]!);
    expect(t.take()).toEqual([]);
    expect(t.stream.status()[0]).toMatchObject({ type: 'clusters', ackedVersion: expect.any(String) });
  });

  it('keeps at most one un-ACKed push per type and sends the latest after the ACK', () => {
    const t = setup();
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    const first = t.take()[0]!;
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway(2)));
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway(3)));
    expect(t.take()).toEqual([]);
    t.ack(first, ['backend']);
    const [latest] = t.take();
    expect(latest!.resources[0]!.resource).toMatchObject(endpoints('backend', 3));
  });

  it('records a NACK with node, type, version and error, and does not resend the rejected version', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    t.ack(t.take()[0]!);
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), clusters: [{ ...edsCluster('backend'), lb_policy: 'BAD' }] }));
    const rejected = t.take()[0]!;
    t.request(TypeUrls.cluster, [], { version_info: 'old', response_nonce: rejected.nonce, error_detail: { code: 3, message: 'bad lb_policy' } });
    expect(t.take()).toEqual([]);
    expect(t.nacks).toEqual([
      { node: NODE, typeUrl: TypeUrls.cluster, type: 'clusters', version: rejected.version_info, nonce: rejected.nonce, errorCode: 3, errorMessage: 'bad lb_policy', at: 42 },
    ]);
    // The same request again (e.g. the client re-sends) still does not make us loop.
    t.request(TypeUrls.cluster, [], { version_info: 'old', response_nonce: rejected.nonce });
    expect(t.take()).toEqual([]);
    expect(t.stream.status()[0]!.lastNack?.errorMessage).toBe('bad lb_policy');
  });

  it('sends a fixed config after a NACK', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    const rejected = t.take()[0]!;
    t.request(TypeUrls.cluster, [], { response_nonce: rejected.nonce, error_detail: { code: 3, message: 'no' } });
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway(), undefined));
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), clusters: [edsCluster('backend'), { name: 'extra', type: 'STATIC' }] }));
    expect(t.take().map(names)).toEqual([['backend', 'extra']]);
  });

  it('ignores requests carrying a stale nonce', () => {
    const t = setup();
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    const first = t.take()[0]!;
    t.ack(first, ['backend']);
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway(2)));
    t.take();
    // A request still answering the first response: its subscription change must not count.
    t.request(TypeUrls.clusterLoadAssignment, [], { response_nonce: first.nonce });
    expect(t.stream.status()[0]!.names).toEqual(['backend']);
  });

  it('sends nothing on reconnect when the client already holds the current version', () => {
    const t1 = setup();
    t1.request(TypeUrls.cluster);
    const held = t1.take()[0]!;
    const t2 = setup();
    t2.request(TypeUrls.cluster, [], { version_info: held.version_info, response_nonce: held.nonce });
    expect(t2.take()).toEqual([]);
    t2.request(TypeUrls.listener, [], { version_info: 'something-else' });
    expect(t2.take()).toHaveLength(1);
  });

  it('forgets unsubscribed names and resends them on resubscription', () => {
    const t = setup();
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    let r = t.take()[0]!;
    t.ack(r, []);
    r = { ...r };
    expect(t.take()).toEqual([]);
    t.request(TypeUrls.clusterLoadAssignment, ['backend'], { version_info: r.version_info, response_nonce: r.nonce });
    expect(t.take().map(names)).toEqual([['backend']]);
  });

  it('pushes clusters, then endpoints, then listeners, then routes, each after the previous ACK', () => {
    const t = setup({ listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] });
    t.request(TypeUrls.cluster);
    t.request(TypeUrls.listener);
    const order: string[] = [];
    let pending = t.take();
    for (let i = 0; i < 3 && pending.length > 0; i++, pending = t.take()) for (const r of pending) t.ack(r);
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    t.request(TypeUrls.routeConfiguration, ['http-routes']);
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway()));
    for (let i = 0; i < 10 && (pending = t.take()).length > 0; i++) {
      for (const r of pending) {
        order.push(r.type_url);
        t.ack(r, r.type_url === TypeUrls.clusterLoadAssignment ? ['backend'] : r.type_url === TypeUrls.routeConfiguration ? ['http-routes'] : []);
      }
    }
    expect(order.map((u) => u.split(".").at(-1))).toEqual(["Cluster", "ClusterLoadAssignment", "Listener", "RouteConfiguration"]);
  });

  it('removes a cluster only after the listeners and routes stop using it', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    t.ack(t.take()[0]!);
    t.request(TypeUrls.routeConfiguration, ['http-routes']);
    t.ack(t.take()[0]!, ['http-routes']);
    // Switch the route to a new cluster: the old one must stay until the route is updated.
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), routes: [routeConfig('http-routes', 'next')], clusters: [edsCluster('next')], endpoints: [endpoints('next', 1)] }));
    const cds = t.take();
    expect(cds.map((r) => [r.type_url, names(r)])).toEqual([[TypeUrls.cluster, ['next', 'backend']]]);
    t.ack(cds[0]!);
    const rds = t.take();
    expect(rds.map((r) => r.type_url)).toEqual([TypeUrls.routeConfiguration]);
    t.ack(rds[0]!, ['http-routes']);
    const removal = t.take();
    expect(removal.map((r) => [r.type_url, names(r)])).toEqual([[TypeUrls.cluster, ['next']]]);
  });

  it('re-sends endpoints after their cluster changes, even when the endpoints did not', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    t.ack(t.take()[0]!);
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    const firstEds = t.take()[0]!;
    t.ack(firstEds, ['backend']);
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), clusters: [{ ...edsCluster('backend'), connect_timeout: '1s' }] }));
    const cds = t.take();
    expect(cds.map((r) => r.type_url)).toEqual([TypeUrls.cluster]);
    t.ack(cds[0]!);
    const eds = t.take();
    expect(eds.map((r) => [r.type_url, names(r)])).toEqual([[TypeUrls.clusterLoadAssignment, ['backend']]]);
    // Same content as the previous EDS response, so the nonce must still differ from it.
    expect(eds[0]!.version_info).toBe(firstEds.version_info);
    expect(eds[0]!.nonce).not.toBe(firstEds.nonce);
    t.ack(eds[0]!, ['backend']);
    expect(t.stream.status().find((s) => s.type === 'endpoints')?.pendingVersion).toBeUndefined();
  });

  it('gives every stream the same response (and nonce) for the same change, so it is encoded once', () => {
    const a = setup();
    const b = setup();
    for (const t of [a, b]) t.request(TypeUrls.cluster);
    expect(a.take()).toEqual(b.take());
  });

  it('sends an empty response to a wildcard request when there are no resources', () => {
    const t = setup({ listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] });
    t.request(TypeUrls.listener);
    expect(t.take().map(names)).toEqual([[]]);
  });

  it('waits for a snapshot for its node cluster', () => {
    const t = setup();
    const stream = new SotwStream({ store: t.store, send: (r) => t.sent.push(r) });
    stream.handleRequest({ node: { id: 'x', cluster: 'default/later' }, type_url: TypeUrls.cluster, resource_names: [] });
    expect(t.take()).toEqual([]);
    t.store.set('default/later', Snapshot.fromResources(simpleGateway()));
    expect(t.take()).toHaveLength(1);
  });

  it('rejects a first request without node.cluster', () => {
    const t = setup();
    const stream = new SotwStream({ store: t.store, send: () => undefined });
    expect(() => stream.handleRequest({ node: { id: 'x' }, type_url: TypeUrls.cluster })).toThrow(
      expect.objectContaining({ code: 'GH_XDS_NODE_CLUSTER_MISSING' }),
    );
  });

  it('stops sending after close', () => {
    const t = setup();
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    t.ack(t.take()[0]!, ['backend']);
    t.stream.close();
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway(7)));
    expect(t.take()).toEqual([]);
  });

  it('serves a listener change without touching other types', () => {
    const t = setup();
    t.request(TypeUrls.listener);
    t.ack(t.take()[0]!);
    t.request(TypeUrls.cluster);
    t.ack(t.take()[0]!);
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), listeners: [listener('http', 'http-routes', 9999)] }));
    expect(t.take().map((r) => r.type_url)).toEqual([TypeUrls.listener]);
  });
});
