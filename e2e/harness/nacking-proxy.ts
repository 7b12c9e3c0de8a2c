// A proxy that connects over SotW ADS, asks for clusters, and rejects (NACKs) on request: what an Envoy
// that cannot take a configuration does, for specs that show NACKs to an operator.
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames, TypeUrls } from '@gatehouse/contracts';

interface DiscoveryResponse {
  version_info?: string;
  nonce?: string;
}

export interface NackingProxy {
  /** The first clusters response: the proxy is registered by then. */
  readonly firstResponse: Promise<DiscoveryResponse>;
  /** Rejects the clusters received last with this error text. */
  nack(message: string): Promise<void>;
  close(): void;
}

/** `credentials`: the Gateway's Envoy certificate when xds serves mutual TLS (the harness default); plaintext otherwise. */
export function connectNackingProxy(options: { address: string; nodeId: string; nodeCluster: string; credentials?: ChannelCredentials }): NackingProxy {
  const Ads = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), 'Ads');
  const client = new Ads(options.address, options.credentials ?? credentials.createInsecure()) as unknown as Client & Record<'StreamAggregatedResources', () => ClientDuplexStream<object, DiscoveryResponse>>;
  const call = client.StreamAggregatedResources();
  const node = { id: options.nodeId, cluster: options.nodeCluster };
  call.on('error', () => undefined);
  const firstResponse = new Promise<DiscoveryResponse>((resolve, reject) => {
    call.once('data', resolve);
    call.once('error', reject);
  });
  call.write({ node, type_url: TypeUrls.cluster, resource_names: [] });
  return {
    firstResponse,
    async nack(message) {
      const response = await firstResponse;
      call.write({ node, type_url: TypeUrls.cluster, response_nonce: response.nonce, error_detail: { code: 3, message } });
    },
    close() {
      call.cancel();
      client.close();
    },
  };
}
