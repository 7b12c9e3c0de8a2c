// ClientTrafficPolicy spec -> IR: what the Envoy listener, its HTTP connection manager and TLS
// context do with downstream clients. Fields the table refuses are reported by path
// (./field-support); values Envoy would refuse are reported before anything is served.
import type { ClientPolicyIR } from '../ir/types.js';
import { clientTrafficPolicyFields } from './field-support/client-traffic-policy.js';
import { findRefusedFields } from './field-support/refused-fields.js';
import { translateClientExtras, type ClientExtrasSpec } from './client-traffic-extras.js';
import { translateClientValidation, type ClientValidationSpec } from './client-validation.js';
import { parseQuantity, PolicyValues } from './policy-values.js';
import type { ResourceIndex } from './resource-index.js';

interface ClientTrafficPolicySpec {
  targetRefs?: Array<{ kind?: string }>;
  targetRef?: { kind?: string };
  timeout?: { http?: { requestReceivedTimeout?: string; requestHeadersReceivedTimeout?: string; idleTimeout?: string; streamIdleTimeout?: string } };
  connection?: {
    bufferLimit?: string | number;
    maxAcceptPerSocketEvent?: number;
    connectionLimit?: { value?: number; closeDelay?: string; maxConnectionDuration?: string; maxRequestsPerConnection?: number; maxStreamDuration?: string };
  };
  headers?: {
    withUnderscoresAction?: 'Allow' | 'RejectRequest' | 'DropHeader';
    preserveXRequestID?: boolean;
    requestID?: 'PreserveOrGenerate' | 'Preserve' | 'Generate' | 'Disable';
    xForwardedClientCert?: { mode?: keyof typeof XFCC_MODES; certDetailsToAdd?: Array<keyof typeof XFCC_DETAILS> };
    host?: { stripTrailingHostDot?: boolean };
    enableEnvoyHeaders?: boolean;
  };
  http1?: { enableTrailers?: boolean };
  healthCheck?: { path?: string };
  tcpKeepalive?: { probes?: number; idleTime?: string; interval?: string };
  grpc?: { enableWeb?: boolean };
  enableProxyProtocol?: boolean;
  proxyProtocol?: { optional?: boolean };
  clientIPDetection?: { xForwardedFor?: { numTrustedHops?: number }; customHeader?: { name?: string; failClosed?: boolean } };
  path?: { disableMergeSlashes?: boolean; escapedSlashesAction?: 'KeepUnchanged' | 'RejectRequest' | 'UnescapeAndRedirect' | 'UnescapeAndForward' };
  http2?: {
    initialStreamWindowSize?: string | number;
    initialConnectionWindowSize?: string | number;
    maxConcurrentStreams?: number;
    connectionKeepalive?: { interval?: string; timeout?: string; intervalJitter?: number; idleInterval?: string };
    onInvalidMessage?: 'TerminateStream' | 'TerminateConnection';
  };
  tls?: { minVersion?: string; maxVersion?: string; ciphers?: string[]; ecdhCurves?: string[]; signatureAlgorithms?: string[]; alpnProtocols?: string[]; clientValidation?: ClientValidationSpec };
}

