// Thin grpc-js binding of the AggregatedDiscoveryService onto the pure stream state machines.
import * as grpc from '@grpc/grpc-js';
import { formatIdentity, grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { peerIdentities } from '@gatehouse/kit';
import type { DeltaDiscoveryRequest__Output } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DeltaDiscoveryRequest';
import type { DiscoveryRequest__Output } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DiscoveryRequest';
import { versionOfSet } from '../core/cache/index.js';
import {
  DeltaStream,
  SotwStream,
  StreamError,
  StreamForbiddenError,
  authorizeStream,
  type DeltaResponse,
  type ProxyRegistry,
  type ProxyStream,
  type SnapshotSource,
  type SotwResponse,
  type StreamDenial,
  type StreamObserver,
  type StreamPeer,
  type StreamPolicy,
} from '../core/server/index.js';
import { XdsErrorCodes } from '../errors.js';
import { encodeDeltaResources, encodeSotwResources, PreEncodedResponse, preEncodedAware, ResponseMessages } from './response-encoder.js';

/**
 * Bytes of one incoming DiscoveryRequest. Envoy's requests name resources and, in a NACK, say what
 * was wrong: kilobytes. The kit's gRPC server takes messages up to 16 MiB for every service; ADS
 * refuses more than this before decoding, since anyone who reaches the port can send them.
 */
export const MAX_DISCOVERY_REQUEST_BYTES = 4 * 1024 * 1024;

/** What the deserializer hands on instead of a request over the cap: the bytes are dropped undecoded. */
class OversizeRequest {
  constructor(readonly bytes: number) {}
}

export interface AdsServiceOptions {
  store: SnapshotSource;
  registry: ProxyRegistry;
  /**
   * How the gRPC port is served. With 'mtls' a stream's node.cluster is bound to the identity in the
   * client certificate (core/server/stream-authorization); with 'plaintext' nobody is identified and
   * every stream is served unbound, as in development.
   */
  transport: 'mtls' | 'plaintext';
  /** Which proxyless clients may open which node clusters (XDS_PROXYLESS_CLIENTS). */
  policy?: StreamPolicy;
  /** A stream refused because its identity may not open the node cluster it asked for (metrics, log). */
  onStreamRefused?: (refusal: { reason: StreamDenial; nodeCluster: string; identities: string[]; message: string }) => void;
  /** Hears ACKs and NACKs (metrics); NACKs are also recorded in the registry. */
  observer?: StreamObserver;
  /** Sent as control_plane.identifier. Default "gatehouse-xds". */
  controlPlaneId?: string;
  onStreamError?: (err: Error) => void;
  /** Bytes of one incoming request; more ends the stream with RESOURCE_EXHAUSTED. Default MAX_DISCOVERY_REQUEST_BYTES. */
  maxRequestBytes?: number;
  /** Every response sent (metrics). */
  onPush?: (push: { variant: 'sotw' | 'delta'; typeUrl: string; resources: number; removed: number }) => void;
}

type Duplex<Req, Res> = grpc.ServerDuplexStream<Req, Res>;

export function adsServiceHandlers(options: AdsServiceOptions): grpc.UntypedServiceImplementation {
  const maxRequestBytes = options.maxRequestBytes ?? MAX_DISCOVERY_REQUEST_BYTES;
  const controlPlane = { identifier: options.controlPlaneId ?? 'gatehouse-xds' };
  const observer: StreamObserver = {
    onAck: (node, typeUrl, version) => options.observer?.onAck?.(node, typeUrl, version),
    onNack: (record) => {
      options.registry.recordNack(record);
      options.observer?.onNack?.(record);
    },
  };

  /** The caller of one stream, as the transport vouches for it. */
  const peerOf = (call: Duplex<unknown, object>): StreamPeer =>
    options.transport === 'plaintext' ? { transport: 'plaintext' } : { transport: 'mtls', identities: peerIdentities(call) };
  const authorize = (call: Duplex<unknown, object>) => {
    const peer = peerOf(call);
    return (nodeCluster: string) => authorizeStream(peer, nodeCluster, options.policy);
  };

  function serve<Req>(
    variant: 'sotw' | 'delta',
    call: Duplex<Req, object>,
    stream: { handleRequest(req: Req): void; close(): void } & ProxyStream,
  ): void {
    const unregister = options.registry.add(stream, variant);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      stream.close();
      unregister();
    };
    call.on('data', (request: Req | OversizeRequest) => {
      if (done) return;
      if (request instanceof OversizeRequest) {
        finish();
        call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: `${XdsErrorCodes.requestTooLarge}: a discovery request of ${request.bytes} bytes is over the ${maxRequestBytes}-byte limit` });
        return;
      }
      try {
        stream.handleRequest(request);
      } catch (err) {
        finish();
        if (err instanceof StreamForbiddenError) {
          const identities = peerIdentities(call).map(formatIdentity);
          options.onStreamRefused?.({ reason: err.reason, nodeCluster: err.nodeCluster, identities, message: err.detail });
          call.emit('error', { code: grpc.status.PERMISSION_DENIED, details: err.message });
          return;
        }
        const invalid = err instanceof StreamError;
        if (!invalid) options.onStreamError?.(err as Error);
        call.emit('error', {
          code: invalid ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL,
          details: err instanceof Error ? err.message : String(err),
        });
      }
    });
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('error', finish);
    call.on('cancelled', finish);
    call.on('close', finish);
  }

  return {
    StreamAggregatedResources(call: Duplex<DiscoveryRequest__Output, object>) {
      const stream = new SotwStream({
        store: options.store,
        observer,
        authorize: authorize(call),
        send: (r: SotwResponse) => {
          const resources = encodeSotwResources(r.type_url, r.version_info, r.resources);
          // The version names the resource set, so (type, version, nonce) names the whole response.
          const key = `${r.type_url} ${r.version_info} ${r.nonce}`;
          call.write(new PreEncodedResponse({ version_info: r.version_info, type_url: r.type_url, nonce: r.nonce, control_plane: controlPlane }, resources, key));
          options.onPush?.({ variant: 'sotw', typeUrl: r.type_url, resources: r.resources.length, removed: 0 });
        },
      });
      serve('sotw', call, stream);
    },
    DeltaAggregatedResources(call: Duplex<DeltaDiscoveryRequest__Output, object>) {
      const stream = new DeltaStream({
        store: options.store,
        observer,
        authorize: authorize(call),
        send: (r: DeltaResponse) => {
          const header = { system_version_info: r.system_version_info, type_url: r.type_url, nonce: r.nonce, removed_resources: r.removed_resources, control_plane: controlPlane };
          const key = `${r.type_url} ${r.system_version_info} ${r.nonce} ${versionOfSet(r.resources)} ${r.removed_resources.join(',')}`;
          call.write(new PreEncodedResponse(header, encodeDeltaResources(r.resources), key));
          options.onPush?.({ variant: 'delta', typeUrl: r.type_url, resources: r.resources.length, removed: r.removed_resources.length });
        },
      });
      serve('delta', call, stream);
    },
  };
}

