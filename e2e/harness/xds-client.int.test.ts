import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, packAny, ServiceNames, TypeUrls } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildXdsBootstrap } from './xds-bootstrap.js';
import { createXdsClient } from './xds-client.js';

const healthService = grpcServiceDefinition(ServiceNames.health);

/** A grpc.health.v1 server: the data-plane target the xDS config points at. */
async function startHealthServer(): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(healthService, {
    Check: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { status: 'SERVING' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server };
}

/** The smallest SotW ADS server that can steer a proxyless gRPC client: one listener, route, cluster, endpoint. */
async function startAdsServer(backendPort: number): Promise<{ port: number; server: grpc.Server; nodes: string[] }> {
  const nodes: string[] = [];
  const resources: Record<string, Array<{ type_url: string; value: Buffer }>> = {
    [TypeUrls.listener]: [
      packAny('envoy.config.listener.v3.Listener', {
        name: 'health-target',
        api_listener: {
          api_listener: packAny('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
            route_config: {
              name: 'route',
              virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster: 'backend' } }] }],
            },
            http_filters: [{ name: 'router', typed_config: packAny('envoy.extensions.filters.http.router.v3.Router', {}) }],
          }),
        },
      }),
    ],
    [TypeUrls.cluster]: [
      packAny('envoy.config.cluster.v3.Cluster', {
        name: 'backend',
        type: 'EDS',
        eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
        lb_policy: 'ROUND_ROBIN',
      }),
    ],
    [TypeUrls.clusterLoadAssignment]: [
      packAny('envoy.config.endpoint.v3.ClusterLoadAssignment', {
        cluster_name: 'backend',
        endpoints: [
          {
            locality: {},
            load_balancing_weight: { value: 1 },
            lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: backendPort } } } }],
          },
        ],
      }),
    ],
  };
  const server = new grpc.Server();
  server.addService(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<Record<string, any>, object>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const sent = new Set<string>();
      call.on('data', (request) => {
        if (request.node?.id) nodes.push(`${request.node.id} ${request.node.cluster ?? ''}`);
        // Answer each type once; later requests of that type are ACKs.
        if (sent.has(request.type_url)) return;
        sent.add(request.type_url);
        call.write({ version_info: '1', type_url: request.type_url, nonce: `n-${sent.size}`, resources: resources[request.type_url] ?? [] });
      });
      call.on('end', () => call.end());
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<object, object>) =>
      call.destroy(Object.assign(new Error('delta not served here'), { code: grpc.status.UNIMPLEMENTED })),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server, nodes };
}

describe('createXdsClient', () => {
  let backend: Awaited<ReturnType<typeof startHealthServer>>;
  let ads: Awaited<ReturnType<typeof startAdsServer>>;
  beforeAll(async () => {
    backend = await startHealthServer();
    ads = await startAdsServer(backend.port);
  });
  afterAll(() => {
    backend?.server.forceShutdown();
    ads?.server.forceShutdown();
  });

  it('resolves an xds:/// target through the given bootstrap and calls the endpoint it was sent', async () => {
    const bootstrap = buildXdsBootstrap({ serverUri: `127.0.0.1:${ads.port}`, nodeId: 'e2e-client', nodeCluster: 'default/gateway' });
    const { client, close } = createXdsClient({ bootstrap, service: healthService, target: 'xds:///health-target' });
    try {
      const check = client.Check as (req: object, options: grpc.CallOptions, cb: grpc.requestCallback<{ status: string }>) => void;
      const reply = await new Promise<{ status: string } | undefined>((resolve, reject) =>
        check.call(client, { service: '' }, { deadline: Date.now() + 20_000, waitForReady: true } as grpc.CallOptions, (err, value) =>
          err ? reject(err) : resolve(value),
        ),
      );
      expect(reply?.status).toBe('SERVING');
      expect(ads.nodes).toContain('e2e-client default/gateway');
    } finally {
      close();
    }
  });
});
