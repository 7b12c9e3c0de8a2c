import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookupMessage, toObjectOptions } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
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
  it('differ only in node id, where xds is, and TLS (envoy-local.yaml is for the plaintext xds of pnpm start)', () => {
    const strip = (file: string): unknown => {
      const doc = readYaml(file) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      delete doc.node.id;
      const xds = doc.static_resources.clusters[0];
      delete xds.type;
      delete xds.transport_socket;
      delete xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address;
      return doc;
    };
    expect(strip('deploy/envoy/envoy-local.yaml')).toEqual(strip('deploy/envoy/envoy.yaml'));
    expect((readYaml('deploy/envoy/envoy-local.yaml') as any).static_resources.clusters[0].transport_socket).toBeUndefined(); // eslint-disable-line @typescript-eslint/no-explicit-any
  });
});

describe('mutual TLS to xds in the deployed bootstraps (compose and k8s)', () => {
  const k8sConfigMap = () => {
    const docs = parseAllDocuments(readFileSync(join(repoRoot, 'deploy/k8s/30-envoy.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; data?: Record<string, string> });
    return docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'envoy-bootstrap')!.data!;
  };
  const bootstraps = (): Array<[string, Record<string, any>]> => [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['deploy/envoy/envoy.yaml', readYaml('deploy/envoy/envoy.yaml')],
    ['deploy/k8s/30-envoy.yaml', parse(k8sConfigMap()['envoy.yaml']!) as Record<string, unknown>],
  ];

  it("the xds cluster speaks TLS 1.3 only, with the Envoy's certificate and the CA from file-based SDS, and accepts only xds's identity", () => {
    for (const [file, bootstrap] of bootstraps()) {
      const { value, issues } = protoJsonToObject(Bootstrap, bootstrap);
      expect(issues, file).toEqual([]);
      const socket = (value as any).static_resources.clusters.find((c: { name: string }) => c.name === 'xds').transport_socket; // eslint-disable-line @typescript-eslint/no-explicit-any
      const Tls = lookupMessage('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
      expect(socket.typed_config.type_url, file).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
      const tls = Tls.toObject(Tls.decode(socket.typed_config.value), toObjectOptions) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      const context = tls.common_tls_context;
      expect(context.tls_params, file).toMatchObject({ tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' });
      expect(context.alpn_protocols, file).toEqual(['h2']);
      expect(context.tls_certificate_sds_secret_configs[0], file).toMatchObject({ name: 'gatehouse-envoy-certificate', sds_config: { path_config_source: { path: '/etc/envoy/gatehouse-envoy-certificate.json' } } });
      expect(context.combined_validation_context.validation_context_sds_secret_config, file).toMatchObject({ name: 'gatehouse-trusted-ca', sds_config: { path_config_source: { path: '/etc/envoy/gatehouse-trusted-ca.json' } } });
      expect(context.combined_validation_context.default_validation_context.match_typed_subject_alt_names, file).toEqual([
        expect.objectContaining({ san_type: 'URI', matcher: expect.objectContaining({ exact: 'spiffe://gatehouse/service/xds' }) }),
      ]);
    }
  });

  it("the SDS files are valid Secrets naming the PKI files of the bootstrap's Gateway, the same in compose and k8s", () => {
    const Secret = lookupMessage('envoy.extensions.transport_sockets.tls.v3.Secret');
    const k8s = k8sConfigMap();
    for (const file of ['gatehouse-envoy-certificate.json', 'gatehouse-trusted-ca.json']) {
      const text = readFileSync(join(repoRoot, 'deploy/envoy', file), 'utf8');
      expect(JSON.parse(k8s[file]!), file).toEqual(JSON.parse(text));
      const { '@type': type, ...secret } = (JSON.parse(text) as { resources: Array<Record<string, unknown>> }).resources[0]!;
      expect(type).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
      expect(protoJsonToObject(Secret, secret).issues, file).toEqual([]);
    }
    const node = (readYaml('deploy/envoy/envoy.yaml') as { node: { cluster: string } }).node.cluster.replace('/', '-');
    expect(readFileSync(join(repoRoot, 'deploy/envoy/gatehouse-envoy-certificate.json'), 'utf8')).toContain(`/etc/gatehouse/pki/envoy-${node}.crt`);
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
