// The part of a Gateway's snapshot a proxyless gRPC client may see: its API listeners, the route
// configurations they load, the clusters those routes send to and their endpoints. Never the Envoy
// listeners (the Gateway's ports and filter chains) and never a Secret.
import { TypeUrls } from '@gatehouse/contracts';
import { edsServiceName, referencedRouteConfigs, Snapshot, type EnvoyResource } from './snapshot.js';

/** The proxyless view of `snapshot`; entries are shared with it, so their encodings are shared too. */
export function proxylessView(snapshot: Snapshot): Snapshot {
  const listeners = [...snapshot.entries(TypeUrls.listener).values()].filter((e) => e.resource['api_listener'] !== undefined);
  const routeNames = new Set(listeners.flatMap((l) => referencedRouteConfigs(l.resource)));
  const routes = [...routeNames].flatMap((name) => snapshot.entry(TypeUrls.routeConfiguration, name) ?? []);
  const clusterNames = new Set(routes.flatMap((r) => routedClusters(r.resource)));
  const clusters = [...clusterNames].flatMap((name) => snapshot.entry(TypeUrls.cluster, name) ?? []);
  const endpoints = clusters.flatMap((c) => {
    const eds = edsServiceName(c.resource);
    return eds === undefined ? [] : (snapshot.entry(TypeUrls.clusterLoadAssignment, eds) ?? []);
  });
  return Snapshot.fromResources(
    {
      listeners: listeners.map((e) => e.resource),
      routes: routes.map((e) => e.resource),
      clusters: clusters.map((e) => e.resource),
      endpoints: endpoints.map((e) => e.resource),
    },
    snapshot,
  );
}

/** Every cluster a route configuration sends to: `cluster`, weighted clusters and mirrors. */
function routedClusters(routeConfiguration: EnvoyResource): string[] {
  const found: string[] = [];
  const virtualHosts = (routeConfiguration['virtual_hosts'] ?? []) as Array<{ routes?: Array<{ route?: RouteAction }> }>;
  for (const route of virtualHosts.flatMap((v) => v.routes ?? [])) {
    const action = route.route;
    if (!action) continue;
    if (typeof action.cluster === 'string') found.push(action.cluster);
    for (const weighted of action.weighted_clusters?.clusters ?? []) if (typeof weighted.name === 'string') found.push(weighted.name);
    for (const mirror of action.request_mirror_policies ?? []) if (typeof mirror.cluster === 'string') found.push(mirror.cluster);
  }
  return found;
}

interface RouteAction {
  cluster?: unknown;
  weighted_clusters?: { clusters?: Array<{ name?: unknown }> };
  request_mirror_policies?: Array<{ cluster?: unknown }>;
}
