// ClientTrafficPolicy fields beyond the HCM basics -> ClientExtrasIR, as Envoy Gateway translates
// them: header mutations at the edge, HTTP/1 variants, the scheme, socket buffers, TCP-level
// timeouts, TLS session resumption and fingerprints, HTTP/3. Values the vendored Envoy API cannot
// express are refused by value here, by path and with the reason (whole fields it cannot express are
// refused by the field-support table).
import type { ClientExtrasIR, HeaderMutationIR } from '../ir/client-extras.js';
import { parseQuantity, type PolicyValues } from './policy-values.js';

type Header = { name?: string; value?: string };
interface HeaderModifier {
  add?: Header[];
  set?: Header[];
  addIfAbsent?: Header[];
  remove?: string[];
}

export interface ClientExtrasSpec {
  clientIPDetection?: { directSourceIP?: unknown; xForwardedFor?: { disableXForwardedForAppend?: boolean }; customHeader?: unknown };
  connection?: { socketBufferLimit?: string | number };
  headers?: { disableRateLimitHeaders?: boolean; earlyRequestHeaders?: HeaderModifier; lateResponseHeaders?: HeaderModifier };
  http1?: { preserveHeaderCase?: boolean; http10?: { useDefaultHost?: boolean }; disableSafeMaxConnectionDuration?: boolean };
  http3?: unknown;
  scheme?: 'Preserve' | 'MatchBackend';
  timeout?: { tcp?: { connectionInspectionTimeout?: string; tlsHandshakeTimeout?: string; idleTimeout?: string } };
  tls?: { fingerprints?: string[]; session?: { resumption?: { stateless?: unknown; stateful?: unknown } } };
}

// A header name Envoy accepts in a HeaderValue key (RFC 7230 token; pseudo-headers are not mutable here).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function translateClientExtras(spec: ClientExtrasSpec, values: PolicyValues): ClientExtrasIR | undefined {
  const problems = values.problems;
  const extras: ClientExtrasIR = {};
  const detection = spec.clientIPDetection;
  if (detection?.directSourceIP !== undefined && detection.directSourceIP !== null) {
    // Envoy Gateway's CEL rule: one way of finding the client, not two.
    if (detection.xForwardedFor || detection.customHeader) problems.push('spec.clientIPDetection.directSourceIP: is mutually exclusive with xForwardedFor and customHeader');
    else extras.directSourceIp = true;
  }
  if (detection?.xForwardedFor?.disableXForwardedForAppend !== undefined) extras.skipXffAppend = detection.xForwardedFor.disableXForwardedForAppend;

  const socketBuffer = spec.connection?.socketBufferLimit;
  if (socketBuffer !== undefined) {
    const bytes = parseQuantity(socketBuffer);
    // SO_RCVBUF takes a C int.
    if (bytes === undefined || bytes < 1 || bytes > 2_147_483_647) problems.push(`spec.connection.socketBufferLimit: "${String(socketBuffer)}" is not a byte quantity from 1 to 2Gi`);
    else extras.socketBufferBytes = bytes;
  }

  if (spec.headers?.disableRateLimitHeaders !== undefined) extras.disableRateLimitHeaders = spec.headers.disableRateLimitHeaders;
  const early = spec.headers?.earlyRequestHeaders ? headerMutations(spec.headers.earlyRequestHeaders, 'spec.headers.earlyRequestHeaders', problems) : undefined;
  if (early?.length) extras.earlyRequestHeaders = early;
  const late = spec.headers?.lateResponseHeaders ? headerMutations(spec.headers.lateResponseHeaders, 'spec.headers.lateResponseHeaders', problems) : undefined;
  if (late?.length) extras.lateResponseHeaders = late;

  const http1 = spec.http1;
  if (http1?.preserveHeaderCase !== undefined) extras.preserveHeaderCase = http1.preserveHeaderCase;
  if (http1?.http10) extras.http10 = { useDefaultHost: http1.http10.useDefaultHost === true };
  // The vendored HCM has no http1_safe_max_connection_duration: Envoy drains an HTTP/1 connection
  // shortly after maxConnectionDuration, which is exactly what `true` asks for.
  if (http1?.disableSafeMaxConnectionDuration === false) {
    problems.push('spec.http1.disableSafeMaxConnectionDuration: false (close HTTP/1 connections only after the next response) needs HCM http1_safe_max_connection_duration, which the Envoy API Gatehouse validates against does not have; only true is translated');
  }

  if (spec.scheme === 'MatchBackend') extras.schemeMatchBackend = true;

  const tcp = spec.timeout?.tcp;
  if (tcp) {
    const inspection = values.duration(tcp.connectionInspectionTimeout, 'spec.timeout.tcp.connectionInspectionTimeout');
    const handshake = values.duration(tcp.tlsHandshakeTimeout, 'spec.timeout.tcp.tlsHandshakeTimeout');
    if (inspection !== undefined) extras.connectionInspectionTimeoutMs = inspection;
    if (handshake !== undefined) extras.tlsHandshakeTimeoutMs = handshake;
    // Envoy Gateway sets it on the tcp_proxy of TCP/TLS listeners; 0s is tcp_proxy's "no idle timeout".
    const idle = values.duration(tcp.idleTimeout, 'spec.timeout.tcp.idleTimeout', false);
    if (idle !== undefined) extras.tcpIdleTimeoutMs = idle;
  }

  const fingerprints = spec.tls?.fingerprints ?? [];
  fingerprints.forEach((kind, i) => {
    if (kind === 'JA3') extras.ja3Fingerprint = true;
    else if (kind === 'JA4') problems.push(`spec.tls.fingerprints[${i}]: JA4 needs TlsInspector.enable_ja4_fingerprinting, which the Envoy API Gatehouse validates against does not have (JA3 is translated)`);
    else problems.push(`spec.tls.fingerprints[${i}]: "${String(kind)}" is not JA3 or JA4`);
  });
  const resumption = spec.tls?.session?.resumption;
  if (spec.tls?.session) {
    const present = (value: unknown) => value !== undefined && value !== null;
    extras.sessionResumption = { stateless: present(resumption?.stateless), stateful: present(resumption?.stateful) };
  }

  if (spec.http3 !== undefined && spec.http3 !== null) extras.http3 = true;
  return Object.keys(extras).length > 0 ? extras : undefined;
}

/** Envoy Gateway's order: add (append), set (overwrite), addIfAbsent, then removals. */
function headerMutations(modifier: HeaderModifier, at: string, problems: string[]): HeaderMutationIR[] {
  const mutations: HeaderMutationIR[] = [];
  const appendAll = (headers: Header[] | undefined, field: string, action: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD') => {
    (headers ?? []).forEach((header, i) => {
      if (!header.name || !HEADER_NAME.test(header.name)) problems.push(`${at}.${field}[${i}].name: "${String(header.name)}" is not an HTTP header name`);
      else mutations.push({ kind: 'append', name: header.name.toLowerCase(), value: header.value ?? '', action });
    });
  };
  appendAll(modifier.add, 'add', 'APPEND_IF_EXISTS_OR_ADD');
  appendAll(modifier.set, 'set', 'OVERWRITE_IF_EXISTS_OR_ADD');
  appendAll(modifier.addIfAbsent, 'addIfAbsent', 'ADD_IF_ABSENT');
  (modifier.remove ?? []).forEach((name, i) => {
    if (!HEADER_NAME.test(name)) problems.push(`${at}.remove[${i}]: "${name}" is not an HTTP header name`);
    else mutations.push({ kind: 'remove', name: name.toLowerCase() });
  });
  return mutations;
}
