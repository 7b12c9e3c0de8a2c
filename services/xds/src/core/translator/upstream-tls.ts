// UpstreamTlsIR -> the cluster's TLS transport socket, as Envoy Gateway builds it for a Backend's tls:
// the CA inline (or the system trust store's file), the SNI, the upstream certificate's DNS SAN
// matched exactly against the SNI and any extra names, TLS parameters, and client certificates by SDS.
import type { UpstreamTlsIR } from '../ir/types.js';
import { ADS_CONFIG_SOURCE, EnvoyNames, type EnvoyObject } from './envoy-types.js';

const UPSTREAM_TLS_CONTEXT = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
/** Where Debian-based Envoy images (the official ones) keep the system trust store. */
export const SYSTEM_TRUST_STORE = '/etc/ssl/certs/ca-certificates.crt';
const TLS_VERSIONS: Record<string, string> = { Auto: 'TLS_AUTO', '1.0': 'TLSv1_0', '1.1': 'TLSv1_1', '1.2': 'TLSv1_2', '1.3': 'TLSv1_3' };

export function upstreamTlsSocket(tls: UpstreamTlsIR): EnvoyObject {
  const common: EnvoyObject = {};
  if (!tls.insecureSkipVerify && tls.trustedCa) {
    common.validation_context = {
      trusted_ca: tls.trustedCa.kind === 'inline' ? { inline_string: tls.trustedCa.pem } : { filename: SYSTEM_TRUST_STORE },
      ...(tls.subjectAltNames.length > 0
        ? { match_typed_subject_alt_names: tls.subjectAltNames.map((san) => ({ san_type: san.type, matcher: { exact: san.value } })) }
        : {}),
    };
  }
  const params: EnvoyObject = {};
  if (tls.minVersion) params.tls_minimum_protocol_version = TLS_VERSIONS[tls.minVersion];
  if (tls.maxVersion) params.tls_maximum_protocol_version = TLS_VERSIONS[tls.maxVersion];
  if (tls.ciphers.length > 0) params.cipher_suites = tls.ciphers;
  if (tls.ecdhCurves.length > 0) params.ecdh_curves = tls.ecdhCurves;
  if (tls.signatureAlgorithms.length > 0) params.signature_algorithms = tls.signatureAlgorithms;
  if (Object.keys(params).length > 0) common.tls_params = params;
  if (tls.alpnProtocols.length > 0) common.alpn_protocols = tls.alpnProtocols;
  if (tls.clientCertificates.length > 0) common.tls_certificate_sds_secret_configs = tls.clientCertificates.map((name) => ({ name, sds_config: ADS_CONFIG_SOURCE }));
  return {
    name: EnvoyNames.tlsTransportSocket,
    typed_config: { '@type': UPSTREAM_TLS_CONTEXT, common_tls_context: common, ...(tls.sni ? { sni: tls.sni } : {}) },
  };
}
