// An EnvoyProxy's access logs and tracing on one Gateway's generated resources, as Envoy Gateway puts
// them: Route-level logs on every HTTP connection manager (and tcp_proxy) `access_log`, Listener-level
// logs on the Listener's `access_log` (File, gRPC ALS or OpenTelemetry loggers); tracing on every HTTP connection manager (OpenTelemetry over gRPC
// or Zipkin, random sampling, custom tags); one cluster per collector (HTTP/2 for the gRPC ones). Proxyless API listeners are left as
// they are (gRPC clients do not log or trace through xDS).
import type { AccessLogIR, EnvoyProxyTelemetryIR, OpenTelemetryLogSinkIR, TracingIR } from '../gatewayapi/envoy-proxy-telemetry.js';
import type { EnvoyResource, EnvoyResources } from '../ir/envoy-resources.js';
import { applyClusterPolicy } from './cluster-policy.js';
import { buildServiceCluster } from './clusters.js';
import type { EnvoyObject } from './envoy-types.js';

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';

export function applyEnvoyProxyTelemetry(resources: EnvoyResources, telemetry: EnvoyProxyTelemetryIR): void {
  const logs = telemetry.accessLogs ?? [];
  const routeLogs = logs.filter((log) => log.level === 'Route');
  const listenerLogs = logs.filter((log) => log.level === 'Listener');
  resources.listeners = resources.listeners.map((listener) => {
    if (listener.api_listener !== undefined) return listener;
    const chains = (listener.filter_chains as EnvoyObject[] | undefined) ?? [];
    const patched: Record<string, unknown> = {
      ...listener,
      filter_chains: chains.map((chain) => ({
        ...chain,
        filters: ((chain.filters as EnvoyObject[] | undefined) ?? []).map((filter) => {
          const config = filter.typed_config as EnvoyObject | undefined;
          if (filter.name === HCM && config) {
            return { ...filter, typed_config: { ...config, ...(routeLogs.length > 0 ? { access_log: routeLogs.map((l) => accessLog(l, 'HTTP')) } : {}), ...(telemetry.tracing ? { tracing: tracing(telemetry.tracing) } : {}) } };
          }
          if (filter.name === TCP_PROXY && config && routeLogs.length > 0) return { ...filter, typed_config: { ...config, access_log: routeLogs.map((l) => accessLog(l, 'TCP')) } };
          return filter;
        }),
      })),
    };
    if (listenerLogs.length > 0) patched.access_log = listenerLogs.map((l) => accessLog(l, 'TCP'));
    return patched as EnvoyResource;
  });
  // Envoy Gateway's enableRequestResponseSizesStats: request and response size histograms per cluster.
  // enableVirtualHostStats, as Envoy Gateway builds it: one virtual cluster per virtual host, named
  // after its hostname (dots as underscores, for stats tags), matching :authority by that prefix.
  if (telemetry.virtualHostStats) {
    resources.routes = resources.routes.map((config) => ({
      ...config,
      virtual_hosts: ((config.virtual_hosts as EnvoyObject[] | undefined) ?? []).map((host) => {
        const hostname = ((host.domains as string[] | undefined) ?? [])[0] ?? '*';
        return { ...host, virtual_clusters: [{ name: hostname.replaceAll('.', '_'), headers: [{ name: ':authority', string_match: { prefix: hostname } }] }] };
      }),
    }));
  }
  // enablePerEndpointStats: stats per upstream endpoint too (Envoy Gateway warns they are costly).
  if (telemetry.requestResponseSizes || telemetry.perEndpointStats) {
    const track = { ...(telemetry.requestResponseSizes ? { request_response_sizes: true } : {}), ...(telemetry.perEndpointStats ? { per_endpoint_stats: true } : {}) };
    resources.clusters = resources.clusters.map((cluster) => ({ ...cluster, track_cluster_stats: track }));
  }
  for (const collector of telemetry.clusters ?? []) {
    const cluster = buildServiceCluster({ clusterName: collector.name, host: collector.host, port: collector.port }, collector.http2);
    if (collector.policy) applyClusterPolicy(cluster, collector.policy, collector.http2, cluster.load_assignment as EnvoyObject);
    resources.clusters.push(cluster);
  }
}

