// grpc-js clients that resolve xds:/// targets through a given bootstrap, so a test can act as a
// proxyless gRPC data plane of the xds service. Each client gets its own bootstrap (per-channel
// option), so tests in one process can talk to different xds servers.
import * as grpc from '@grpc/grpc-js';
import { register } from '@grpc/grpc-js-xds';
import type { XdsBootstrap } from './xds-bootstrap.js';

// grpc-js-xds reads the bootstrap from this channel option before GRPC_XDS_BOOTSTRAP(_CONFIG).
const BOOTSTRAP_CHANNEL_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

let registered = false;

export interface CreateXdsClientOptions {
  bootstrap: XdsBootstrap;
  /** e.g. grpcServiceDefinition(ServiceNames.health) from @gatehouse/contracts. */
  service: grpc.ServiceDefinition;
  /** 'xds:///<listener name>'. */
  target: string;
  channelOptions?: grpc.ChannelOptions;
}

export interface XdsClientHandle {
  /** A generic grpc-js client: call methods by their proto names, e.g. `client.Check(req, cb)`. */
  readonly client: grpc.Client & Record<string, unknown>;
  close(): void;
}

export function createXdsClient(options: CreateXdsClientOptions): XdsClientHandle {
  if (!options.target.startsWith('xds:')) throw new Error(`xDS target must start with "xds:", got "${options.target}"`);
  if (!registered) {
    register();
    registered = true;
  }
  const ClientConstructor = grpc.makeClientConstructor(options.service, 'XdsTestClient');
  const client = new ClientConstructor(options.target, grpc.credentials.createInsecure(), {
    ...options.channelOptions,
    [BOOTSTRAP_CHANNEL_OPTION]: JSON.stringify(options.bootstrap),
  }) as grpc.Client & Record<string, unknown>;
  return { client, close: () => client.close() };
}