const UNDERSCORES = { Allow: 'ALLOW', RejectRequest: 'REJECT_REQUEST', DropHeader: 'DROP_HEADER' } as const;
const ESCAPED_SLASHES = { KeepUnchanged: 'KEEP_UNCHANGED', RejectRequest: 'REJECT_REQUEST', UnescapeAndRedirect: 'UNESCAPE_AND_REDIRECT', UnescapeAndForward: 'UNESCAPE_AND_FORWARD' } as const;
const XFCC_MODES = { Sanitize: 'SANITIZE', ForwardOnly: 'FORWARD_ONLY', AppendForward: 'APPEND_FORWARD', SanitizeSet: 'SANITIZE_SET', AlwaysForwardOnly: 'ALWAYS_FORWARD_ONLY' } as const;
const XFCC_DETAILS = { Subject: 'subject', Cert: 'cert', Chain: 'chain', DNS: 'dns', URI: 'uri' } as const;
const TLS_VERSIONS: Record<string, string> = { Auto: 'TLS_AUTO', '1.0': 'TLSv1_0', '1.1': 'TLSv1_1', '1.2': 'TLSv1_2', '1.3': 'TLSv1_3' };
export function translateClientTrafficPolicy(policy: string, spec: Record<string, unknown>, index: ResourceIndex): { ir: ClientPolicyIR; problems: string[] } {
  const problems = findRefusedFields(spec, clientTrafficPolicyFields);
  const values = new PolicyValues(problems);
  const typed = spec as ClientTrafficPolicySpec;
  const ir: ClientPolicyIR = { policy };
  [...(typed.targetRefs ?? []), ...(typed.targetRef ? [typed.targetRef] : [])].forEach((ref, i) => {
    if (ref.kind !== 'Gateway' && ref.kind !== 'ListenerSet') problems.push(`spec.targetRefs[${i}].kind: a ClientTrafficPolicy targets a Gateway (or one of its listeners by sectionName), not ${String(ref.kind)}`);
  });

  const http = typed.timeout?.http;
  const timeouts: Array<[keyof ClientPolicyIR, string | undefined, string]> = [
    ['requestTimeoutMs', http?.requestReceivedTimeout, 'requestReceivedTimeout'],
    ['requestHeadersTimeoutMs', http?.requestHeadersReceivedTimeout, 'requestHeadersReceivedTimeout'],
    ['idleTimeoutMs', http?.idleTimeout, 'idleTimeout'],
    ['streamIdleTimeoutMs', http?.streamIdleTimeout, 'streamIdleTimeout'],
  ];
  // 0s is Envoy's "no timeout" for these, as in Envoy Gateway.
  for (const [key, text, field] of timeouts) {
    const ms = values.duration(text, `spec.timeout.http.${field}`, false);
    if (ms !== undefined) (ir as unknown as Record<string, number>)[key] = ms;
  }

  const buffer = typed.connection?.bufferLimit;
  if (buffer !== undefined) {
    const bytes = parseQuantity(buffer);
    if (bytes === undefined || bytes > 4_294_967_295) problems.push(`spec.connection.bufferLimit: "${String(buffer)}" is not a byte quantity up to 4Gi`);
    else ir.bufferLimitBytes = bytes;
  }

  if (typed.headers?.withUnderscoresAction) ir.headersWithUnderscores = UNDERSCORES[typed.headers.withUnderscoresAction];
  if (typed.headers?.preserveXRequestID !== undefined) ir.preserveRequestId = typed.headers.preserveXRequestID;
  // requestID supersedes preserveXRequestID, as in Envoy Gateway.
  const requestId = typed.headers?.requestID;
  if (requestId) {
    ir.preserveRequestId = requestId === 'PreserveOrGenerate' || requestId === 'Preserve';
    ir.generateRequestId = requestId === 'PreserveOrGenerate' || requestId === 'Generate';
  }
  const xfcc = typed.headers?.xForwardedClientCert;
  if (xfcc) {
    const mode = XFCC_MODES[xfcc.mode ?? 'Sanitize'];
    const details = (xfcc.certDetailsToAdd ?? []).map((d) => XFCC_DETAILS[d]);
    // Envoy adds certificate details only when it sets the header itself.
    if (details.length > 0 && mode !== 'APPEND_FORWARD' && mode !== 'SANITIZE_SET') problems.push('spec.headers.xForwardedClientCert.certDetailsToAdd: only with mode AppendForward or SanitizeSet');
    ir.forwardClientCert = { mode, details };
  }
  if (typed.headers?.host?.stripTrailingHostDot !== undefined) ir.stripTrailingHostDot = typed.headers.host.stripTrailingHostDot;
  const limit = typed.connection?.connectionLimit;
  if (limit) {
    const max = values.integer(limit.value, 'spec.connection.connectionLimit.value', 1, Number.MAX_SAFE_INTEGER);
    const delay = values.duration(limit.closeDelay, 'spec.connection.connectionLimit.closeDelay', false);
    if (max !== undefined) ir.connectionLimit = { maxConnections: max, ...(delay !== undefined ? { delayMs: delay } : {}) };
    else if (delay !== undefined) problems.push('spec.connection.connectionLimit.closeDelay: needs value');
    const lifetime = values.duration(limit.maxConnectionDuration, 'spec.connection.connectionLimit.maxConnectionDuration');
    const streamLifetime = values.duration(limit.maxStreamDuration, 'spec.connection.connectionLimit.maxStreamDuration', false);
    const perConnection = values.integer(limit.maxRequestsPerConnection, 'spec.connection.connectionLimit.maxRequestsPerConnection', 1);
    if (lifetime !== undefined) ir.maxConnectionDurationMs = lifetime;
    if (streamLifetime !== undefined) ir.maxStreamDurationMs = streamLifetime;
    if (perConnection !== undefined) ir.maxRequestsPerConnection = perConnection;
  }
  if (typed.http1?.enableTrailers !== undefined) ir.http1 = { enableTrailers: typed.http1.enableTrailers };
  if (typed.healthCheck?.path !== undefined) {
    if (!typed.healthCheck.path.startsWith('/')) problems.push(`spec.healthCheck.path: "${typed.healthCheck.path}" must start with /`);
    else ir.healthCheckPath = typed.healthCheck.path;
  }
  if (typed.proxyProtocol || typed.enableProxyProtocol) ir.proxyProtocol = { optional: typed.proxyProtocol?.optional === true };
  if (typed.tcpKeepalive) {
    const keepalive: NonNullable<ClientPolicyIR['tcpKeepalive']> = {};
    const probes = values.integer(typed.tcpKeepalive.probes, 'spec.tcpKeepalive.probes', 1);
    const idle = values.seconds(typed.tcpKeepalive.idleTime, 'spec.tcpKeepalive.idleTime');
    const interval = values.seconds(typed.tcpKeepalive.interval, 'spec.tcpKeepalive.interval');
    if (probes !== undefined) keepalive.probes = probes;
    if (idle !== undefined) keepalive.idleTimeS = idle;
    if (interval !== undefined) keepalive.intervalS = interval;
    ir.tcpKeepalive = keepalive;
  }
  const accepts = values.integer(typed.connection?.maxAcceptPerSocketEvent, 'spec.connection.maxAcceptPerSocketEvent', 0);
  if (accepts !== undefined) ir.maxAcceptPerSocketEvent = accepts;
  if (typed.grpc?.enableWeb !== undefined) ir.grpcWeb = typed.grpc.enableWeb;
  // Envoy's router adds x-envoy-* headers here; suppressing them is not built yet.
  if (typed.headers?.enableEnvoyHeaders === false) problems.push('spec.headers.enableEnvoyHeaders: false is not translated yet (Gatehouse\'s router always adds the x-envoy-* headers)');

  const xff = typed.clientIPDetection?.xForwardedFor;
  const custom = typed.clientIPDetection?.customHeader;
  if (xff && custom) problems.push('spec.clientIPDetection: set xForwardedFor or customHeader, not both');
  else if (xff) ir.clientIp = { kind: 'xffHops', hops: values.integer(xff.numTrustedHops ?? 0, 'spec.clientIPDetection.xForwardedFor.numTrustedHops') ?? 0 };
  else if (custom) {
    if (!custom.name) problems.push('spec.clientIPDetection.customHeader.name: is required');
    else ir.clientIp = { kind: 'customHeader', name: custom.name, failClosed: custom.failClosed === true };
  }

  if (typed.path?.disableMergeSlashes !== undefined) ir.mergeSlashes = !typed.path.disableMergeSlashes;
  if (typed.path?.escapedSlashesAction) ir.escapedSlashesAction = ESCAPED_SLASHES[typed.path.escapedSlashesAction];

  if (typed.http2) {
    const http2: NonNullable<ClientPolicyIR['http2']> = {};
    // Envoy's limits for HTTP/2 flow-control windows.
    const window = (value: string | number | undefined, field: 'initialStreamWindowSize' | 'initialConnectionWindowSize') => {
      if (value === undefined) return;
      const bytes = parseQuantity(value);
      if (bytes === undefined || bytes < 65_535 || bytes > 2_147_483_647) problems.push(`spec.http2.${field}: "${String(value)}" must be a byte quantity from 65535 to 2147483647`);
      else http2[field] = bytes;
    };
    window(typed.http2.initialStreamWindowSize, 'initialStreamWindowSize');
    window(typed.http2.initialConnectionWindowSize, 'initialConnectionWindowSize');
    const streams = values.integer(typed.http2.maxConcurrentStreams, 'spec.http2.maxConcurrentStreams', 1, 2_147_483_647);
    if (streams !== undefined) http2.maxConcurrentStreams = streams;
    const keepalive = typed.http2.connectionKeepalive;
    if (keepalive) {
      // Envoy's KeepaliveSettings needs a timeout of at least 1ms.
      const timeout = values.duration(keepalive.timeout, 'spec.http2.connectionKeepalive.timeout');
      if (keepalive.timeout === undefined) problems.push('spec.http2.connectionKeepalive.timeout: is required (how long Envoy waits for the PING answer)');
      const interval = values.duration(keepalive.interval, 'spec.http2.connectionKeepalive.interval');
      const idle = values.duration(keepalive.idleInterval, 'spec.http2.connectionKeepalive.idleInterval');
      const jitter = values.percent(keepalive.intervalJitter, 'spec.http2.connectionKeepalive.intervalJitter');
      if (timeout !== undefined) {
        http2.keepalive = {
          timeoutMs: timeout,
          ...(interval !== undefined ? { intervalMs: interval } : {}),
          ...(jitter !== undefined ? { intervalJitterPercent: jitter } : {}),
          ...(idle !== undefined ? { idleIntervalMs: idle } : {}),
        };
      }
    }
    if (typed.http2.onInvalidMessage) http2.resetStreamOnInvalidMessage = typed.http2.onInvalidMessage === 'TerminateStream';
    ir.http2 = http2;
  }

  if (typed.tls) {
    const tls: NonNullable<ClientPolicyIR['tls']> = {};
    for (const field of ['minVersion', 'maxVersion'] as const) {
      const version = typed.tls[field];
      if (version === undefined) continue;
      const envoy = TLS_VERSIONS[version];
      if (envoy === undefined) problems.push(`spec.tls.${field}: "${version}" is not one of Auto, 1.0, 1.1, 1.2, 1.3`);
      else tls[field] = envoy;
    }
    const order = ['TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'];
    if (tls.minVersion && tls.maxVersion && order.indexOf(tls.minVersion) > order.indexOf(tls.maxVersion)) problems.push('spec.tls.minVersion: is above maxVersion');
    for (const field of ['ciphers', 'ecdhCurves', 'signatureAlgorithms', 'alpnProtocols'] as const) if (typed.tls[field]) tls[field] = [...typed.tls[field]!];
    if (typed.tls.clientValidation) {
      const validation = translateClientValidation(typed.tls.clientValidation, policy.slice(0, policy.indexOf('/')), index, values);
      if (validation) tls.clientValidation = validation;
    }
    ir.tls = tls;
  }
  const extras = translateClientExtras(spec as ClientExtrasSpec, values);
  if (extras) ir.extras = extras;
  return { ir, problems };
}

