// An EnvoyProxy's telemetry.accessLog and telemetry.tracing as IR, the way Envoy Gateway reads them:
// no accessLog = its default JSON format to /dev/stdout, `disable` = none; File sinks (text or JSON
// format), gRPC Access Log Service sinks (HTTP or TCP), OpenTelemetry (OTLP gRPC) log sinks, and
// OpenTelemetry (gRPC) or Zipkin (HTTP JSON) tracing, to collectors reached by a Service backendRef (or
// the deprecated host/port), each with its own cluster. What cannot be honoured is returned as problems naming the field.
import type { ClusterPolicyIR } from '../ir/types.js';
import { DEFAULT_SERVICE_DNS_TEMPLATE, serviceHostname } from './service-backends.js';
import { objectsOf } from './shape.js';
import { telemetryBackendSettings } from './telemetry-backend-settings.js';
import { accessLogCelProblem } from '@gatehouse/cel';

/** A collector: a STRICT_DNS cluster, HTTP/2 for the gRPC ones (ALS service, OpenTelemetry collector). */
export interface TelemetryClusterIR {
  name: string;
  host: string;
  port: number;
  /** False for Zipkin's HTTP/1.1 JSON collector. */
  http2: boolean;
  /** backendSettings: what a BackendTrafficPolicy would put on the cluster. */
  policy?: ClusterPolicyIR;
}

export type AccessLogSinkIR =
  | { kind: 'file'; path: string }
  | { kind: 'als'; cluster: string; logName: string; type: 'HTTP' | 'TCP'; requestHeaders: string[]; responseHeaders: string[]; responseTrailers: string[] }
  | OpenTelemetryLogSinkIR;

/** An OpenTelemetry (OTLP gRPC) access log sink: envoy.access_loggers.open_telemetry. */
export interface OpenTelemetryLogSinkIR {
  kind: 'otel';
  cluster: string;
  /** The collector's host name, as the gRPC :authority. */
  authority: string;
  /** The log record's body (the text format, or Envoy Gateway's default format string). */
  body: string;
  /** The log record's attributes, in order: Envoy Gateway's two k8s labels, then the JSON format's keys, sorted. */
  attributes: Array<[string, string]>;
  /** openTelemetry.resources, sorted by key. */
  resourceAttributes: Array<[string, string]>;
  /** openTelemetry.headers: sent with each export (gRPC initial metadata). */
  headers: Array<{ name: string; value: string }>;
}

export interface AccessLogIR {
  /** Route: the HTTP connection manager's (and tcp_proxy's) access_log; Listener: the listener's. */
  level: 'Route' | 'Listener';
  format: { text: string } | { json: Record<string, string> };
  sink: AccessLogSinkIR;
  /** settings[].matches: CEL expressions; the log is written when any is true (Envoy's CEL access log filter). */
  matches?: string[];
}

export interface TracingIR {
  /** random_sampling, percent. */
  samplingPercent: number;
  cluster: string;
  authority: string;
  serviceName: string;
  /** Zipkin (HTTP collector) instead of OpenTelemetry (gRPC). */
  zipkin?: { traceId128Bit: boolean; sharedSpanContext: boolean };
  /** Datadog (envoy.tracers.datadog, the agent over HTTP) instead of OpenTelemetry. */
  datadog?: true;
  tags: Array<{ tag: string; literal?: string; environment?: { name: string; defaultValue?: string }; requestHeader?: { name: string; defaultValue?: string } }>;
}

export interface EnvoyProxyTelemetryIR {
  /** Undefined: the EnvoyProxy sets nothing and the Gateway keeps Gatehouse's defaults. */
  accessLogs?: AccessLogIR[];
  tracing?: TracingIR;
  clusters?: TelemetryClusterIR[];
  /** telemetry.metrics.enableRequestResponseSizesStats: every cluster's track_cluster_stats.request_response_sizes. */
  requestResponseSizes?: true;
  /** telemetry.metrics.enablePerEndpointStats: every cluster's track_cluster_stats.per_endpoint_stats. */
  perEndpointStats?: true;
  /** telemetry.metrics.enableVirtualHostStats: a virtual cluster per virtual host, for its stats. */
  virtualHostStats?: true;
}

