// A long-lived ADS (state of the world) stream that follows the config the way Envoy does: LDS and CDS
// wildcard, then the RDS and EDS names they reference, re-subscribing when those names change, and
// ACKing every response with the names it currently wants (so a subscription change that crossed a
// push is carried by the next ACK). `current()` is what an Envoy on this stream would be running.
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames, TypeUrls, unpackAny } from '@gatehouse/contracts';
import type { ServedSnapshot } from './ads-snapshot.js';
import { expandAny } from './envoy-json.js';
import type { HttpConnectionManager, Listener, RouteConfiguration } from './types.js';

interface DiscoveryResponse {
  type_url?: string;
  version_info?: string;
  nonce?: string;
  resources?: Array<{ type_url?: string; value?: Uint8Array }>;
}

export interface AdsWatcher {
  /** The config an Envoy on this stream runs now. */
  current(): ServedSnapshot;
  /** Responses received so far. */
  updates(): number;
  /** Resolves with the current snapshot once `predicate` holds for it (checked after every response). */
  until(predicate: (snapshot: ServedSnapshot) => boolean, timeoutMs?: number, description?: string): Promise<ServedSnapshot>;
  close(): void;
}

/** `creds`: the Envoy's mTLS credentials (its Gateway certificate) when xds serves mutual TLS; plaintext otherwise. */
export async function watchAds(xdsAddress: string, nodeCluster: string, timeoutMs = 10_000, creds: ChannelCredentials = credentials.createInsecure()): Promise<AdsWatcher> {
  const Ads = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), 'Ads');
  const client = new Ads(xdsAddress, creds, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 }) as unknown as Client &
    Record<'StreamAggregatedResources', () => ClientDuplexStream<object, DiscoveryResponse>>;
  const call = client.StreamAggregatedResources();
  const node = { id: `e2e-envoy-watch-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, cluster: nodeCluster };

  const state = { listeners: [] as Listener[], routes: [] as RouteConfiguration[], clusters: [] as ServedSnapshot['clusters'], endpoints: [] as ServedSnapshot['endpoints'] };
  const versions: Record<string, string> = {};
  const nonces = new Map<string, string>();
  const wanted = new Map<string, string[]>([
    [TypeUrls.cluster, []],
    [TypeUrls.listener, []],
  ]);
  const watchers = new Set<() => void>();
  let updates = 0;
  let failure: Error | undefined;
  let closed = false;

  const snapshot = (): ServedSnapshot => ({ ...state, versions: { ...versions } });
  const send = (typeUrl: string): void => {
    if (closed) return;
    call.write({ node, type_url: typeUrl, resource_names: wanted.get(typeUrl) ?? [], version_info: versions[typeUrl] ?? '', response_nonce: nonces.get(typeUrl) ?? '' });
  };
  /** Envoy subscribes to the RDS/EDS names its listeners/clusters reference, and drops the others. */
  const follow = (typeUrl: string, names: string[]): void => {
    const sorted = [...new Set(names)].sort();
    const before = wanted.get(typeUrl);
    if (before && before.join('\n') === sorted.join('\n')) return;
    wanted.set(typeUrl, sorted);
    if (typeUrl === TypeUrls.routeConfiguration) state.routes = state.routes.filter((r) => sorted.includes(r.name));
    if (typeUrl === TypeUrls.clusterLoadAssignment) state.endpoints = state.endpoints.filter((e) => sorted.includes(e.cluster_name));
    send(typeUrl);
  };

  call.on('data', (response: DiscoveryResponse) => {
    const type = response.type_url ?? '';
    const resources = (response.resources ?? []).map((any) => expandAny(unpackAny(any)));
    updates += 1;
    versions[type] = response.version_info ?? '';
    nonces.set(type, response.nonce ?? '');
    if (type === TypeUrls.cluster) state.clusters = resources as ServedSnapshot['clusters'];
    else if (type === TypeUrls.listener) state.listeners = resources as Listener[];
    else if (type === TypeUrls.routeConfiguration) state.routes = resources as RouteConfiguration[];
    else if (type === TypeUrls.clusterLoadAssignment) state.endpoints = resources as ServedSnapshot['endpoints'];
    // Envoy pauses EDS while it applies CDS (and RDS while it applies LDS), so the new subscription goes
    // out before the ACK (CdsApiImpl / LdsApiImpl with Config::ScopedResume): a server waiting for the
    // CDS ACK to push endpoints already knows the new cluster names by then.
    if (type === TypeUrls.cluster) follow(TypeUrls.clusterLoadAssignment, state.clusters.filter((c) => c.type === 'EDS').map((c) => c.name));
    if (type === TypeUrls.listener) follow(TypeUrls.routeConfiguration, state.listeners.flatMap(routeConfigNames));
    send(type); // ACK
    for (const notify of [...watchers]) notify();
  });
  call.on('error', (err: Error) => {
    if (!closed) failure = err;
    for (const notify of [...watchers]) notify();
  });

  const until: AdsWatcher['until'] = (predicate, waitMs = timeoutMs, description = 'the awaited config') =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (failure) return finish(() => reject(failure));
        const current = snapshot();
        if (predicate(current)) finish(() => resolve(current));
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        watchers.delete(check);
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`ADS stream for ${nodeCluster} did not deliver ${description} within ${waitMs} ms`))), waitMs);
      watchers.add(check);
      check();
    });

  const close = (): void => {
    closed = true;
    call.cancel();
    client.close();
  };
  send(TypeUrls.cluster);
  send(TypeUrls.listener);
  try {
    await until(isComplete, timeoutMs, 'a complete first config (listeners, routes, clusters, endpoints)');
  } catch (err) {
    close();
    throw err;
  }
  return { current: snapshot, updates: () => updates, until, close };
}

/** Every referenced route configuration and EDS assignment is present, as Envoy needs before it serves. */
export function isComplete(snapshot: ServedSnapshot): boolean {
  if (snapshot.listeners.length === 0) return false;
  const routeNames = new Set(snapshot.routes.map((r) => r.name));
  const endpointNames = new Set(snapshot.endpoints.map((e) => e.cluster_name));
  return (
    snapshot.listeners.flatMap(routeConfigNames).every((n) => routeNames.has(n)) &&
    snapshot.clusters.filter((c) => c.type === 'EDS').every((c) => endpointNames.has(c.name))
  );
}

function routeConfigNames(listener: Listener & { api_listener?: { api_listener?: HttpConnectionManager } }): string[] {
  const managers = [
    ...(listener.filter_chains ?? []).flatMap((chain) => chain.filters.map((f) => f.typed_config as HttpConnectionManager | undefined)),
    listener.api_listener?.api_listener,
  ];
  return managers.map((hcm) => hcm?.rds?.route_config_name).filter((n): n is string => Boolean(n));
}
