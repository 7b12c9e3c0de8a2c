// Upstream mutual TLS from an Envoy to a Gatehouse service (authz, ratelimit, certs' HTTP-01 responder; xds in
// the bootstrap): the Envoy's certificate and
// the deployment CA come from file-based SDS, as its bootstrap's xds cluster does (Envoy Gateway's way: a
// rotated file is picked up without a restart), and the service must present its identity as a URI SAN.
import { ENVOY_SDS_SECRETS } from '@gatehouse/contracts';
import type { InternalTls } from './options.js';
import type { EnvoyObject } from './envoy-types.js';

const UPSTREAM_TLS_CONTEXT = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

export function internalTlsTransportSocket(tls: InternalTls, host: string, http2: boolean): EnvoyObject {
  const fileSds = (name: string, file: string): EnvoyObject => ({
    name,
    sds_config: { path_config_source: { path: `${tls.sdsDir.replace(/\/+$/, '')}/${file}` }, resource_api_version: 'V3' },
  });
  const isAddress = /^[\d.]+$|:/.test(host);
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': UPSTREAM_TLS_CONTEXT,
      ...(isAddress ? {} : { sni: host }),
      common_tls_context: {
        // Every Gatehouse service speaks TLS 1.3 only.
        tls_params: { tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' },
        // gRPC servers (Node's HTTP/2) negotiate h2 by ALPN and refuse a TLS connection without it.
        ...(http2 ? { alpn_protocols: ['h2'] } : {}),
        tls_certificate_sds_secret_configs: [fileSds(ENVOY_SDS_SECRETS.certificate.name, ENVOY_SDS_SECRETS.certificate.file)],
        combined_validation_context: {
          default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: tls.serverIdentity } }] },
          validation_context_sds_secret_config: fileSds(ENVOY_SDS_SECRETS.trustedCa.name, ENVOY_SDS_SECRETS.trustedCa.file),
        },
      },
    },
  };
}