/** Envoy Gateway's default access log format (JSON), used when an EnvoyProxy gives no format. */
export const DEFAULT_ACCESS_LOG_JSON: Readonly<Record<string, string>> = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  'x-envoy-origin-path': '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  connection_termination_details: '%CONNECTION_TERMINATION_DETAILS%',
  upstream_transport_failure_reason: '%UPSTREAM_TRANSPORT_FAILURE_REASON%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration: '%DURATION%',
  'x-envoy-upstream-service-time': '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  'x-forwarded-for': '%REQ(X-FORWARDED-FOR)%',
  'user-agent': '%REQ(USER-AGENT)%',
  'x-request-id': '%REQ(X-REQUEST-ID)%',
  ':authority': '%REQ(:AUTHORITY)%',
  upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  upstream_local_address: '%UPSTREAM_LOCAL_ADDRESS%',
  downstream_local_address: '%DOWNSTREAM_LOCAL_ADDRESS%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  requested_server_name: '%REQUESTED_SERVER_NAME%',
  route_name: '%ROUTE_NAME%',
};

interface BackendRefSpec {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  port?: number;
}

interface CollectorSpec {
  host?: string;
  port?: number;
  backendRef?: BackendRefSpec;
  backendRefs?: BackendRefSpec[];
  backendSettings?: unknown;
}

type Spec = Record<string, unknown>;

/**
 * `namespace`: the EnvoyProxy's (backendRefs default to it); `serviceName`: the tracing service name
 * when the provider gives none (Envoy Gateway's "<gateway name>.<gateway namespace>").
 */
export function envoyProxyTelemetry(
  telemetry: unknown,
  namespace: string,
  serviceName: string,
  serviceDnsTemplate: string = DEFAULT_SERVICE_DNS_TEMPLATE,
): { ir: EnvoyProxyTelemetryIR; problems: string[] } {
  const spec = (typeof telemetry === 'object' && telemetry !== null ? telemetry : {}) as { accessLog?: Spec; tracing?: Spec; metrics?: { enableRequestResponseSizesStats?: boolean; enablePerEndpointStats?: boolean; enableVirtualHostStats?: boolean } };
  const problems: string[] = [];
  const clusters = new Map<string, TelemetryClusterIR>();

  /** The collector of a sink or provider: its cluster name, or a problem. */
  const collector = (where: string, prefix: string, c: CollectorSpec, http2 = true): TelemetryClusterIR | undefined => {
    let policy: ClusterPolicyIR | undefined;
    if (c.backendSettings !== undefined && c.backendSettings !== null) {
      const settings = telemetryBackendSettings(c.backendSettings, `${where}.backendSettings`, where);
      if (settings.problems.length > 0) return void problems.push(...settings.problems);
      policy = settings.policy;
    }
    const refs = [...objectsOf<BackendRefSpec>(c.backendRefs), ...(c.backendRef ? [c.backendRef] : [])];
    let target: TelemetryClusterIR;
    if (refs.length > 0) {
      const ref = refs[0]!;
      if (refs.length > 1) {
        problems.push(`${where}.backendRefs: more than one backend is not translated yet`);
        return undefined;
      }
      if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
        problems.push(`${where}.backendRefs[0]: only Services are supported for telemetry collectors (got ${ref.group ?? ''}/${ref.kind ?? ''})`);
        return undefined;
      }
      if (!ref.name || typeof ref.port !== 'number') {
        problems.push(`${where}.backendRefs[0]: a Service needs name and port`);
        return undefined;
      }
      // Another namespace's collector needs no ReferenceGrant: Envoy Gateway does not ask one for an
      // EnvoyProxy's telemetry backendRefs (the proxy's own infrastructure settings, not a route's backend).
      const refNamespace = ref.namespace ?? namespace;
      target = { name: `${prefix}/${refNamespace}/${ref.name}/${ref.port}`, host: serviceHostname(serviceDnsTemplate, ref.name, refNamespace), port: ref.port, http2 };
    } else if (c.host) {
      const port = c.port ?? 4317;
      target = { name: `${prefix}/${c.host}/${port}`, host: c.host, port, http2 };
    } else {
      problems.push(`${where}: host or backendRefs needs to be set`);
      return undefined;
    }
    // A collector with its own settings has its own cluster.
    if (policy) target = { ...target, name: `${target.name}/settings/${where.replace(/^spec\.telemetry\./, '')}`, policy };
    clusters.set(target.name, target);
    return target;
  };

  const accessLogs = spec.accessLog === undefined || spec.accessLog === null ? defaultAccessLogs() : translateAccessLog(spec.accessLog, problems, collector);
  let tracing: TracingIR | undefined;
  if (spec.tracing !== undefined && spec.tracing !== null) tracing = translateTracing(spec.tracing, serviceName, problems, collector);
  const ir: EnvoyProxyTelemetryIR = {
    accessLogs,
    ...(tracing ? { tracing } : {}),
    ...(clusters.size > 0 ? { clusters: [...clusters.values()] } : {}),
    ...(spec.metrics?.enableRequestResponseSizesStats === true ? { requestResponseSizes: true as const } : {}),
    ...(spec.metrics?.enablePerEndpointStats === true ? { perEndpointStats: true as const } : {}),
    ...(spec.metrics?.enableVirtualHostStats === true ? { virtualHostStats: true as const } : {}),
  };
  return { ir, problems };
}

