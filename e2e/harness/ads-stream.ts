// A long-lived state-of-the-world ADS stream that behaves like Envoy: subscribes to CDS and LDS (wildcard),
// then to the EDS and RDS names they reference, ACKs every response, and remembers the last version_info and
// nonce per type. A drill keeps one open across an xds restart, then reconnects with what it holds.
import { credentials, makeGenericClientConstructor, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames, TypeUrls, unpackAny } from '@gatehouse/contracts';

interface DiscoveryResponse {
  type_url?: string;
  version_info?: string;
  nonce?: string;
  resources?: Array<{ type_url?: string; value?: Uint8Array }>;
}

/** What the client holds per type URL. */
export interface HeldType {
  version: string;
  nonce: string;
  names: string[];
}

export interface AdsStreamOptions {
  readonly address: string;
  readonly nodeCluster: string;
  readonly nodeId?: string;
  /**
   * What a reconnecting client already holds: every first request carries that version_info (and nonce), as
   * Envoy does after a reconnect, so a server with the same content needs to send nothing.
   */
  readonly resumeFrom?: Readonly<Record<string, HeldType>>;
}

export interface AdsStream {
  /** Every response received, in order. */
  readonly responses: DiscoveryResponse[];
  readonly held: Record<string, HeldType>;
  /** Set when the stream ended (e.g. the server was killed). */
  readonly ended: Error | undefined;
  close(): void;
}

const ORDER = [TypeUrls.cluster, TypeUrls.clusterLoadAssignment, TypeUrls.listener, TypeUrls.routeConfiguration];

export function openAdsStream(options: AdsStreamOptions): AdsStream {
  const Ads = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), 'Ads');
  const client = new Ads(options.address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 }) as unknown as Client &
    Record<'StreamAggregatedResources', () => ClientDuplexStream<object, DiscoveryResponse>>;
  const call = client.StreamAggregatedResources();
  const node = { id: options.nodeId ?? `drill-envoy-${process.pid}`, cluster: options.nodeCluster };
  const held: Record<string, HeldType> = {};
  const responses: DiscoveryResponse[] = [];
  const subscribed = new Map<string, string[]>();
  let ended: Error | undefined;

  const subscribe = (typeUrl: string, names: string[]): void => {
    const previous = subscribed.get(typeUrl);
    if (previous && previous.join('\n') === names.join('\n')) return;
    subscribed.set(typeUrl, names);
    const resume = previous ? undefined : options.resumeFrom?.[typeUrl];
    const current = held[typeUrl];
    call.write({
      node,
      type_url: typeUrl,
      resource_names: names,
      version_info: current?.version ?? resume?.version ?? '',
      response_nonce: current?.nonce ?? resume?.nonce ?? '',
    });
  };

  call.on('data', (response: DiscoveryResponse) => {
    responses.push(response);
    const type = response.type_url ?? '';
    const decoded = (response.resources ?? []).map((any) => unpackAny<Record<string, unknown>>(any));
    held[type] = { version: response.version_info ?? '', nonce: response.nonce ?? '', names: decoded.map((r) => String(r.name ?? r.cluster_name ?? '')) };
    // ACK, as Envoy does.
    call.write({ node, type_url: type, version_info: response.version_info, response_nonce: response.nonce, resource_names: subscribed.get(type) ?? [] });
    if (type === TypeUrls.cluster) {
      const eds = decoded.filter((c) => c.type === 'EDS' || c.type === 3).map((c) => String(c.name));
      if (eds.length) subscribe(TypeUrls.clusterLoadAssignment, eds);
    }
    if (type === TypeUrls.listener) {
      const rds = decoded.flatMap(routeConfigNames);
      if (rds.length) subscribe(TypeUrls.routeConfiguration, [...new Set(rds)]);
    }
  });
  call.on('error', (err: Error) => (ended = err));
  call.on('end', () => (ended ??= new Error('stream ended')));

  subscribe(TypeUrls.cluster, []);
  subscribe(TypeUrls.listener, []);
  // A resumed client already knows the names it subscribed to.
  for (const type of ORDER) {
    const resume = options.resumeFrom?.[type];
    if (resume && (type === TypeUrls.clusterLoadAssignment || type === TypeUrls.routeConfiguration)) subscribe(type, resume.names);
  }

  return {
    responses,
    held,
    get ended() {
      return ended;
    },
    close() {
      call.cancel();
      client.close();
    },
  };
}

function routeConfigNames(listener: Record<string, unknown>): string[] {
  const chains = (listener.filter_chains as Array<{ filters?: Array<{ typed_config?: { type_url?: string; value?: Uint8Array } }> }> | undefined) ?? [];
  const names: string[] = [];
  for (const chain of chains) {
    for (const filter of chain.filters ?? []) {
      if (!filter.typed_config?.value) continue;
      const hcm = unpackAny<{ rds?: { route_config_name?: string } }>(filter.typed_config as { type_url: string; value: Uint8Array });
      if (hcm.rds?.route_config_name) names.push(hcm.rds.route_config_name);
    }
  }
  return names;
}
