import { describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import { applySnapshots, referencedSecretNames } from './apply-snapshots.js';
import { diffSnapshots } from './resource-diff.js';
import { Snapshot } from './snapshot.js';
import { SnapshotStore } from './snapshot-store.js';
import { listener, secret, simpleGateway } from '../../testing/envoy-resources.js';

describe('applySnapshots', () => {
  it('sets one snapshot per node cluster and reports which changed', () => {
    const store = new SnapshotStore();
    const first = applySnapshots(store, new Map([['a/gw', simpleGateway(1)], ['b/gw', simpleGateway(2)]]));
    expect(first.changed).toEqual(['a/gw', 'b/gw']);
    const second = applySnapshots(store, new Map([['a/gw', simpleGateway(1)], ['b/gw', simpleGateway(3)]]));
    expect(second.changed).toEqual(['b/gw']);
  });

  it('keeps the last good snapshot of a broken Gateway while others update', () => {
    const store = new SnapshotStore();
    applySnapshots(store, new Map([['a/gw', simpleGateway(1)], ['b/gw', simpleGateway(1)]]));
    const good = store.get('a/gw');
    const outcome = applySnapshots(store, new Map([['a/gw', { ...simpleGateway(1), listeners: [listener('x', 'missing')] }], ['b/gw', simpleGateway(2)]]));
    expect(outcome.problems).toEqual([expect.objectContaining({ nodeCluster: 'a/gw', code: 'GH_XDS_SNAPSHOT_INCONSISTENT' })]);
    expect(store.get('a/gw')).toBe(good);
    expect(outcome.changed).toEqual(['b/gw']);
  });

  it('refuses a snapshot the extra check rejects', () => {
    const store = new SnapshotStore();
    const outcome = applySnapshots(store, new Map([['a/gw', simpleGateway()]]), {
      check: () => {
        throw Object.assign(new Error('bad'), { code: 'GH_XDS_ENVOY_JSON_INVALID' });
      },
    });
    expect(outcome.problems[0]?.code).toBe('GH_XDS_ENVOY_JSON_INVALID');
    expect(store.get('a/gw')).toBeUndefined();
  });

  it('removes node clusters whose Gateway is gone', () => {
    const store = new SnapshotStore();
    applySnapshots(store, new Map([['a/gw', simpleGateway()]]));
    expect(applySnapshots(store, new Map()).removed).toEqual(['a/gw']);
    expect(store.nodeClusters()).toEqual([]);
  });

  it('serves a shared secret to the node clusters that reference it and rotates it without touching listeners', () => {
    const store = new SnapshotStore();
    applySnapshots(store, new Map([['a/gw', tlsGateway('default/tls')]]), { sharedSecrets: [secret('default/tls', 'v1')] });
    const before = store.get('a/gw')!;
    applySnapshots(store, new Map([['a/gw', tlsGateway('default/tls')]]), { sharedSecrets: [secret('default/tls', 'v2')] });
    const after = store.get('a/gw')!;
    expect(after.typeVersion(TypeUrls.secret)).not.toBe(before.typeVersion(TypeUrls.secret));
    expect(after.typeVersion(TypeUrls.listener)).toBe(before.typeVersion(TypeUrls.listener));
  });

  it("an issued certificate for Gateway A is never in Gateway B's snapshot", () => {
    const store = new SnapshotStore();
    const shared = [secret('default/a-tls', 'A'), secret('default/b-tls', 'B'), secret('default/unused', 'U')];
    applySnapshots(store, new Map([['default/a', tlsGateway('default/a-tls')], ['default/b', tlsGateway('default/b-tls')], ['default/plain', simpleGateway()]]), { sharedSecrets: shared });
    const secretsOf = (cluster: string) => [...store.get(cluster)!.entries(TypeUrls.secret).keys()];
    expect(secretsOf('default/a')).toEqual(['default/a-tls']);
    expect(secretsOf('default/b')).toEqual(['default/b-tls']);
    expect(secretsOf('default/plain')).toEqual([]);
  });
});

describe('referencedSecretNames', () => {
  it('finds certificate and validation secrets by SDS name in listeners and clusters', () => {
    const cluster = { name: 'c', transport_socket: { typed_config: { common_tls_context: { combined_validation_context: { validation_context_sds_secret_config: { name: 'ca' } } } } } };
    expect([...referencedSecretNames([tlsGateway('default/tls').listeners[0], cluster])].sort()).toEqual(['ca', 'default/tls']);
  });
});

/** simpleGateway with its listener terminating TLS with the SDS secret `secretName`. */
function tlsGateway(secretName: string) {
  const gateway = simpleGateway();
  const chain = (gateway.listeners[0] as { filter_chains: Array<Record<string, unknown>> }).filter_chains[0]!;
  chain['transport_socket'] = {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: { tls_certificate_sds_secret_configs: [{ name: secretName, sds_config: { ads: {}, resource_api_version: 'V3' } }] },
    },
  };
  return gateway;
}

describe('diffSnapshots', () => {
  it('lists added, removed and changed resources per node cluster and type', () => {
    const before = new Map([['a/gw', Snapshot.fromResources(simpleGateway(1))]]);
    const diff = diffSnapshots(before, new Map([['a/gw', { ...simpleGateway(2), listeners: [listener('other', 'http-routes')] }]]));
    expect(Object.keys(diff['a/gw']!)).toEqual(['endpoints', 'listeners']);
    expect(diff['a/gw']!['listeners']).toMatchObject({ added: [{ name: 'other' }], removed: ['http'], changed: [] });
    expect(diff['a/gw']!['endpoints']!.changed[0]!.name).toBe('backend');
  });

  it('is empty when nothing would change', () => {
    expect(diffSnapshots(new Map([['a/gw', Snapshot.fromResources(simpleGateway())]]), new Map([['a/gw', simpleGateway()]]))).toEqual({});
  });
});
