// Fetches what an Envoy with the given node.cluster is served, over a real ADS (state of the world)
// stream, the way Envoy does at start: LDS and CDS wildcard, then the RDS and EDS names they reference.
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames, TypeUrls, unpackAny } from '@gatehouse/contracts';
import { expandAny } from './envoy-json.js';
import type { EnvoySnapshot, HttpConnectionManager, Listener, RouteConfiguration } from './types.js';

interface DiscoveryResponse {
  type_url?: string;
  version_info?: string;
  nonce?: string;
  resources?: Array<{ type_url?: string; value?: Uint8Array }>;
}

export interface ServedSnapshot extends EnvoySnapshot {
  clusters: Array<{ name: string; type?: string; [field: string]: unknown }>;
  endpoints: Array<{ cluster_name: string; endpoints?: Array<{ lb_endpoints?: unknown[] }>; [field: string]: unknown }>;
  /** version_info per type URL, to compare what two fetches were served. */
  versions: Record<string, string>;
}

/** `creds`: the Envoy's mTLS credentials (its Gateway certificate) when xds serves mutual TLS; plaintext otherwise. */
export async function fetchServedSnapshot(xdsAddress: string, nodeCluster: string, timeoutMs = 10_000, creds: ChannelCredentials = credentials.createInsecure()): Promise<ServedSnapshot> {
  const Ads = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), 'Ads');
  const client = new Ads(xdsAddress, creds, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 }) as unknown as Client &
    Record<'StreamAggregatedResources', () => ClientDuplexStream<object, DiscoveryResponse>>;
  const call = client.StreamAggregatedResources();
  const node = { id: `e2e-envoy-${process.pid}`, cluster: nodeCluster };
  const received = new Map<string, DiscoveryResponse>();
  const waiters = new Map<string, (r: DiscoveryResponse) => void>();
  let failure: Error | undefined;
  call.on('data', (response: DiscoveryResponse) => {
    const type = response.type_url ?? '';
    received.set(type, response);
    // ACK, as Envoy does.
    call.write({ node, type_url: type, version_info: response.version_info, response_nonce: response.nonce, resource_names: names.get(type) ?? [] });
    waiters.get(type)?.(response);
  });
  call.on('error', (err: Error) => (failure = err));
  const names = new Map<string, string[]>();
  const request = (typeUrl: string, resourceNames: string[]): Promise<DiscoveryResponse> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(failure ?? new Error(`xds sent no ${typeUrl} for node.cluster ${nodeCluster} within ${timeoutMs} ms`)), timeoutMs);
      waiters.set(typeUrl, (r) => {
        clearTimeout(timer);
        waiters.delete(typeUrl);
        resolve(r);
      });
      names.set(typeUrl, resourceNames);
      call.write({ node, type_url: typeUrl, resource_names: resourceNames });
    });
  const decode = <T>(response: DiscoveryResponse): T[] => (response.resources ?? []).map((any) => expandAny(unpackAny(any)) as T);
  try {
    const clusters = decode<ServedSnapshot['clusters'][number]>(await request(TypeUrls.cluster, []));
    const edsNames = clusters.filter((c) => c.type === 'EDS').map((c) => c.name);
    const endpoints = edsNames.length ? decode<ServedSnapshot['endpoints'][number]>(await request(TypeUrls.clusterLoadAssignment, edsNames)) : [];
    const listeners = decode<Listener>(await request(TypeUrls.listener, []));
    const rdsNames = [...new Set(listeners.flatMap(routeConfigNames))];
    const routes = rdsNames.length ? decode<RouteConfiguration>(await request(TypeUrls.routeConfiguration, rdsNames)) : [];
    const versions = Object.fromEntries([...received].map(([type, r]) => [type, r.version_info ?? '']));
    return { listeners, routes, clusters, endpoints, versions };
  } finally {
    call.cancel();
    client.close();
  }
}

function routeConfigNames(listener: Listener & { api_listener?: { api_listener?: HttpConnectionManager } }): string[] {
  const managers = [
    ...(listener.filter_chains ?? []).flatMap((chain) => chain.filters.map((f) => f.typed_config as HttpConnectionManager | undefined)),
    listener.api_listener?.api_listener,
  ];
  return managers.map((hcm) => hcm?.rds?.route_config_name).filter((n): n is string => Boolean(n));
}
