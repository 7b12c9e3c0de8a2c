// Every field of EnvoyProxy (Envoy Gateway v1.9; schema authored in packages/schemas/crds/authored),
// keyed by dotted path without array indices: translated (into the xDS of the Gateways using it, or into
// what `gatehouse bootstrap -f` and `pnpm start` write where Envoy starts), accepted as not applicable
// outside Kubernetes (named in the EnvoyProxy's status message), or refused with a status naming it.
import type { FieldSupport } from './field-support.js';

const GOLDEN = 'testdata/end-to-end/envoyproxy-telemetry.in.yaml';
const REFUSALS = 'testdata/end-to-end/envoyproxy-values-and-refusals.in.yaml';
const NETWORK = 'testdata/end-to-end/envoyproxy-network.in.yaml';
const BOOTSTRAP_TEST = '../../packages/cli/src/envoy-proxy-bootstrap.test.ts';
const xds = (envoy: string): FieldSupport => ({ status: 'translated', envoy, test: GOLDEN });
const atStart = (envoy: string): FieldSupport => ({ status: 'translated', envoy, test: BOOTSTRAP_TEST });
const kubernetesOnly: FieldSupport = { status: 'translated', envoy: 'nothing: not applicable outside Kubernetes; accepted and named as such in the EnvoyProxy status message', test: GOLDEN };
const refused = (reason: string): FieldSupport => ({ status: 'refused', reason });

/** Fields of a backendRef to a telemetry collector (a Service, in any namespace: Envoy Gateway asks no ReferenceGrant here). */
function collectorRef(prefix: string, envoy: string): Record<string, FieldSupport> {
  return Object.fromEntries(['', '.group', '.kind', '.name', '.namespace', '.port', '.weight'].map((suffix) => [`${prefix}${suffix}`, xds(envoy)]));
}
/** A collector's backendSettings (ClusterSettings; the authored schema keeps them open, so one entry says it all). */
function collectorSettings(collector: string): FieldSupport {
  return {
    status: 'translated',
    envoy: `${collector}'s own cluster with what a BackendTrafficPolicy puts on a route's cluster (timeouts, circuit breakers, load balancer, health checks, keepalive, DNS, HTTP/2, PROXY protocol); retry, route timeouts and a consistent hash: not accepted, naming the field`,
    test: 'testdata/end-to-end/envoyproxy-collector-backend-settings.in.yaml',
  };
}
function refusedTree(paths: readonly string[], reason: string): Record<string, FieldSupport> {
  return Object.fromEntries(paths.map((path) => [path, refused(reason)]));
}

const ALS_CLUSTER = 'an HTTP/2 STRICT_DNS cluster accesslog/als/<ns>/<service>/<port> (the Service\'s DNS name, XDS_SERVICE_DNS_TEMPLATE)';
const OTEL_CLUSTER = 'an HTTP/2 STRICT_DNS cluster tracing/otel/<ns>/<service>/<port> (or <host>/<port>)';
const OTEL_LOG_CLUSTER = 'an HTTP/2 STRICT_DNS cluster accesslog/otel/<ns>/<service>/<port> (or <host>/<port>, port 4317 by default)';
const FORMAT = 'FileAccessLog log_format: text_format_source.inline_string (Text) or json_format (JSON); unset: Envoy Gateway\'s default JSON. OpenTelemetry sinks, as Envoy Gateway: body the text (else Envoy Gateway\'s default format string), attributes k8s.namespace.name and k8s.pod.name (from Envoy\'s environment) then the JSON keys; a format without type (OpenTelemetry sinks only) gives both';
const otelLog = (envoy: string): FieldSupport => ({ status: 'translated', envoy, test: 'testdata/end-to-end/envoyproxy-otel-accesslog.in.yaml' });
const ZIPKIN = 'provider envoy.tracers.zipkin ZipkinConfig (collector_endpoint /api/v2/spans, HTTP_JSON, trace_id_128bit, shared_span_context: !disableSharedSpanContext) over an HTTP/1.1 cluster tracing/zipkin/...';
const METRIC_SINKS = 'bootstrap stats_sinks envoy.stat_sinks.open_telemetry (SinkConfig grpc_service) and a static HTTP/2 cluster metrics/otel/<ns>/<service>/<port> (or <host>/<port>) for the collector';

