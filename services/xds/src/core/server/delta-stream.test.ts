import { describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import type { NackRecord } from './ads-stream.js';
import { DeltaStream, type DeltaResponse } from './delta-stream.js';
import { Snapshot } from '../cache/snapshot.js';
import { SnapshotStore } from '../cache/snapshot-store.js';
import { edsCluster, endpoints, routeConfig, simpleGateway } from '../../testing/envoy-resources.js';

const NODE = { id: 'envoy-1', cluster: 'default/gw' };

function setup(initial = simpleGateway()) {
  const store = new SnapshotStore();
  store.set(NODE.cluster, Snapshot.fromResources(initial));
  const sent: DeltaResponse[] = [];
  const nacks: NackRecord[] = [];
  const stream = new DeltaStream({ store, send: (r) => sent.push(r), observer: { onNack: (n) => nacks.push(n) } });
  type Extra = { unsubscribe?: string[]; nonce?: string; initial?: Record<string, string>; error?: { code: number; message: string } };
  const request = (typeUrl: string, subscribe: string[] = [], extra: Extra = {}) =>
    stream.handleRequest({
      node: NODE,
      type_url: typeUrl,
      resource_names_subscribe: subscribe,
      resource_names_unsubscribe: extra.unsubscribe ?? [],
      initial_resource_versions: extra.initial ?? {},
      response_nonce: extra.nonce ?? '',
      ...(extra.error ? { error_detail: extra.error } : {}),
    });
  const ack = (r: DeltaResponse) => request(r.type_url, [], { nonce: r.nonce });
  const take = () => sent.splice(0);
  return { store, stream, nacks, request, ack, take };
}

const names = (r: DeltaResponse) => r.resources.map((e) => e.name);
const twoClusters = (port = 1) => ({
  ...simpleGateway(),
  clusters: [edsCluster('backend'), edsCluster('other')],
  endpoints: [endpoints('backend', 8080), endpoints('other', port)],
});

describe('DeltaStream', () => {
  it('treats an empty first CDS request as wildcard and sends every cluster', () => {
    const t = setup(twoClusters());
    t.request(TypeUrls.cluster);
    expect(t.take().map(names)).toEqual([['backend', 'other']]);
  });

  it('sends only the resources that changed', () => {
    const t = setup(twoClusters(1));
    t.request(TypeUrls.clusterLoadAssignment, ['backend', 'other']);
    t.ack(t.take()[0]!);
    t.store.set(NODE.cluster, Snapshot.fromResources(twoClusters(2)));
    const [r] = t.take();
    expect(names(r!)).toEqual(['other']);
    expect(r!.removed_resources).toEqual([]);
  });

  it('sends removals in removed_resources', () => {
    const t = setup(twoClusters());
    t.request(TypeUrls.cluster);
    t.ack(t.take()[0]!);
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway()));
    expect(t.take().map((r) => [names(r), r.removed_resources])).toEqual([[[], ['other']]]);
  });

  it('sends only differences on reconnect with initial_resource_versions', () => {
    const t1 = setup(twoClusters());
    t1.request(TypeUrls.cluster);
    const held = t1.take()[0]!;
    const initial = Object.fromEntries(held.resources.map((e) => [e.name, e.version]));
    const t2 = setup(twoClusters());
    t2.request(TypeUrls.cluster, [], { initial });
    expect(t2.take()).toEqual([]);
    const t3 = setup(twoClusters());
    t3.request(TypeUrls.cluster, [], { initial: { ...initial, backend: 'stale', gone: 'v' } });
    const [update] = t3.take();
    expect(names(update!)).toEqual(['backend']);
  });

  it('processes subscription changes even with a stale nonce', () => {
    const t = setup(twoClusters());
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    t.ack(t.take()[0]!);
    t.request(TypeUrls.clusterLoadAssignment, ['other'], { nonce: 'stale' });
    expect(t.take().map(names)).toEqual([['other']]);
  });

  it('forgets unsubscribed names and sends them again on resubscription', () => {
    const t = setup();
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    t.ack(t.take()[0]!);
    t.request(TypeUrls.clusterLoadAssignment, [], { unsubscribe: ['backend'] });
    expect(t.take()).toEqual([]);
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    expect(t.take().map(names)).toEqual([['backend']]);
  });

  it('supports explicit wildcard subscription and unsubscription', () => {
    const t = setup();
    t.request(TypeUrls.routeConfiguration, ['*']);
    t.ack(t.take()[0]!);
    t.request(TypeUrls.routeConfiguration, [], { unsubscribe: ['*'] });
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), routes: [routeConfig('http-routes', 'backend'), routeConfig('new', 'backend')] }));
    expect(t.take()).toEqual([]);
  });

  it('records a NACK and does not resend the rejected resource versions', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    const r = t.take()[0]!;
    t.request(TypeUrls.cluster, [], { nonce: r.nonce, error: { code: 13, message: 'nope' } });
    expect(t.take()).toEqual([]);
    expect(t.nacks).toMatchObject([{ type: 'clusters', version: r.system_version_info, errorMessage: 'nope', node: NODE }]);
    t.request(TypeUrls.cluster, [], { nonce: r.nonce });
    expect(t.take()).toEqual([]);
  });

  it('pushes a name subscribed before it existed once it appears', () => {
    const t = setup();
    t.request(TypeUrls.secret, ['default/tls']);
    expect(t.take()).toEqual([]);
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), secrets: [{ name: 'default/tls', tls_certificate: {} }] }));
    expect(t.take().map(names)).toEqual([['default/tls']]);
  });

  it('keeps at most one un-ACKed push per type', () => {
    const t = setup();
    t.request(TypeUrls.clusterLoadAssignment, ['backend']);
    const first = t.take()[0]!;
    t.store.set(NODE.cluster, Snapshot.fromResources(simpleGateway(2)));
    expect(t.take()).toEqual([]);
    t.ack(first);
    expect(t.take().map(names)).toEqual([['backend']]);
  });

  it('sends additions before removals (make before break)', () => {
    const t = setup();
    t.request(TypeUrls.cluster);
    t.ack(t.take()[0]!);
    t.request(TypeUrls.routeConfiguration, ['http-routes']);
    t.ack(t.take()[0]!);
    t.store.set(NODE.cluster, Snapshot.fromResources({ ...simpleGateway(), routes: [routeConfig('http-routes', 'next')], clusters: [edsCluster('next')], endpoints: [endpoints('next', 1)] }));
    const seen: Array<[string, string[], string[]]> = [];
    for (let i = 0, batch = t.take(); i < 5 && batch.length > 0; i++, batch = t.take()) {
      for (const r of batch) {
        seen.push([r.type_url, names(r), r.removed_resources]);
        t.ack(r);
      }
    }
    expect(seen).toEqual([
      [TypeUrls.cluster, ['next'], []],
      [TypeUrls.routeConfiguration, ['http-routes'], []],
      [TypeUrls.cluster, [], ['backend']],
    ]);
  });
});