const defaultAccessLogs = (): AccessLogIR[] => [{ level: 'Route', format: { json: { ...DEFAULT_ACCESS_LOG_JSON } }, sink: { kind: 'file', path: '/dev/stdout' } }];

type Collector = (where: string, prefix: string, c: CollectorSpec, http2?: boolean) => TelemetryClusterIR | undefined;

function translateAccessLog(accessLog: Spec, problems: string[], collector: Collector): AccessLogIR[] {
  if (accessLog.disable === true) return [];
  const settings = objectsOf<Spec>(accessLog.settings);
  if (settings.length === 0) return defaultAccessLogs();
  const logs: AccessLogIR[] = [];
  settings.forEach((setting, s) => {
    const where = `spec.telemetry.accessLog.settings[${s}]`;
    const matches = Array.isArray(setting.matches) ? setting.matches.map(String) : [];
    let bad = false;
    matches.forEach((expression, m) => {
      const problem = accessLogCelProblem(expression);
      if (problem) {
        bad = true;
        problems.push(`${where}.matches[${m}]: CEL expression does not compile: ${problem}`);
      }
    });
    if (bad) return;
    const filter = matches.length > 0 ? { matches } : {};
    const format = setting.format as { type?: string; text?: string; json?: Record<string, string> } | undefined;
    let logFormat: AccessLogIR['format'];
    if (!format) logFormat = { json: { ...DEFAULT_ACCESS_LOG_JSON } };
    else if (format.type === 'Text' && typeof format.text === 'string' && format.json === undefined) logFormat = { text: format.text };
    else if (format.type === 'JSON' && format.json && format.text === undefined) logFormat = { json: { ...format.json } };
    // No type: Envoy Gateway gives an OpenTelemetry sink both (text the body, json the attributes); the
    // other sinks need one, so it is accepted only where every sink is OpenTelemetry.
    else if (format.type === undefined && (typeof format.text === 'string' || format.json) && objectsOf<Spec>(setting.sinks).every((sink) => sink.type === 'OpenTelemetry')) {
      logFormat = typeof format.text === 'string' ? { text: format.text } : { json: { ...format.json } };
    } else {
      problems.push(`${where}.format: type Text needs text, type JSON needs json (and only that one)${format.type === undefined ? '; a format without type is only for OpenTelemetry sinks' : ''}`);
      return;
    }
    const level = setting.type === 'Listener' ? 'Listener' : 'Route';
    objectsOf<Spec>(setting.sinks).forEach((sink, k) => {
      const at = `${where}.sinks[${k}]`;
      if (sink.type === 'File') {
        const path = (sink.file as { path?: string } | undefined)?.path;
        if (!path || sink.als !== undefined || sink.openTelemetry !== undefined) return void problems.push(`${at}: a File sink needs file.path (and only file)`);
        logs.push({ level, format: logFormat, sink: { kind: 'file', path }, ...filter });
      } else if (sink.type === 'ALS') {
        const als = sink.als as (CollectorSpec & { logName?: string; type?: 'HTTP' | 'TCP'; http?: { requestHeaders?: string[]; responseHeaders?: string[]; responseTrailers?: string[] } }) | undefined;
        if (!als || sink.file !== undefined || sink.openTelemetry !== undefined) return void problems.push(`${at}: an ALS sink needs als (and only als)`);
        if (als.type === 'TCP' && als.http !== undefined) return void problems.push(`${at}.als.http: only for type HTTP`);
        const target = collector(`${at}.als`, 'accesslog/als', als);
        if (!target) return;
        logs.push({
          level,
          format: logFormat,
          sink: {
            kind: 'als',
            cluster: target.name,
            logName: als.logName ?? 'accesslog',
            type: als.type ?? 'HTTP',
            requestHeaders: als.http?.requestHeaders ?? [],
            responseHeaders: als.http?.responseHeaders ?? [],
            responseTrailers: als.http?.responseTrailers ?? [],
          },
          ...filter,
        });
      } else if (sink.type === 'OpenTelemetry') {
        const otel = sink.openTelemetry as (CollectorSpec & { resources?: Record<string, string>; headers?: Array<{ name?: string; value?: string }> }) | undefined;
        if (!otel || sink.file !== undefined || sink.als !== undefined) return void problems.push(`${at}: an OpenTelemetry sink needs openTelemetry (and only openTelemetry)`);
        const target = collector(`${at}.openTelemetry`, 'accesslog/otel', otel);
        if (!target) return;
        logs.push({ level, format: logFormat, sink: openTelemetrySink(target, format, otel.resources, otel.headers), ...filter });
      } else {
        problems.push(`${at}.type: unknown sink type ${String(sink.type)}`);
      }
    });
  });
  return logs;
}

