// Watches what xds serves an Envoy over one long-lived ADS (state of the world) stream: listeners
// (wildcard) and the named SDS secrets, ACKing every response as Envoy does. Unlike a one-shot
// snapshot fetch it sees every push, so a test can tell a secret rotation from a listener change.
import { credentials, makeGenericClientConstructor, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames, TypeUrls, unpackAny } from '@gatehouse/contracts';
import { expandAny } from './envoy-json.js';

interface DiscoveryResponse {
  type_url?: string;
  version_info?: string;
  nonce?: string;
  resources?: Array<{ type_url?: string; value?: Uint8Array }>;
}

/** envoy.extensions.transport_sockets.tls.v3.Secret in Envoy's JSON form, the parts a TLS listener uses. */
export interface ServedSecret {
  name: string;
  tls_certificate?: { certificate_chain?: { inline_string?: string }; private_key?: { inline_string?: string } };
}

export interface ServedPush {
  typeUrl: string;
  version: string;
  resources: unknown[];
}

export interface AdsWatch {
  /** Every push received so far, in order. */
  readonly pushes: readonly ServedPush[];
  /** The latest secrets push (names as subscribed), if any. */
  latestSecrets(): { version: string; secrets: ServedSecret[] } | undefined;
  close(): void;
}

export function watchListenersAndSecrets(xdsAddress: string, nodeCluster: string, secretNames: readonly string[]): AdsWatch {
  const Ads = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), 'Ads');
  const client = new Ads(xdsAddress, credentials.createInsecure()) as unknown as Client &
    Record<'StreamAggregatedResources', () => ClientDuplexStream<object, DiscoveryResponse>>;
  const call = client.StreamAggregatedResources();
  const node = { id: `e2e-sds-${process.pid}`, cluster: nodeCluster };
  const names: Record<string, readonly string[]> = { [TypeUrls.listener]: [], [TypeUrls.secret]: secretNames };
  const pushes: ServedPush[] = [];
  call.on('data', (response: DiscoveryResponse) => {
    const typeUrl = response.type_url ?? '';
    pushes.push({ typeUrl, version: response.version_info ?? '', resources: (response.resources ?? []).map((any) => expandAny(unpackAny(any))) });
    call.write({ node, type_url: typeUrl, version_info: response.version_info, response_nonce: response.nonce, resource_names: names[typeUrl] ?? [] });
  });
  // A cancelled stream ends with an error event; the test looks at pushes, not at the stream's end.
  call.on('error', () => undefined);
  // Listeners first, as Envoy asks at start; its TLS filter chains then ask for their secrets by name.
  call.write({ node, type_url: TypeUrls.listener, resource_names: [] });
  call.write({ node, type_url: TypeUrls.secret, resource_names: secretNames });
  return {
    pushes,
    latestSecrets() {
      const last = pushes.filter((p) => p.typeUrl === TypeUrls.secret).at(-1);
      return last && { version: last.version, secrets: last.resources as ServedSecret[] };
    },
    close() {
      call.cancel();
      client.close();
    },
  };
}
