// An Envoy bootstrap that gets everything from the xds service over ADS (gRPC, state of the world,
// v3), identifying the Gateway it serves by node.cluster. The xds cluster speaks mutual TLS 1.3 as Envoy
// Gateway's bootstrap does: the Envoy's certificate and the deployment CA come from two file-based SDS
// secrets next to the bootstrap (envoySdsFiles writes them), so a rotated certificate needs no restart,
// and xds must present spiffe://gatehouse/service/xds. Plaintext only for development (--plaintext).
import { DEFAULT_ENVOY_SDS_DIR, DEFAULT_PKI_DIR, envoySdsFilesFor, formatIdentity } from '@gatehouse/contracts';
import { applyClusterPolicy, customizeBootstrap, internalTlsTransportSocket, type EnvoyStartIR, type StatsMatchIR, type StatsSinkIR } from '@gatehouse/xds/core';

export interface BootstrapOptions {
  /** "<namespace>/<gatewayName>", or a GatewayClass name for the merged fleet of its Gateways (EnvoyProxy mergeGateways). */
  nodeCluster: string;
  /** Default: the node cluster with "/" replaced by "-" plus "-envoy". */
  nodeId?: string;
  /** host:port of the xds service's gRPC port. Default 127.0.0.1:18000. */
  xdsAddress?: string;
  /** Envoy admin port on 127.0.0.1. Default 9901. */
  adminPort?: number;
  /** DiscoveryAggregatedResources instead of StreamAggregatedResources. */
  delta?: boolean;
  /** No TLS to xds: local development against a GATEHOUSE_INSECURE_PLAINTEXT xds only. */
  plaintext?: boolean;
  /** Where the Envoy finds the PKI files (envoy-<ns>-<name>.crt|.key, ca.crt). Default /etc/gatehouse/pki. */
  pkiDir?: string;
  /** Where the Envoy finds the two SDS files (next to its bootstrap). Default /etc/envoy. */
  sdsDir?: string;
  /** The Gateway's EnvoyProxy settings for where Envoy starts (envoy-start.ts): the bootstrap takes its stats matcher. */
  envoyStart?: EnvoyStartIR;
}

const GATEWAY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;
const GATEWAY_CLASS = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The certificate file (in the PKI folder) of the Envoy a node cluster names, checked as the identity that
 * certificate carries: `envoy-<ns>-<name>` for a Gateway, `gatewayclass-<name>` for a merged GatewayClass.
 */
export function certificateFileBaseOf(nodeCluster: string): string {
  const match = GATEWAY.exec(nodeCluster);
  if (match) return `envoy-${match[1]!}-${match[3]!}`;
  if (GATEWAY_CLASS.test(nodeCluster)) return `gatewayclass-${nodeCluster}`;
  throw new Error(`--node-cluster must be "<namespace>/<gateway>", or a GatewayClass name whose Gateways are merged (lower-case DNS names), got "${nodeCluster}"`);
}

/** The SDS files the bootstrap's TLS context reads, by file name; none with plaintext. */
export function buildEnvoySdsFiles(options: BootstrapOptions): Record<string, string> {
  if (options.plaintext) return {};
  return envoySdsFilesFor(options.pkiDir ?? DEFAULT_PKI_DIR, certificateFileBaseOf(options.nodeCluster));
}

/**
 * The bootstrap, with the EnvoyProxy's spec.bootstrap (Replace, Merge, JSONPatch) applied as Envoy Gateway
 * does. @throws naming every problem when the result is one Envoy would refuse or that unties it from xds.
 */
export function buildEnvoyBootstrap(options: BootstrapOptions): Record<string, unknown> {
  const generated = generatedBootstrap(options);
  const custom = options.envoyStart?.bootstrap;
  if (!custom) return generated;
  const result = customizeBootstrap(generated, custom);
  if (!result.ok) throw new Error(`the EnvoyProxy's bootstrap (type ${custom.type}) is refused: ${result.problems.join('; ')}`);
  return result.bootstrap;
}