/**
 * Fields that depend on the targeted listeners: `tls` and `http3` only mean something on HTTPS
 * listeners, and http1.http10.useDefaultHost needs one non-wildcard hostname to inject: the
 * listener's, or the only one its HTTPRoutes are served under.
 */
export function tlsWithoutHttpsTarget(
  spec: Record<string, unknown>,
  namespace: string,
  gateways: ReadonlyArray<{ key: string; listeners: ReadonlyArray<{ name: string; protocol: string; hostname?: string; tlsMode?: string }> }>,
  routeHostnames?: (gatewayKey: string, listener: string) => string[],
): string | undefined {
  const typed = spec as { tls?: unknown; http3?: unknown; http1?: { http10?: { useDefaultHost?: boolean } }; targetRefs?: Array<{ kind?: string; name?: string; sectionName?: string }>; targetRef?: { kind?: string; name?: string; sectionName?: string } };
  const targets = [...(typed.targetRefs ?? []), ...(typed.targetRef ? [typed.targetRef] : [])].filter((t) => t.kind === 'Gateway');
  const listeners = targets.flatMap((target) => gateways.find((g) => g.key === `${namespace}/${target.name}`)?.listeners.filter((l) => !target.sectionName || l.name === target.sectionName) ?? []);
  const https = listeners.some((l) => l.protocol === 'HTTPS');
  // A TLS listener in Terminate mode terminates TLS too (l4-listeners.ts applies the settings there).
  const terminates = https || listeners.some((l) => l.protocol === 'TLS' && l.tlsMode === 'Terminate');
  const problems: string[] = [];
  if (typed.tls !== undefined && typed.tls !== null && !terminates) problems.push('spec.tls: no targeted listener is HTTPS, so there is no TLS to configure');
  if (typed.http3 !== undefined && typed.http3 !== null && !https) problems.push('spec.http3: no targeted listener is HTTPS, and HTTP/3 (QUIC) needs TLS');
  // As Envoy Gateway: the listener's own hostname, else the one hostname its HTTPRoutes are served under.
  if (typed.http1?.http10?.useDefaultHost === true) {
    for (const target of targets) {
      const gatewayKey = `${namespace}/${target.name}`;
      for (const listener of listeners.filter((l) => (l.protocol === 'HTTP' || l.protocol === 'HTTPS') && (!l.hostname || l.hostname.startsWith('*')))) {
        if (!gateways.find((g) => g.key === gatewayKey)?.listeners.includes(listener)) continue;
        const hosts = routeHostnames?.(gatewayKey, listener.name) ?? [];
        if (hosts.length === 1) continue;
        problems.push(
          `spec.http1.http10.useDefaultHost: listener ${listener.name} has only wildcard hostnames${hosts.length > 1 ? ` and more than one possible default host (${hosts.join(', ')})` : ''}, so there is no HTTP/1.0 default host`,
        );
      }
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * The non-wildcard hostnames of the HTTPRoutes whose parentRefs name a listener (by sectionName, or the
 * whole Gateway), distinct and sorted: the candidates for a listener's HTTP/1.0 default host.
 */
export function httpRouteHostnames(index: ResourceIndex, gatewayKey: string, listener: string): string[] {
  const hosts = new Set<string>();
  for (const route of index.list('HTTPRoute')) {
    const spec = (route.spec ?? {}) as { parentRefs?: Array<{ name?: string; namespace?: string; sectionName?: string; kind?: string }>; hostnames?: string[] };
    // A route that failed its schema (parentRefs not a list, say) attaches nowhere.
    if (route.issues?.length || !Array.isArray(spec.parentRefs)) continue;
    const attached = spec.parentRefs.some(
      (ref) => (ref.kind ?? 'Gateway') === 'Gateway' && `${ref.namespace ?? route.metadata.namespace}/${ref.name}` === gatewayKey && (!ref.sectionName || ref.sectionName === listener),
    );
    if (attached) for (const host of spec.hostnames ?? []) if (!host.startsWith('*')) hosts.add(host);
  }
  return [...hosts].sort();
}
