// The Node TLS options of an internal server that is not gRPC (certs' HTTP-01 responder): the same policy as the
// gRPC ports (TLS 1.3, a client certificate from the deployment CA), following the files as they rotate.
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { TlsFileWatcher } from './tls-file-watcher.js';
import type { TlsMaterial } from './tls-material.js';

export function mutualTlsContext(material: TlsMaterial): SecureContextOptions {
  return { ca: material.ca, cert: material.cert, key: material.key };
}

export function mutualTlsServerOptions(material: TlsMaterial): TlsOptions {
  return { ...mutualTlsContext(material), requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' };
}

/** New handshakes on `server` use each rotated certificate; returns the unsubscribe. */
export function followRotation(server: { setSecureContext(options: SecureContextOptions): void }, watcher: TlsFileWatcher): () => void {
  return watcher.onChange((material) => server.setSecureContext(mutualTlsContext(material)));
}