/** Envoy Gateway's default format as one string: the OpenTelemetry body when no text format is given. */
const DEFAULT_ACCESS_LOG_TEXT = `${JSON.stringify(DEFAULT_ACCESS_LOG_JSON)}\n`;

const sortedEntries = (map: Record<string, string> | undefined): Array<[string, string]> =>
  Object.entries(map ?? {}).map(([k, v]): [string, string] => [k, String(v)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * As Envoy Gateway builds an OpenTelemetry sink: the body is the text format (its default format string
 * when there is none, JSON included), the attributes the JSON format's keys after the pod's namespace and
 * name (read from Envoy's environment, as Envoy Gateway sets them; unset outside Kubernetes, they log "-").
 * A format without type gives both.
 */
function openTelemetrySink(
  target: TelemetryClusterIR,
  format: { type?: string; text?: string; json?: Record<string, string> } | undefined,
  resources: Record<string, string> | undefined,
  headers: Array<{ name?: string; value?: string }> | undefined,
): OpenTelemetryLogSinkIR {
  const labels: Array<[string, string]> = [
    ['k8s.namespace.name', '%ENVIRONMENT(ENVOY_GATEWAY_NAMESPACE)%'],
    ['k8s.pod.name', '%ENVIRONMENT(ENVOY_POD_NAME)%'],
  ];
  return {
    kind: 'otel',
    cluster: target.name,
    authority: target.host,
    body: format?.type !== 'JSON' && typeof format?.text === 'string' ? format.text : DEFAULT_ACCESS_LOG_TEXT,
    attributes: [...labels, ...(format?.type !== 'Text' ? sortedEntries(format?.json) : [])],
    resourceAttributes: sortedEntries(resources),
    headers: objectsOf<{ name?: string; value?: string }>(headers).map((h) => ({ name: String(h.name ?? ''), value: String(h.value ?? '') })),
  };
}

function translateTracing(tracing: Spec, serviceName: string, problems: string[], collector: Collector): TracingIR | undefined {
  const where = 'spec.telemetry.tracing';
  const provider = (tracing.provider ?? {}) as CollectorSpec & { type?: string; serviceName?: string; zipkin?: { enable128BitTraceId?: boolean; disableSharedSpanContext?: boolean } };
  const type = provider.type ?? 'OpenTelemetry';
  if (type !== 'OpenTelemetry' && type !== 'Zipkin' && type !== 'Datadog') {
    problems.push(`${where}.provider.type: ${type} is not one of OpenTelemetry, Zipkin, Datadog`);
    return undefined;
  }
  if (provider.zipkin !== undefined && type !== 'Zipkin') problems.push(`${where}.provider.zipkin: only for type Zipkin`);
  let samplingPercent = 100;
  const fraction = tracing.samplingFraction as { numerator?: number; denominator?: number } | undefined;
  if (fraction && tracing.samplingRate !== undefined) problems.push(`${where}: only one of samplingRate and samplingFraction can be set`);
  if (fraction) {
    const denominator = fraction.denominator ?? 100;
    if ((fraction.numerator ?? 0) > denominator) problems.push(`${where}.samplingFraction: numerator must be less than or equal to denominator`);
    samplingPercent = ((fraction.numerator ?? 0) / denominator) * 100;
  } else if (typeof tracing.samplingRate === 'number') samplingPercent = tracing.samplingRate;

  const tags: TracingIR['tags'] = [];
  for (const [tag, value] of Object.entries((tracing.tags ?? {}) as Record<string, string>)) tags.push(tagFromOperator(tag, value));
  for (const [tag, custom] of Object.entries((tracing.customTags ?? {}) as Record<string, Spec>)) {
    const type = (custom.type as string | undefined) ?? 'Literal';
    if (type === 'Literal') tags.push({ tag, literal: (custom.literal as { value?: string } | undefined)?.value ?? '' });
    else if (type === 'Environment') tags.push({ tag, environment: withDefault(custom.environment) });
    else if (type === 'RequestHeader') tags.push({ tag, requestHeader: withDefault(custom.requestHeader) });
    else problems.push(`${where}.customTags.${tag}.type: unknown type ${type}`);
  }
  tags.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const target =
    type === 'Zipkin'
      ? collector(`${where}.provider`, 'tracing/zipkin', provider, false)
      : type === 'Datadog'
        ? collector(`${where}.provider`, 'tracing/datadog', provider, false)
        : collector(`${where}.provider`, 'tracing/otel', provider);
  if (!target) return undefined;
  const zipkin = type === 'Zipkin' ? { zipkin: { traceId128Bit: provider.zipkin?.enable128BitTraceId === true, sharedSpanContext: provider.zipkin?.disableSharedSpanContext !== true } } : {};
  const datadog = type === 'Datadog' ? { datadog: true as const } : {};
  return { samplingPercent, cluster: target.name, authority: target.host, serviceName: provider.serviceName ?? serviceName, tags, ...zipkin, ...datadog };
}

function withDefault(value: unknown): { name: string; defaultValue?: string } {
  const v = (value ?? {}) as { name?: string; defaultValue?: string };
  return { name: v.name ?? '', ...(v.defaultValue !== undefined ? { defaultValue: v.defaultValue } : {}) };
}

/** tracing.tags values: %ENVIRONMENT(NAME)% and %REQ(header)% become those tag kinds, anything else a literal. */
function tagFromOperator(tag: string, value: string): TracingIR['tags'][number] {
  const env = /^%ENVIRONMENT\(([^):]+)(?::([^)]*))?\)%$/.exec(value);
  if (env) return { tag, environment: { name: env[1]!, ...(env[2] !== undefined ? { defaultValue: env[2] } : {}) } };
  const req = /^%REQ\(([^):]+)(?::([^)]*))?\)%$/.exec(value);
  if (req) return { tag, requestHeader: { name: req[1]!, ...(req[2] !== undefined ? { defaultValue: req[2] } : {}) } };
  return { tag, literal: value };
}