/**
 * The ADS service definition with serializers that accept pre-encoded responses, and deserializers
 * that hand an OversizeRequest on for a request over `maxRequestBytes` (the handler ends the stream).
 */
export function adsServiceDefinition(maxRequestBytes = MAX_DISCOVERY_REQUEST_BYTES): grpc.ServiceDefinition {
  const definition = grpcServiceDefinition(ServiceNames.aggregatedDiscovery) as Record<string, grpc.MethodDefinition<object, object>>;
  const sotw = definition['StreamAggregatedResources']!;
  const delta = definition['DeltaAggregatedResources']!;
  sotw.responseSerialize = preEncodedAware(ResponseMessages.sotw, sotw.responseSerialize);
  delta.responseSerialize = preEncodedAware(ResponseMessages.delta, delta.responseSerialize);
  for (const method of [sotw, delta]) {
    const deserialize = method.requestDeserialize;
    method.requestDeserialize = (bytes: Buffer) => (bytes.length > maxRequestBytes ? new OversizeRequest(bytes.length) : deserialize(bytes));
  }
  return definition as grpc.ServiceDefinition;
}

export function addAdsService(server: grpc.Server, options: AdsServiceOptions): void {
  server.addService(adsServiceDefinition(options.maxRequestBytes), adsServiceHandlers(options));
}
