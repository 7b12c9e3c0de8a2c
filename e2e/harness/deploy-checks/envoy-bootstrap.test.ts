import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookupMessage, toObjectOptions } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../service.js';
import { protoJsonToObject } from './proto-json.js';

const Bootstrap = lookupMessage('envoy.config.bootstrap.v3.Bootstrap');
const bootstrapFiles = ['deploy/envoy/envoy.yaml', 'deploy/envoy/envoy-local.yaml'];

function readYaml(relative: string): Record<string, unknown> {
  return parse(readFileSync(join(repoRoot, relative), 'utf8')) as Record<string, unknown>;
}

/** The bootstrap as Envoy would load it: converted with unknown-field checks, encoded, decoded. */
function loadBootstrap(relative: string) {
  const { value, issues } = protoJsonToObject(Bootstrap, readYaml(relative));
  const decoded = Bootstrap.toObject(Bootstrap.decode(Bootstrap.encode(Bootstrap.fromObject(value)).finish()), toObjectOptions);
  return { issues, decoded: decoded as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe.each(bootstrapFiles)('%s', (file) => {
  it('is a valid envoy.config.bootstrap.v3.Bootstrap with no unknown or deprecated fields', () => {
    expect(loadBootstrap(file).issues).toEqual([]);
  });

  it('gets listeners and clusters from the xds service over ADS (v3, gRPC)', () => {
    const { decoded } = loadBootstrap(file);
    const dynamic = decoded.dynamic_resources;
    expect(dynamic.ads_config).toMatchObject({ api_type: 'GRPC', transport_api_version: 'V3' });
    expect(dynamic.ads_config.grpc_services[0].envoy_grpc.cluster_name).toBe('xds');
    for (const source of [dynamic.lds_config, dynamic.cds_config]) {
      expect(source).toMatchObject({ ads: {}, resource_api_version: 'V3' });
    }
    expect(decoded.static_resources.listeners.map((l: { name: string }) => l.name)).toEqual(['envoy-stats']);
    expect(decoded.static_resources.clusters.map((c: { name: string }) => c.name)).toEqual(['xds', 'envoy-admin']);
  });

  it('exposes only GET /stats/prometheus of the admin API to Prometheus', () => {
    const { value } = protoJsonToObject(Bootstrap, readYaml(file));
    const listener = (value as any).static_resources.listeners[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const hcm = lookupMessage('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    const manager = hcm.toObject(hcm.decode(listener.filter_chains[0].filters[0].typed_config.value), toObjectOptions) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const routes = manager.route_config.virtual_hosts.flatMap((v: { routes: unknown[] }) => v.routes);
    expect(routes).toEqual([
      expect.objectContaining({
        match: expect.objectContaining({ path: '/stats/prometheus', headers: [expect.objectContaining({ name: ':method', string_match: expect.objectContaining({ exact: 'GET' }) })] }),
        route: expect.objectContaining({ cluster: 'envoy-admin' }),
      }),
    ]);
  });

  it('talks HTTP/2 to the xds cluster', () => {
    const { decoded } = loadBootstrap(file);
    const options = decoded.static_resources.clusters[0].typed_extension_protocol_options;
    const key = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
    expect(options[key].type_url).toBe(`type.googleapis.com/${key}`);
    const HttpProtocolOptions = lookupMessage(key);
    const http = HttpProtocolOptions.toObject(HttpProtocolOptions.decode(options[key].value), toObjectOptions);
    expect(http.explicit_http_config.http2_protocol_options).toBeDefined();
  });

  it('binds the admin API to loopback only and names the Gateway as node.cluster', () => {
    const { decoded } = loadBootstrap(file);
    expect(decoded.admin.address.socket_address.address).toBe('127.0.0.1');
    expect(decoded.node.cluster).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
  });

  it('has overload protection on heap and downstream connections', () => {
    const { decoded } = loadBootstrap(file);
    const monitors = decoded.overload_manager.resource_monitors.map((m: { name: string }) => m.name);
    expect(monitors).toEqual(
      expect.arrayContaining(['envoy.resource_monitors.fixed_heap', 'envoy.resource_monitors.global_downstream_max_connections']),
    );
    for (const action of decoded.overload_manager.actions) {
      for (const trigger of action.triggers) expect(monitors).toContain(trigger.name);
    }
  });
});

describe('the two bootstraps', () => {
  it('differ only in node id and where xds is', () => {
    const strip = (file: string): unknown => {
      const doc = readYaml(file) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      delete doc.node.id;
      const xds = doc.static_resources.clusters[0];
      delete xds.type;
      delete xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address;
      return doc;
    };
    expect(strip('deploy/envoy/envoy-local.yaml')).toEqual(strip('deploy/envoy/envoy.yaml'));
  });
});

describe('protoJsonToObject', () => {
  it('reports unknown fields, also inside typed_config, with their path', () => {
    const { issues } = protoJsonToObject(Bootstrap, {
      admin: { adress: {} },
      overload_manager: {
        resource_monitors: [
          {
            name: 'm',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig',
              max_heap_bytes: 1,
            },
          },
        ],
      },
    });
    expect(issues.map((i) => i.path)).toEqual(['/admin/adress', '/overload_manager/resource_monitors/0/typed_config/max_heap_bytes']);
  });

  it('reports wrong value types, bad durations, two members of a oneof and unknown Any types', () => {
    const { issues } = protoJsonToObject(Bootstrap, {
      static_resources: {
        clusters: [
          {
            name: 'c',
            connect_timeout: 5,
            type: 'NOT_A_TYPE',
            cluster_type: { name: 'x' },
            typed_extension_protocol_options: { x: { '@type': 'type.googleapis.com/no.such.Type' } },
          },
        ],
      },
    });
    expect(issues.map((i) => i.path)).toEqual([
      '/static_resources/clusters/0/connect_timeout',
      '/static_resources/clusters/0/type',
      '/static_resources/clusters/0/cluster_type',
      '/static_resources/clusters/0/typed_extension_protocol_options/x/@type',
    ]);
  });

  it('accepts camelCase names and 64-bit integers written as strings', () => {
    const { issues, value } = protoJsonToObject(Bootstrap, { statsFlushInterval: '5s', node: { id: 'n' }, admin: { address: { socket_address: { address: '127.0.0.1', port_value: 1 } } } });
    expect(issues).toEqual([]);
    expect(value.stats_flush_interval).toEqual({ seconds: 5, nanos: 0 });
  });
});
