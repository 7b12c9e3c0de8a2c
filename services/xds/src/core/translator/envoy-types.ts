// Type URLs and well-known names of the Envoy extensions the translator emits, in one place.
const T = 'type.googleapis.com/';

export const EnvoyTypes = {
  httpConnectionManager: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  router: `${T}envoy.extensions.filters.http.router.v3.Router`,
  extAuthz: `${T}envoy.extensions.filters.http.ext_authz.v3.ExtAuthz`,
  extAuthzPerRoute: `${T}envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute`,
  rateLimit: `${T}envoy.extensions.filters.http.ratelimit.v3.RateLimit`,
  tlsInspector: `${T}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`,
  downstreamTlsContext: `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  httpProtocolOptions: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
} as const;

export const EnvoyNames = {
  httpConnectionManager: 'envoy.filters.network.http_connection_manager',
  router: 'envoy.filters.http.router',
  extAuthz: 'envoy.filters.http.ext_authz',
  rateLimit: 'envoy.filters.http.ratelimit',
  tlsInspector: 'envoy.filters.listener.tls_inspector',
  tlsTransportSocket: 'envoy.transport_sockets.tls',
  httpProtocolOptions: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;

/** Resources delivered over the same ADS stream as everything else. */
export const ADS_CONFIG_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;

/** google.protobuf.Duration in Envoy's JSON form: "90s", "0.500s". */
export function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`;
}

/**
 * An object in Envoy's JSON form (proto3 JSON with the proto field names: durations as "5s",
 * wrapper types as bare scalars, Any as {'@type', ...}); checked against the protos in tests.
 */
export type EnvoyObject = Record<string, unknown>;
