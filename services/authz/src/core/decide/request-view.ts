// The parts of an ext_authz CheckRequest that decisions look at, normalised once per request.
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';

export interface RequestView {
  readonly method: string;
  /** Path without the query string, exactly as sent (not decoded). */
  readonly path: string;
  /** Raw query string without "?". */
  readonly query: string;
  readonly host: string;
  readonly scheme: string;
  /** Lower-case names; repeated headers joined by "," as Envoy does. */
  readonly headers: Readonly<Record<string, string>>;
  readonly clientIp: string;
  /** Connection attributes, for authorization rules' CEL (Envoy's source/destination/connection). */
  readonly clientPort?: number;
  readonly destinationIp?: string;
  readonly destinationPort?: number;
  /** The client presented a certificate Envoy verified (source.principal or certificate set). */
  readonly mtls?: boolean;
  /** TLS SNI, when the connection is TLS. */
  readonly sni?: string;
  /** HTTP protocol ("HTTP/1.1", "HTTP/2"), request start in ms since the epoch. */
  readonly protocol?: string;
  readonly timeMs?: number;
  /** context_extensions["policy"], "<namespace>/<name>", when the route names one. */
  readonly policyKey?: string;
  readonly requestId?: string;
  /** W3C traceparent of the request, for log lines. */
  readonly traceparent?: string;
}

export function toRequestView(request: CheckRequest__Output): RequestView {
  const attributes = request.attributes ?? {};
  const http = attributes.request?.http ?? {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(http.headers ?? {})) headers[name.toLowerCase()] = value;
  for (const entry of http.header_map?.headers ?? []) {
    const name = (entry.key ?? '').toLowerCase();
    const value = entry.value || (entry.raw_value ? Buffer.from(entry.raw_value).toString('latin1') : '');
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const fullPath = http.path || headers[':path'] || '/';
  const q = fullPath.indexOf('?');
  const policyKey = attributes.context_extensions?.policy;
  return {
    method: (http.method || headers[':method'] || 'GET').toUpperCase(),
    path: q === -1 ? fullPath : fullPath.slice(0, q),
    query: q === -1 ? http.query ?? '' : fullPath.slice(q + 1),
    host: (http.host || headers[':authority'] || headers.host || '').toLowerCase(),
    scheme: http.scheme || headers[':scheme'] || headers['x-forwarded-proto'] || 'https',
    headers,
    clientIp: attributes.source?.address?.socket_address?.address ?? '',
    ...connectionView(request),
    ...(policyKey ? { policyKey } : {}),
    ...(http.id ? { requestId: http.id } : {}),
    ...(headers.traceparent ? { traceparent: headers.traceparent } : {}),
  };
}

function connectionView(request: CheckRequest__Output): Pick<RequestView, 'clientPort' | 'destinationIp' | 'destinationPort' | 'mtls' | 'sni' | 'protocol' | 'timeMs'> {
  const { source, destination, tls_session: tls, request: req } = request.attributes ?? {};
  const clientPort = source?.address?.socket_address?.port_value;
  const destinationIp = destination?.address?.socket_address?.address;
  const destinationPort = destination?.address?.socket_address?.port_value;
  const time = req?.time;
  return {
    mtls: Boolean(source?.principal || source?.certificate),
    ...(clientPort ? { clientPort } : {}),
    ...(destinationIp ? { destinationIp } : {}),
    ...(destinationPort ? { destinationPort } : {}),
    ...(tls?.sni ? { sni: tls.sni } : {}),
    ...(req?.http?.protocol ? { protocol: req.http.protocol } : {}),
    ...(time?.seconds !== undefined ? { timeMs: Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6) } : {}),
  };
}
