import { describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import { Snapshot, SnapshotError } from './snapshot.js';
import { SnapshotStore } from './snapshot-store.js';
import { apiListener, edsCluster, endpoints, listener, routeConfig, simpleGateway } from '../../testing/envoy-resources.js';

describe('Snapshot', () => {
  it('derives versions from content, so the same config always has the same version', () => {
    const a = Snapshot.fromResources(simpleGateway(8080));
    const b = Snapshot.fromResources(simpleGateway(8080));
    expect(a.version).toBe(b.version);
    expect(a.typeVersion(TypeUrls.listener)).toBe(b.typeVersion(TypeUrls.listener));
  });

  it('changes only the versions of the types whose content changed', () => {
    const a = Snapshot.fromResources(simpleGateway(8080));
    const b = Snapshot.fromResources(simpleGateway(9090));
    expect(b.version).not.toBe(a.version);
    expect(b.typeVersion(TypeUrls.clusterLoadAssignment)).not.toBe(a.typeVersion(TypeUrls.clusterLoadAssignment));
    expect(b.typeVersion(TypeUrls.listener)).toBe(a.typeVersion(TypeUrls.listener));
  });

  it('does not depend on key order inside a resource', () => {
    const a = Snapshot.fromResources({ clusters: [{ name: 'c', type: 'STATIC' }] });
    const b = Snapshot.fromResources({ clusters: [{ type: 'STATIC', name: 'c' }] });
    expect(a.version).toBe(b.version);
  });

  it('reuses unchanged entries of the previous snapshot', () => {
    const a = Snapshot.fromResources(simpleGateway(8080));
    const b = Snapshot.fromResources(simpleGateway(9090), a);
    expect(b.entry(TypeUrls.listener, 'http')).toBe(a.entry(TypeUrls.listener, 'http'));
    expect(b.entry(TypeUrls.clusterLoadAssignment, 'backend')).not.toBe(a.entry(TypeUrls.clusterLoadAssignment, 'backend'));
  });

  it('names endpoints by cluster_name', () => {
    const s = Snapshot.fromResources(simpleGateway());
    expect(s.entry(TypeUrls.clusterLoadAssignment, 'backend')).toBeDefined();
  });

  it('rejects two resources of one type with the same name', () => {
    expect(() => Snapshot.fromResources({ clusters: [edsCluster('a'), edsCluster('a')] })).toThrow(
      expect.objectContaining({ code: 'GH_XDS_DUPLICATE_ENVOY_RESOURCE' }),
    );
  });

  it('is inconsistent when a listener names a missing route configuration', () => {
    const s = Snapshot.fromResources({ listeners: [listener('l', 'missing')] });
    expect(s.inconsistencies()).toEqual([expect.stringContaining('"missing"')]);
  });

  it('finds route configurations named by api_listeners (proxyless gRPC)', () => {
    const s = Snapshot.fromResources({ listeners: [apiListener('svc.example', 'svc-routes')] });
    expect(s.inconsistencies()).toEqual([expect.stringContaining('"svc-routes"')]);
  });

  it('is inconsistent when an EDS cluster has no endpoints', () => {
    const s = Snapshot.fromResources({ clusters: [edsCluster('c')] });
    expect(() => s.assertConsistent()).toThrow(expect.objectContaining({ code: 'GH_XDS_SNAPSHOT_INCONSISTENT' }));
  });

  it('uses eds_cluster_config.service_name when set', () => {
    const cluster = { ...edsCluster('c'), eds_cluster_config: { service_name: 'svc', eds_config: { ads: {} } } };
    expect(Snapshot.fromResources({ clusters: [cluster], endpoints: [endpoints('svc', 1)] }).inconsistencies()).toEqual([]);
  });

  it('is consistent when every reference resolves', () => {
    expect(Snapshot.fromResources(simpleGateway()).inconsistencies()).toEqual([]);
    expect(Snapshot.fromResources({ routes: [routeConfig('r', 'x')] }).inconsistencies()).toEqual([]);
  });
});

describe('SnapshotStore', () => {
  it('refuses an inconsistent snapshot and keeps serving the previous one', () => {
    const store = new SnapshotStore();
    const good = Snapshot.fromResources(simpleGateway());
    store.set('default/gw', good);
    expect(() => store.set('default/gw', Snapshot.fromResources({ listeners: [listener('l', 'nope')] }))).toThrow(SnapshotError);
    expect(store.get('default/gw')).toBe(good);
  });

  it('notifies watchers of the node cluster only when the version changes', () => {
    const store = new SnapshotStore();
    const seen: string[] = [];
    store.watch('default/gw', (s) => seen.push(s.version));
    store.watch('other/gw', () => seen.push('other'));
    store.set('default/gw', Snapshot.fromResources(simpleGateway(1)));
    store.set('default/gw', Snapshot.fromResources(simpleGateway(1)));
    store.set('default/gw', Snapshot.fromResources(simpleGateway(2)));
    expect(seen).toHaveLength(2);
  });

  it('hands watchers an empty snapshot when a Gateway is deleted', () => {
    const store = new SnapshotStore();
    const seen: number[] = [];
    store.set('default/gw', Snapshot.fromResources(simpleGateway()));
    store.watch('default/gw', (s) => seen.push(s.entries(TypeUrls.listener).size));
    store.delete('default/gw');
    expect(seen).toEqual([0]);
    expect(store.get('default/gw')).toBeUndefined();
  });
});
