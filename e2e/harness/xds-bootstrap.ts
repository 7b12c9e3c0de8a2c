// The gRPC xDS bootstrap (https://github.com/grpc/proposal/blob/master/A27-xds-global-load-balancing.md)
// a grpc-js-xds client needs to find the xds service: which server, which node it claims to be.
import { randomBytes } from 'node:crypto';

export interface XdsBootstrapOptions {
  /** host:port of the ADS server (the xds service's gRPC port). */
  serverUri: string;
  /** node.id sent to the server. Default: 'gatehouse-e2e-<random>'. */
  nodeId?: string;
  /** node.cluster sent to the server, e.g. the Gateway it serves ("default/gateway"). */
  nodeCluster?: string;
  /** Extra node.metadata (a google.protobuf.Struct in JSON form). */
  nodeMetadata?: Record<string, unknown>;
  /**
   * server_features. Default ['xds_v3']; add 'ignore_resource_deletion' to keep resources when the server
   * stops sending them.
   */
  serverFeatures?: string[];
}

/** JSON shape of the bootstrap file (only the fields Gatehouse sets). */
export interface XdsBootstrap {
  xds_servers: Array<{ server_uri: string; channel_creds: Array<{ type: string }>; server_features: string[] }>;
  node: { id: string; cluster?: string; locality: Record<string, string>; metadata?: Record<string, unknown> };
}

export function buildXdsBootstrap(options: XdsBootstrapOptions): XdsBootstrap {
  if (!/^[^:/]+:\d+$/.test(options.serverUri) && !/^\[[^\]]+\]:\d+$/.test(options.serverUri)) {
    throw new Error(`xDS serverUri must be host:port, got "${options.serverUri}"`);
  }
  return {
    xds_servers: [
      {
        server_uri: options.serverUri,
        // Plaintext: tests run on loopback; the xds service speaks plain gRPC inside the compose network.
        channel_creds: [{ type: 'insecure' }],
        server_features: options.serverFeatures ?? ['xds_v3'],
      },
    ],
    node: {
      id: options.nodeId ?? `gatehouse-e2e-${randomBytes(4).toString('hex')}`,
      ...(options.nodeCluster ? { cluster: options.nodeCluster } : {}),
      locality: {},
      ...(options.nodeMetadata ? { metadata: options.nodeMetadata } : {}),
    },
  };
}
