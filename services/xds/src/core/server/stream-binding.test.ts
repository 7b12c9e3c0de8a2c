// Streams bound to the caller's identity: the grant decides whether bind() opens the node cluster and
// which view of it the stream serves, for SotW and delta alike.
import { describe, expect, it } from 'vitest';
import { TypeUrls, type Identity } from '@gatehouse/contracts';
import { Snapshot } from '../cache/snapshot.js';
import { SnapshotStore } from '../cache/snapshot-store.js';
import { apiListener, edsCluster, endpoints, listener, routeConfig, secret } from '../../testing/envoy-resources.js';
import { StreamForbiddenError } from './ads-stream.js';
import { DeltaStream, type DeltaResponse } from './delta-stream.js';
import { SotwStream, type SotwResponse } from './sotw-stream.js';
import { authorizeStream } from './stream-authorization.js';

function gateway(secretName: string, backend: string) {
  return Snapshot.fromResources({
    listeners: [listener('https', 'https-routes'), apiListener(`${backend}.test`, `proxyless/${backend}.test`)],
    routes: [routeConfig('https-routes', backend), routeConfig(`proxyless/${backend}.test`, backend)],
    clusters: [edsCluster(backend)],
    endpoints: [endpoints(backend, 1)],
    secrets: [secret(secretName)],
  });
}

function setup(identities: Identity[]) {
  const store = new SnapshotStore();
  store.set('default/a', gateway('default/a-tls', 'a'));
  store.set('default/b', gateway('default/b-tls', 'b'));
  const sent: Array<SotwResponse | DeltaResponse> = [];
  const authorize = (cluster: string) => authorizeStream({ transport: 'mtls', identities }, cluster);
  const sotw = new SotwStream({ store, send: (r) => sent.push(r), authorize });
  const delta = new DeltaStream({ store, send: (r) => sent.push(r), authorize });
  return { store, sent, sotw, delta };
}

const gatewayA: Identity = { kind: 'gateway', namespace: 'default', name: 'a' };

describe('ADS streams bound to the client certificate', () => {
  it("a proxy with Gateway A's certificate asking for Gateway B's config is refused before anything is sent (SotW and delta)", () => {
    const t = setup([gatewayA]);
    expect(() => t.sotw.handleRequest({ node: { id: 'x', cluster: 'default/b' }, type_url: TypeUrls.secret, resource_names: ['default/b-tls'] })).toThrow(StreamForbiddenError);
    expect(() => t.delta.handleRequest({ node: { id: 'x', cluster: 'default/b' }, type_url: TypeUrls.secret, resource_names_subscribe: ['*'] })).toThrow(/GH_XDS_STREAM_FORBIDDEN: .*may open ADS only as node.cluster "default\/a"/);
    expect(t.sent).toEqual([]);
    expect(t.sotw.node).toBeUndefined();
  });

  it("a proxy with Gateway A's certificate gets Gateway A's secrets", () => {
    const t = setup([gatewayA]);
    t.sotw.handleRequest({ node: { id: 'x', cluster: 'default/a' }, type_url: TypeUrls.secret, resource_names: ['default/a-tls', 'default/b-tls'] });
    expect((t.sent as SotwResponse[]).flatMap((r) => r.resources.map((e) => e.name))).toEqual(['default/a-tls']);
    expect(t.sotw.grant).toMatchObject({ bound: true, identity: 'spiffe://gatehouse/gateway/default/a' });
  });

  it("a proxyless client's wildcard requests get the proxyless view: no Secret, no Envoy listener, also after a change", () => {
    const t = setup([{ kind: 'client', name: 'billing' }]);
    const request = (type_url: string) => t.sotw.handleRequest({ node: { id: 'c', cluster: 'default/a' }, type_url, resource_names: [] });
    request(TypeUrls.listener);
    request(TypeUrls.secret);
    expect((t.sent.splice(0) as SotwResponse[]).flatMap((r) => r.resources.map((e) => e.name))).toEqual(['a.test']);
    t.store.set('default/a', gateway('default/a-tls-2', 'a'));
    expect(t.sent).toEqual([]);
  });

  it('a service certificate cannot open any node cluster', () => {
    const t = setup([{ kind: 'service', name: 'ratelimit' }]);
    expect(() => t.sotw.handleRequest({ node: { id: 'x', cluster: 'default/a' }, type_url: TypeUrls.listener })).toThrow(StreamForbiddenError);
  });
});
