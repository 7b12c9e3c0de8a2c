// How a service's gRPC port is secured: mutual TLS 1.3 against the deployment CA (the default, and the only
// choice in the deploy files), or plaintext when GATEHOUSE_INSECURE_PLAINTEXT says so for local development.
import { ServerCredentials, type ServerUnaryCall } from '@grpc/grpc-js';
import { parseIdentity, type Identity } from '@gatehouse/contracts';
import { ConfigError } from '../config/config-error.js';
import { TlsFileWatcher, type TlsFileWatcherOptions } from '../tls/tls-file-watcher.js';
import { TlsMaterialError, uriSans, type TlsFiles, type TlsMaterial } from '../tls/tls-material.js';

export interface TransportSettings {
  readonly TLS_CERT_FILE: string | undefined;
  readonly TLS_KEY_FILE: string | undefined;
  readonly TLS_CA_FILE: string | undefined;
  readonly GATEHOUSE_INSECURE_PLAINTEXT: boolean;
}

export type TransportPlan = { readonly kind: 'mtls'; readonly files: TlsFiles } | { readonly kind: 'plaintext' };

const HOW_TO = 'set TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE to files made by `gatehouse pki init` (README, "Internal TLS")';

/** Reads the settings into one plan, or a ConfigError naming the variable to set. */
export function planTransport(settings: TransportSettings): TransportPlan {
  const named = { TLS_CERT_FILE: settings.TLS_CERT_FILE, TLS_KEY_FILE: settings.TLS_KEY_FILE, TLS_CA_FILE: settings.TLS_CA_FILE };
  const set = Object.entries(named).filter(([, value]) => value !== undefined);
  if (settings.GATEHOUSE_INSECURE_PLAINTEXT) {
    if (set.length > 0) throw new ConfigError('GATEHOUSE_INSECURE_PLAINTEXT', `is true while ${set.map(([n]) => n).join(', ')} ${set.length > 1 ? 'are' : 'is'} set; choose one`);
    return { kind: 'plaintext' };
  }
  const missing = Object.entries(named).find(([, value]) => value === undefined);
  if (missing) {
    const why = set.length === 0 ? 'gRPC is served over mutual TLS' : 'TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE go together';
    throw new ConfigError(missing[0], `is required: ${why}; ${HOW_TO}, or set GATEHOUSE_INSECURE_PLAINTEXT=true for local development only`);
  }
  return { kind: 'mtls', files: { certFile: named.TLS_CERT_FILE!, keyFile: named.TLS_KEY_FILE!, caFile: named.TLS_CA_FILE! } };
}

export interface GrpcTransport {
  readonly credentials: ServerCredentials;
  /** Present with mTLS: the files being followed. */
  readonly watcher?: TlsFileWatcher;
  close(): void;
}

/** Server credentials for the plan; with mTLS, new files are taken without a restart (new handshakes use them). */
export function grpcTransport(plan: TransportPlan, options: TlsFileWatcherOptions = {}): GrpcTransport {
  if (plan.kind === 'plaintext') return { credentials: ServerCredentials.createInsecure(), close: () => undefined };
  let watcher: TlsFileWatcher;
  try {
    watcher = new TlsFileWatcher(plan.files, options);
  } catch (err) {
    if (err instanceof TlsMaterialError) throw new ConfigError(variableOf(plan.files, err.file), err.message);
    throw err;
  }
  const credentials = new ReloadingMtlsCredentials(watcher.material);
  watcher.onChange((material) => credentials.take(material));
  return { credentials, watcher, close: () => watcher.close() };
}

/**
 * The identities in the verified client certificate of a call (empty with plaintext). Only URIs of the
 * deployment's form count; the CA already vouched for the certificate, so its SAN is the caller's identity.
 */
export function peerIdentities(call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>): Identity[] {
  const context = call.getAuthContext();
  if (!context?.transportSecurityType || context.transportSecurityType !== 'ssl' || !context.sslPeerCertificate) return [];
  return uriSans(context.sslPeerCertificate).flatMap((uri) => parseIdentity(uri) ?? []);
}

/**
 * grpc-js's subclassing seam for credentials whose secure context changes (its own certificate-provider
 * credentials use it): the server applies each update to new handshakes; open connections keep theirs.
 */
class ReloadingMtlsCredentials extends ServerCredentials {
  constructor(material: TlsMaterial) {
    // TLS 1.3 only: every client is ours (Envoy, the CLI, proxyless clients), so nothing older needs serving.
    super({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, contextOptions(material));
  }

  take(material: TlsMaterial): void {
    this.updateSecureContextOptions(contextOptions(material));
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

function contextOptions(material: TlsMaterial) {
  return { ca: material.ca, cert: material.cert, key: material.key };
}

function variableOf(files: TlsFiles, file: string): string {
  if (file === files.keyFile) return 'TLS_KEY_FILE';
  if (file === files.caFile) return 'TLS_CA_FILE';
  return 'TLS_CERT_FILE';
}