/** One Envoy AccessLog; `on`: what carries it (a gRPC ALS sink of type HTTP logs HTTP requests only on an HTTP connection manager). */
/** settings[].matches, as Envoy Gateway writes them: Envoy's CEL access log filter, several joined by or_filter. */
function accessLog(log: AccessLogIR, on: 'HTTP' | 'TCP'): EnvoyObject {
  const logger = accessLogger(log, on);
  if (!log.matches || log.matches.length === 0) return logger;
  const cel = (expression: string) => ({
    extension_filter: { name: 'envoy.access_loggers.extension_filters.cel', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter', expression } },
  });
  return { ...logger, filter: log.matches.length === 1 ? cel(log.matches[0]!) : { or_filter: { filters: log.matches.map(cel) } } };
}

function accessLogger(log: AccessLogIR, on: 'HTTP' | 'TCP'): EnvoyObject {
  const { sink } = log;
  if (sink.kind === 'file') {
    const logFormat = 'text' in log.format ? { text_format_source: { inline_string: log.format.text } } : { json_format: log.format.json };
    return { name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: sink.path, log_format: logFormat } };
  }
  if (sink.kind === 'otel') return openTelemetryLogger(sink);
  const commonConfig = { log_name: sink.logName, grpc_service: { envoy_grpc: { cluster_name: sink.cluster } }, transport_api_version: 'V3' };
  if (sink.type === 'HTTP' && on === 'HTTP') {
    return {
      name: 'envoy.access_loggers.http_grpc',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig',
        common_config: commonConfig,
        ...(sink.requestHeaders.length > 0 ? { additional_request_headers_to_log: sink.requestHeaders } : {}),
        ...(sink.responseHeaders.length > 0 ? { additional_response_headers_to_log: sink.responseHeaders } : {}),
        ...(sink.responseTrailers.length > 0 ? { additional_response_trailers_to_log: sink.responseTrailers } : {}),
      },
    };
  }
  return { name: 'envoy.access_loggers.tcp_grpc', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig', common_config: commonConfig } };
}

const keyValues = (pairs: Array<[string, string]>) => ({ values: pairs.map(([key, value]) => ({ key, value: { string_value: value } })) });

/** As Envoy Gateway builds it: log_name otel_envoy_accesslog, the collector's host as :authority, export headers as gRPC initial metadata. */
function openTelemetryLogger(sink: OpenTelemetryLogSinkIR): EnvoyObject {
  return {
    name: 'envoy.access_loggers.open_telemetry',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig',
      common_config: {
        log_name: 'otel_envoy_accesslog',
        grpc_service: {
          envoy_grpc: { cluster_name: sink.cluster, authority: sink.authority },
          ...(sink.headers.length > 0 ? { initial_metadata: sink.headers.map((h) => ({ key: h.name, value: h.value })) } : {}),
        },
        transport_api_version: 'V3',
      },
      ...(sink.resourceAttributes.length > 0 ? { resource_attributes: keyValues(sink.resourceAttributes) } : {}),
      body: { string_value: sink.body },
      attributes: keyValues(sink.attributes),
    },
  };
}

/** As Envoy Gateway builds it: client and overall sampling 100%, random sampling the rate, an upstream span per request. */
function tracing(ir: TracingIR): EnvoyObject {
  const provider = ir.datadog
    ? {
        name: 'envoy.tracers.datadog',
        typed_config: { '@type': 'type.googleapis.com/envoy.config.trace.v3.DatadogConfig', collector_cluster: ir.cluster, service_name: ir.serviceName, collector_hostname: ir.authority },
      }
    : ir.zipkin
    ? {
        name: 'envoy.tracers.zipkin',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
          collector_cluster: ir.cluster,
          collector_endpoint: '/api/v2/spans',
          trace_id_128bit: ir.zipkin.traceId128Bit,
          shared_span_context: ir.zipkin.sharedSpanContext,
          collector_endpoint_version: 'HTTP_JSON',
        },
      }
    : {
        name: 'envoy.tracers.opentelemetry',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
          grpc_service: { envoy_grpc: { cluster_name: ir.cluster, authority: ir.authority } },
          service_name: ir.serviceName,
        },
      };
  return {
    client_sampling: { value: 100 },
    random_sampling: { value: ir.samplingPercent },
    overall_sampling: { value: 100 },
    provider,
    spawn_upstream_span: true,
    ...(ir.tags.length > 0
      ? {
          custom_tags: ir.tags.map((t) =>
            t.literal !== undefined
              ? { tag: t.tag, literal: { value: t.literal } }
              : t.environment
                ? { tag: t.tag, environment: { name: t.environment.name, ...(t.environment.defaultValue !== undefined ? { default_value: t.environment.defaultValue } : {}) } }
                : { tag: t.tag, request_header: { name: t.requestHeader!.name, ...(t.requestHeader!.defaultValue !== undefined ? { default_value: t.requestHeader!.defaultValue } : {}) } },
          ),
        }
      : {}),
  };
}