export const envoyProxyFields: Record<string, FieldSupport> = {
  'spec.provider': kubernetesOnly,
  'spec.provider.type': { status: 'translated', envoy: 'Kubernetes: accepted (Envoy runs where it is started); Custom is refused', test: REFUSALS },
  'spec.provider.kubernetes': kubernetesOnly,
  'spec.provider.kubernetes.envoyDeployment': kubernetesOnly,
  'spec.provider.kubernetes.envoyDaemonSet': kubernetesOnly,
  'spec.provider.kubernetes.envoyService': kubernetesOnly,
  'spec.provider.kubernetes.envoyHpa': kubernetesOnly,
  'spec.provider.kubernetes.envoyPDB': kubernetesOnly,
  'spec.provider.kubernetes.envoyServiceAccount': kubernetesOnly,
  'spec.provider.kubernetes.useListenerPortAsContainerPort': kubernetesOnly,
  'spec.logging': atStart('Envoy\'s --component-log-level (--log-level for default), in the command line gatehouse bootstrap -f prints and pnpm start runs'),
  'spec.logging.level': atStart('Envoy\'s --component-log-level (--log-level for default), in the command line gatehouse bootstrap -f prints and pnpm start runs'),
  'spec.telemetry': xds('see accessLog, tracing, metrics'),
  'spec.telemetry.accessLog': xds('access_log on every HTTP connection manager and tcp_proxy of the Gateway (unset: Envoy Gateway\'s default JSON format to /dev/stdout)'),
  'spec.telemetry.accessLog.disable': xds('no access_log'),
  'spec.telemetry.accessLog.settings': xds('one Envoy AccessLog per sink'),
  'spec.telemetry.accessLog.settings.format': xds(FORMAT),
  'spec.telemetry.accessLog.settings.format.type': xds(FORMAT),
  'spec.telemetry.accessLog.settings.format.text': xds(FORMAT),
  'spec.telemetry.accessLog.settings.format.json': xds(FORMAT),
  'spec.telemetry.accessLog.settings.matches': { status: 'translated', envoy: "the access logger's filter: an envoy.access_loggers.extension_filters.cel ExpressionFilter per expression (several: or_filter, a log when any is true); an expression that does not compile (@gatehouse/cel, with Envoy's attributes and response) refuses the EnvoyProxy", test: 'testdata/end-to-end/envoyproxy-accesslog-matches-and-datadog.in.yaml' },
  'spec.telemetry.accessLog.settings.sinks': xds('one Envoy AccessLog per sink'),
  'spec.telemetry.accessLog.settings.sinks.type': xds('File: envoy.access_loggers.file; ALS: envoy.access_loggers.http_grpc (tcp_grpc for type TCP and on tcp_proxy); OpenTelemetry: envoy.access_loggers.open_telemetry'),
  'spec.telemetry.accessLog.settings.sinks.file': xds('envoy.access_loggers.file FileAccessLog path'),
  'spec.telemetry.accessLog.settings.sinks.file.path': xds('envoy.access_loggers.file FileAccessLog path'),
  'spec.telemetry.accessLog.settings.sinks.als': xds('HttpGrpcAccessLogConfig / TcpGrpcAccessLogConfig common_config (log_name, envoy_grpc cluster, transport_api_version V3)'),
  ...collectorRef('spec.telemetry.accessLog.settings.sinks.als.backendRef', ALS_CLUSTER),
  ...collectorRef('spec.telemetry.accessLog.settings.sinks.als.backendRefs', ALS_CLUSTER),
  'spec.telemetry.accessLog.settings.sinks.als.backendSettings': collectorSettings('the ALS collector'),
  'spec.telemetry.accessLog.settings.sinks.als.logName': xds('common_config.log_name (default "accesslog")'),
  'spec.telemetry.accessLog.settings.sinks.als.type': xds('HTTP: envoy.access_loggers.http_grpc; TCP: envoy.access_loggers.tcp_grpc'),
  'spec.telemetry.accessLog.settings.sinks.als.http': xds('additional_request_headers_to_log, additional_response_headers_to_log, additional_response_trailers_to_log'),
  'spec.telemetry.accessLog.settings.sinks.als.http.requestHeaders': xds('additional_request_headers_to_log, additional_response_headers_to_log, additional_response_trailers_to_log'),
  'spec.telemetry.accessLog.settings.sinks.als.http.responseHeaders': xds('additional_request_headers_to_log, additional_response_headers_to_log, additional_response_trailers_to_log'),
  'spec.telemetry.accessLog.settings.sinks.als.http.responseTrailers': xds('additional_request_headers_to_log, additional_response_headers_to_log, additional_response_trailers_to_log'),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry': otelLog('envoy.access_loggers.open_telemetry OpenTelemetryAccessLogConfig: common_config (log_name otel_envoy_accesslog, envoy_grpc cluster and authority, transport_api_version V3), body and attributes from the format'),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry.host': otelLog(`${OTEL_LOG_CLUSTER}; the host is the gRPC authority`),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry.port': otelLog(OTEL_LOG_CLUSTER),
  ...Object.fromEntries(['', '.group', '.kind', '.name', '.namespace', '.port', '.weight'].flatMap((s) => [`spec.telemetry.accessLog.settings.sinks.openTelemetry.backendRef${s}`, `spec.telemetry.accessLog.settings.sinks.openTelemetry.backendRefs${s}`]).map((path) => [path, otelLog(OTEL_LOG_CLUSTER)])),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry.backendSettings': otelLog("the collector's own cluster with what a BackendTrafficPolicy puts on a route's cluster, as for the ALS collector's backendSettings"),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry.resources': otelLog('OpenTelemetryAccessLogConfig resource_attributes (string values, sorted by key)'),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry.headers': otelLog("common_config.grpc_service.initial_metadata: sent with each export"),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry.headers.name': otelLog("common_config.grpc_service.initial_metadata: sent with each export"),
  'spec.telemetry.accessLog.settings.sinks.openTelemetry.headers.value': otelLog("common_config.grpc_service.initial_metadata: sent with each export"),
  'spec.telemetry.accessLog.settings.type': xds('Route (or unset): the HTTP connection manager\'s and tcp_proxy\'s access_log; Listener: the Listener\'s access_log'),
  'spec.telemetry.tracing': xds('HCM tracing as Envoy Gateway builds it (client and overall sampling 100%, spawn_upstream_span); OpenTelemetry: OpenTelemetryConfig grpc_service, service_name <gateway>.<namespace> unless provider.serviceName'),
  'spec.telemetry.tracing.samplingRate': xds('HCM tracing.random_sampling (percent; default 100)'),
  'spec.telemetry.tracing.samplingFraction': xds('HCM tracing.random_sampling: numerator / denominator as a percent'),
  'spec.telemetry.tracing.samplingFraction.numerator': xds('HCM tracing.random_sampling: numerator / denominator as a percent'),
  'spec.telemetry.tracing.samplingFraction.denominator': xds('HCM tracing.random_sampling: numerator / denominator as a percent'),
  'spec.telemetry.tracing.customTags': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.type': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.literal': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.literal.value': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.environment': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.environment.name': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.environment.defaultValue': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.requestHeader': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.requestHeader.name': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.customTags.requestHeader.defaultValue': xds('HCM tracing.custom_tags: literal, environment (name, default_value), request_header (name, default_value)'),
  'spec.telemetry.tracing.tags': { status: 'translated', envoy: 'HCM tracing.custom_tags: %ENVIRONMENT(NAME:default)% an environment tag, %REQ(header:default)% a request_header tag, anything else a literal', test: REFUSALS },
  'spec.telemetry.tracing.provider': xds('HCM tracing.provider: envoy.tracers.opentelemetry, envoy.tracers.zipkin or envoy.tracers.datadog'),
  'spec.telemetry.tracing.provider.type': { status: 'translated', envoy: 'OpenTelemetry (envoy.tracers.opentelemetry), Zipkin (envoy.tracers.zipkin) or Datadog (envoy.tracers.datadog DatadogConfig: collector_cluster an HTTP/1.1 cluster tracing/datadog/<ns>/<service>/<port>, collector_hostname the agent host, service_name)', test: 'testdata/end-to-end/envoyproxy-accesslog-matches-and-datadog.in.yaml' },
  'spec.telemetry.tracing.provider.host': { status: 'translated', envoy: OTEL_CLUSTER, test: REFUSALS },
  'spec.telemetry.tracing.provider.port': { status: 'translated', envoy: OTEL_CLUSTER, test: REFUSALS },
  ...collectorRef('spec.telemetry.tracing.provider.backendRefs', `${OTEL_CLUSTER}; grpc_service.envoy_grpc authority the collector's host`),
  'spec.telemetry.tracing.provider.backendSettings': collectorSettings('the tracing collector'),
  'spec.telemetry.tracing.provider.serviceName': { status: 'translated', envoy: 'OpenTelemetryConfig service_name', test: REFUSALS },
  'spec.telemetry.tracing.provider.zipkin': { status: 'translated', envoy: ZIPKIN, test: REFUSALS },
  'spec.telemetry.tracing.provider.zipkin.enable128BitTraceId': { status: 'translated', envoy: ZIPKIN, test: REFUSALS },
  'spec.telemetry.tracing.provider.zipkin.disableSharedSpanContext': { status: 'translated', envoy: ZIPKIN, test: REFUSALS },
  'spec.telemetry.metrics': atStart('the bootstrap gatehouse bootstrap -f writes (prometheus, matches, sinks); enableRequestResponseSizesStats in the xDS'),
  'spec.telemetry.metrics.prometheus': atStart('Gatehouse\'s bootstrap exposes Prometheus stats only on the local admin (127.0.0.1): disable: true leaves them there, off any listener, as Envoy Gateway\'s disabled Prometheus listener'),
  'spec.telemetry.metrics.prometheus.disable': atStart('Gatehouse\'s bootstrap exposes Prometheus stats only on the local admin (127.0.0.1): disable: true leaves them there, off any listener, as Envoy Gateway\'s disabled Prometheus listener'),
  ...refusedTree(['spec.telemetry.metrics.prometheus.compression', 'spec.telemetry.metrics.prometheus.compression.type'], 'telemetry.metrics.prometheus.compression is refused: Gatehouse exposes Prometheus stats only on the Envoy admin on 127.0.0.1 (no Prometheus listener, as with disable: true), and Envoy\'s admin has no response compression to configure'),
  'spec.telemetry.metrics.sinks': atStart(METRIC_SINKS),
  'spec.telemetry.metrics.sinks.type': atStart(METRIC_SINKS),
  'spec.telemetry.metrics.sinks.openTelemetry': atStart(METRIC_SINKS),
  'spec.telemetry.metrics.sinks.openTelemetry.host': atStart(METRIC_SINKS),
  'spec.telemetry.metrics.sinks.openTelemetry.port': atStart(METRIC_SINKS),
  ...Object.fromEntries(['', '.group', '.kind', '.name', '.namespace', '.port', '.weight'].map((s) => [`spec.telemetry.metrics.sinks.openTelemetry.backendRefs${s}`, atStart(METRIC_SINKS)])),
  'spec.telemetry.metrics.sinks.openTelemetry.backendSettings': atStart("the bootstrap's collector cluster (its own, metrics/otel/.../settings/metrics.sinks[i].openTelemetry) with what a BackendTrafficPolicy puts on a route's cluster, as xds does for the access log and tracing collectors; retry and route timeouts: not accepted, naming the field"),
  'spec.telemetry.metrics.sinks.openTelemetry.reportCountersAsDeltas': atStart('SinkConfig report_counters_as_deltas'),
  'spec.telemetry.metrics.sinks.openTelemetry.reportHistogramsAsDeltas': atStart('SinkConfig report_histograms_as_deltas'),
  'spec.telemetry.metrics.matches': atStart('bootstrap stats_config.stats_matcher.inclusion_list (exact, prefix, suffix, safe_regex)'),
  'spec.telemetry.metrics.matches.type': atStart('bootstrap stats_config.stats_matcher.inclusion_list (exact, prefix, suffix, safe_regex)'),
  'spec.telemetry.metrics.matches.value': atStart('bootstrap stats_config.stats_matcher.inclusion_list (exact, prefix, suffix, safe_regex)'),
  'spec.telemetry.metrics.enableVirtualHostStats': { status: 'translated', envoy: "every virtual host's virtual_clusters: one named after its hostname (dots as underscores) matching :authority by the hostname as prefix, as Envoy Gateway builds it", test: 'testdata/end-to-end/envoyproxy-per-endpoint-stats.in.yaml' },
  'spec.telemetry.metrics.enablePerEndpointStats': { status: 'translated', envoy: 'track_cluster_stats.per_endpoint_stats on every cluster of the Gateway', test: 'testdata/end-to-end/envoyproxy-per-endpoint-stats.in.yaml' },
  'spec.telemetry.metrics.enableRequestResponseSizesStats': xds('track_cluster_stats.request_response_sizes on every cluster of the Gateway'),
  ...Object.fromEntries(
    ['spec.bootstrap', 'spec.bootstrap.type', 'spec.bootstrap.value', 'spec.bootstrap.jsonPatches'].map((path) => [
      path,
      {
        status: 'translated',
        envoy:
          'the bootstrap gatehouse bootstrap -f and pnpm start write: Replace (the given YAML), Merge (merged into the generated one: objects by field, lists appended) or JSONPatch (RFC 6902 on the generated one); the result must pass @gatehouse/envoy-check and keep node, dynamic_resources and the gatehouse-xds cluster (its mutual TLS) as generated, else gatehouse bootstrap fails naming why; YAML that does not parse refuses the EnvoyProxy',
        test: '../../packages/cli/src/envoy-proxy-custom-bootstrap.test.ts',
      } satisfies FieldSupport,
    ]),
  ),
  'spec.concurrency': atStart('Envoy\'s --concurrency, in the command line gatehouse bootstrap -f prints and pnpm start runs'),
  'spec.routingType': { status: 'translated', envoy: "Service: a Service backendRef's DNS cluster (its name stands for the cluster IP), what Gatehouse always does; Endpoint is refused (it needs the Service's EndpointSlices, which a gateway outside Kubernetes does not have)", test: NETWORK },
  'spec.extraArgs': atStart('appended to the Envoy command line gatehouse bootstrap -f prints and pnpm start runs'),
  'spec.mergeGateways': {
    status: 'translated',
    envoy:
      'true on a GatewayClass\'s EnvoyProxy: one snapshot for every Gateway of the class, node cluster = the GatewayClass name (gatehouse bootstrap --node-cluster <class>, certificate spiffe://gatehouse/gatewayclass/<class>); listeners sharing a port join one Envoy listener (HTTP: one route configuration with every Gateway\'s virtual hosts; HTTPS: a filter chain per SNI), colliding ones are Conflicted (HostnameConflict, ProtocolConflict) on the newer Gateway; on a Gateway\'s own EnvoyProxy it is refused',
    test: 'testdata/end-to-end/envoyproxy-merge-gateways.in.yaml',
  },
  'spec.shutdown': atStart('drainTimeout: Envoy\'s --drain-time-s; minDrainDuration is refused (Envoy Gateway\'s shutdown manager is Kubernetes-only)'),
  'spec.shutdown.drainTimeout': atStart('Envoy\'s --drain-time-s (whole seconds, rounded up)'),
  'spec.shutdown.minDrainDuration': refused('shutdown.minDrainDuration is not translated yet (Envoy Gateway\'s shutdown manager is Kubernetes-only)'),
  ...Object.fromEntries(
    ['spec.filterOrder', 'spec.filterOrder.name', 'spec.filterOrder.before', 'spec.filterOrder.after'].map((path) => [
      path,
      {
        status: 'translated',
        envoy: 'every HTTP connection manager\'s http_filters: the filters of type name (the name, or it followed by "/" or ".") move before the first filter of type before, or after the last of type after, entries in order; the router and names outside Envoy Gateway\'s filter list are refused',
        test: 'testdata/end-to-end/envoyproxy-filter-order.in.yaml',
      } satisfies FieldSupport,
    ]),
  ),
  'spec.backendTLS': {
    status: 'translated',
    envoy:
      'every TLS upstream cluster of the Gateways using it, where its Backend, BackendTLSPolicy or Gateway spec.tls.backend sets nothing: clientCertificateRef as tls_certificate_sds_secret_configs (a Secret in the EnvoyProxy\'s namespace, or another with a ReferenceGrant), minVersion/maxVersion/ciphers/ecdhCurves/signatureAlgorithms as tls_params, alpnProtocols; a missing Secret or minVersion above maxVersion refuses the EnvoyProxy',
    test: NETWORK,
  },
  'spec.ipFamily': {
    status: 'translated',
    envoy: 'IPv4: listeners on 0.0.0.0, DNS clusters dns_lookup_family V4_ONLY; IPv6: listeners on "::", V6_ONLY; DualStack: listeners on "::" with ipv4_compat, DNS clusters ALL unless a BackendTrafficPolicy set dns.lookupFamily',
    test: NETWORK,
  },
};
