// Where an Envoy finds its mutual-TLS material, in one place for everything that writes or points at it:
// `gatehouse bootstrap` (the bootstrap's xds cluster and the two file-based SDS secrets it writes next to the
// bootstrap) and xds (the authz and ratelimit clusters it serves name the same SDS files). As in Envoy Gateway,
// the certificate arrives through file-based SDS, so a rotated file is taken without restarting Envoy.

/** The deployment PKI as containers mount it (`gatehouse pki init` output). */
export const DEFAULT_PKI_DIR = '/etc/gatehouse/pki';

/** Where an Envoy container has its bootstrap and the SDS files next to it (the compose mount and the k8s ConfigMap). */
export const DEFAULT_ENVOY_SDS_DIR = '/etc/envoy';

/** The two SDS secrets every Envoy reads from files: its own certificate, and the CA its peers must chain to. */
export const ENVOY_SDS_SECRETS = {
  certificate: { name: 'gatehouse-envoy-certificate', file: 'gatehouse-envoy-certificate.json' },
  trustedCa: { name: 'gatehouse-trusted-ca', file: 'gatehouse-trusted-ca.json' },
} as const;

/** The PKI files of the Envoy serving Gateway `<namespace>/<name>`: `envoy-<namespace>-<name>.crt|.key` and `ca.crt`. */
export function envoyPkiFiles(pkiDir: string, namespace: string, name: string): { certFile: string; keyFile: string; caFile: string } {
  return pkiFilesOf(pkiDir, `envoy-${namespace}-${name}`);
}

/** `<fileBase>.crt|.key` and `ca.crt` in the PKI folder (`gatewayclass-<name>` for a merged GatewayClass's fleet). */
function pkiFilesOf(pkiDir: string, fileBase: string): { certFile: string; keyFile: string; caFile: string } {
  const dir = pkiDir.replace(/\/+$/, '');
  return { certFile: `${dir}/${fileBase}.crt`, keyFile: `${dir}/${fileBase}.key`, caFile: `${dir}/ca.crt` };
}

const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

/**
 * The contents of the two SDS files (DiscoveryResponse JSON, as Envoy's path_config_source reads them) for
 * the Envoy of Gateway `<namespace>/<name>`. Envoy watches the PKI directory and reloads the files when they change.
 */
export function envoySdsFiles(pkiDir: string, namespace: string, name: string): Record<string, string> {
  return envoySdsFilesFor(pkiDir, `envoy-${namespace}-${name}`);
}

/** The same two SDS files for the certificate `<fileBase>.crt|.key` (a merged GatewayClass's fleet: `gatewayclass-<name>`). */
export function envoySdsFilesFor(pkiDir: string, fileBase: string): Record<string, string> {
  const files = pkiFilesOf(pkiDir, fileBase);
  // A Kubernetes Secret mount swaps its `..data` link: watching the directory sees every rotation.
  const watched_directory = { path: pkiDir.replace(/\/+$/, '') || '/' };
  const response = (secret: object): string => `${JSON.stringify({ resources: [{ '@type': SECRET_TYPE, ...secret }] }, null, 2)}\n`;
  return {
    [ENVOY_SDS_SECRETS.certificate.file]: response({
      name: ENVOY_SDS_SECRETS.certificate.name,
      tls_certificate: { certificate_chain: { filename: files.certFile }, private_key: { filename: files.keyFile }, watched_directory },
    }),
    [ENVOY_SDS_SECRETS.trustedCa.file]: response({ name: ENVOY_SDS_SECRETS.trustedCa.name, validation_context: { trusted_ca: { filename: files.caFile }, watched_directory } }),
  };
}
