// The Envoy attributes a SecurityPolicy authorization rule's `cel` expression reads
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes), built from
// what the authz service knows about a request. Names and shapes follow Envoy's: request.path keeps the
// query, source.address is "ip:port", integers are CEL ints, and a verified JWT's claims sit where
// Envoy Gateway's jwt_authn filter puts them (metadata.filter_metadata["envoy.filters.http.jwt_authn"][issuer]).

/** What authz knows about one request, in plain values. */
export interface RequestAttributes {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Query string without "?", or "". */
  readonly query: string;
  readonly host: string;
  readonly scheme: string;
  /** Lower-case names, repeated headers joined by ",". */
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol?: string;
  readonly requestId?: string;
  /** Request start, ms since the epoch. */
  readonly timeMs?: number;
  readonly sourceIp: string;
  readonly sourcePort?: number;
  readonly destinationIp?: string;
  readonly destinationPort?: number;
  /** The client presented a certificate (mutual TLS). */
  readonly mtls: boolean;
  /** TLS SNI, "" without TLS. */
  readonly requestedServerName?: string;
  /** The JWT this request authenticated with, if any. */
  readonly jwt?: { readonly issuer: string; readonly claims: Readonly<Record<string, unknown>> };
}

/** The name of Envoy's JWT filter: Envoy Gateway stores each verified payload under it, keyed by issuer. */
export const JWT_METADATA_NAMESPACE = 'envoy.filters.http.jwt_authn';

/** The CEL variables of one request (request, source, destination, connection, metadata, filter_state). */
export function celActivation(a: RequestAttributes): Record<string, unknown> {
  const request: Record<string, unknown> = {
    path: a.query ? `${a.path}?${a.query}` : a.path,
    url_path: a.path,
    host: a.host,
    scheme: a.scheme,
    method: a.method,
    headers: a.headers,
    query: a.query,
  };
  if (a.headers.referer !== undefined) request.referer = a.headers.referer;
  if (a.headers['user-agent'] !== undefined) request.useragent = a.headers['user-agent'];
  if (a.requestId) request.id = a.requestId;
  if (a.protocol) request.protocol = a.protocol;
  if (a.timeMs !== undefined) request.time = new Date(a.timeMs);
  return {
    request,
    source: endpoint(a.sourceIp, a.sourcePort),
    destination: endpoint(a.destinationIp ?? '', a.destinationPort),
    connection: { mtls: a.mtls, requested_server_name: a.requestedServerName ?? '' },
    metadata: { filter_metadata: a.jwt ? { [JWT_METADATA_NAMESPACE]: { [a.jwt.issuer]: a.jwt.claims } } : {} },
    filter_state: {},
  };
}

function endpoint(ip: string, port: number | undefined): Record<string, unknown> {
  if (port === undefined || port === 0) return { address: ip };
  return { address: ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`, port: BigInt(port) };
}