function generatedBootstrap(options: BootstrapOptions): Record<string, unknown> {
  certificateFileBaseOf(options.nodeCluster);
  const address = options.xdsAddress ?? '127.0.0.1:18000';
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(address);
  if (!match) throw new Error(`--xds-address must be host:port, got "${address}"`);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  const ads = { ads: {}, resource_api_version: 'V3' };
  return {
    node: { id: options.nodeId ?? `${options.nodeCluster.replace('/', '-')}-envoy`, cluster: options.nodeCluster },
    dynamic_resources: {
      ads_config: {
        api_type: options.delta ? 'DELTA_GRPC' : 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: 'gatehouse-xds' } }],
        set_node_on_first_message_only: true,
      },
      cds_config: ads,
      lds_config: ads,
    },
    static_resources: {
      clusters: [
        {
          name: 'gatehouse-xds',
          // A DNS name (e.g. a Kubernetes Service or compose service) resolves to every replica.
          type: /^[\d.]+$|:/.test(host) ? 'STATIC' : 'STRICT_DNS',
          connect_timeout: '5s',
          // ADS is one long-lived HTTP/2 stream: keepalives notice a dead xds replica, so Envoy
          // reconnects to another (which, with content-hash versions, resends nothing).
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
              explicit_http_config: { http2_protocol_options: { connection_keepalive: { interval: '30s', timeout: '5s' } } },
            },
          },
          upstream_connection_options: { tcp_keepalive: { keepalive_time: 60 } },
          ...(options.plaintext
            ? {}
            : { transport_socket: internalTlsTransportSocket({ sdsDir: options.sdsDir ?? DEFAULT_ENVOY_SDS_DIR, serverIdentity: formatIdentity({ kind: 'service', name: 'xds' }) }, host, true) }),
          load_assignment: {
            cluster_name: 'gatehouse-xds',
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: Number(match[2]) } } } }] }],
          },
        },
        ...(options.envoyStart?.statsSinks ?? []).map(sinkCluster),
      ],
    },
    ...(options.envoyStart?.statsSinks ? { stats_sinks: options.envoyStart.statsSinks.map(statsSink) } : {}),
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: options.adminPort ?? 9901 } } },
    ...(options.envoyStart?.statsMatches ? { stats_config: statsConfig(options.envoyStart.statsMatches) } : {}),
  };
}

/** EnvoyProxy telemetry.metrics.matches: Envoy keeps only the stats they match (Envoy Gateway's stats matcher). */
function statsConfig(matches: readonly StatsMatchIR[]): Record<string, unknown> {
  const pattern = (m: StatsMatchIR) =>
    m.type === 'Prefix' ? { prefix: m.value } : m.type === 'Suffix' ? { suffix: m.value } : m.type === 'RegularExpression' ? { safe_regex: { regex: m.value } } : { exact: m.value };
  return { stats_matcher: { inclusion_list: { patterns: matches.map(pattern) } } };
}

/** EnvoyProxy telemetry.metrics.sinks: Envoy's OpenTelemetry stats sink, pushing to the collector over gRPC. */
function statsSink(sink: StatsSinkIR): Record<string, unknown> {
  return {
    name: 'envoy.stat_sinks.open_telemetry',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.stat_sinks.open_telemetry.v3.SinkConfig',
      grpc_service: { envoy_grpc: { cluster_name: sink.clusterName } },
      report_counters_as_deltas: sink.reportCountersAsDeltas,
      report_histograms_as_deltas: sink.reportHistogramsAsDeltas,
    },
  };
}

/**
 * The collector of a metrics sink: a static HTTP/2 (gRPC) cluster, as the xds cluster is one, with its
 * backendSettings applied as xds applies the access log and tracing collectors' (a BackendTrafficPolicy's cluster settings).
 */
function sinkCluster(sink: StatsSinkIR): Record<string, unknown> {
  const cluster: Record<string, unknown> = {
    name: sink.clusterName,
    type: /^[\d.]+$|:/.test(sink.host) ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: '5s',
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    load_assignment: { cluster_name: sink.clusterName, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: sink.host, port_value: sink.port } } } }] }] },
  };
  if (sink.policy) applyClusterPolicy(cluster, sink.policy, true, cluster.load_assignment as Record<string, unknown>);
  return cluster;
}
