// Static TLS certificates from Secret documents, served over SDS by "<namespace>/<name>".
import type { TlsSecretIR } from '../ir/types.js';
import type { EnvoyObject } from './envoy-types.js';

export function buildSecret(secret: TlsSecretIR): EnvoyObject {
  return {
    name: secret.name,
    tls_certificate: { certificate_chain: { inline_string: secret.certificateChain }, private_key: { inline_string: secret.privateKey } },
  };
}
