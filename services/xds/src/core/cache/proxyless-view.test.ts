import { describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import { apiListener, edsCluster, endpoints, listener, routeConfig, secret } from '../../testing/envoy-resources.js';
import { proxylessView } from './proxyless-view.js';
import { Snapshot } from './snapshot.js';

/** A Gateway with an Envoy listener (TLS secret, web cluster) and a proxyless host (grpc and mirror clusters). */
function gateway(): Snapshot {
  const proxylessRoutes = routeConfig('proxyless/health.test', 'grpc');
  const route = (proxylessRoutes['virtual_hosts'] as Array<{ routes: Array<{ route: Record<string, unknown> }> }>)[0]!.routes[0]!.route;
  route['request_mirror_policies'] = [{ cluster: 'mirror' }];
  const weighted = routeConfig('proxyless/weighted.test', 'unused');
  (weighted['virtual_hosts'] as Array<{ routes: Array<{ route: Record<string, unknown> }> }>)[0]!.routes[0]!.route = {
    weighted_clusters: { clusters: [{ name: 'grpc', weight: 1 }, { name: 'canary', weight: 1 }] },
  };
  return Snapshot.fromResources({
    listeners: [listener('https', 'https-routes'), apiListener('health.test', 'proxyless/health.test'), apiListener('weighted.test', 'proxyless/weighted.test')],
    routes: [routeConfig('https-routes', 'web'), proxylessRoutes, weighted],
    clusters: [edsCluster('web'), edsCluster('grpc'), edsCluster('mirror'), edsCluster('canary'), { name: 'gatehouse-authz', type: 'STRICT_DNS' }],
    endpoints: [endpoints('web', 1), endpoints('grpc', 2), endpoints('mirror', 3), endpoints('canary', 4)],
    secrets: [secret('default/web-tls')],
  });
}

const names = (snapshot: Snapshot, typeUrl: string) => [...snapshot.entries(typeUrl).keys()].sort();

describe('proxylessView', () => {
  it('a proxyless client sees the API listeners, their routes, the clusters they use and their endpoints', () => {
    const view = proxylessView(gateway());
    expect(names(view, TypeUrls.listener)).toEqual(['health.test', 'weighted.test']);
    expect(names(view, TypeUrls.routeConfiguration)).toEqual(['proxyless/health.test', 'proxyless/weighted.test']);
    expect(names(view, TypeUrls.cluster)).toEqual(['canary', 'grpc', 'mirror']);
    expect(names(view, TypeUrls.clusterLoadAssignment)).toEqual(['canary', 'grpc', 'mirror']);
    view.assertConsistent();
  });

  it("a proxyless client never sees a Secret, the Gateway's Envoy listeners, or the clusters only Envoy uses", () => {
    const view = proxylessView(gateway());
    expect(names(view, TypeUrls.secret)).toEqual([]);
    expect(view.entry(TypeUrls.listener, 'https')).toBeUndefined();
    expect(view.entry(TypeUrls.cluster, 'web')).toBeUndefined();
    expect(view.entry(TypeUrls.cluster, 'gatehouse-authz')).toBeUndefined();
  });

  it('shares the entries of the full snapshot (one encoding for both)', () => {
    const full = gateway();
    expect(proxylessView(full).entry(TypeUrls.cluster, 'grpc')).toBe(full.entry(TypeUrls.cluster, 'grpc'));
  });

  it('is empty for a Gateway without proxyless hosts', () => {
    const view = proxylessView(Snapshot.fromResources({ listeners: [listener('http', 'r')], routes: [routeConfig('r', 'web')], clusters: [edsCluster('web')], endpoints: [endpoints('web', 1)] }));
    expect(view.version).toBe(Snapshot.fromResources({}).version);
  });
});
