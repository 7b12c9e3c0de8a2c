// Reads and checks a service's TLS files (its certificate chain, its key, the deployment CA) before they are
// used, so a wrong file is reported by name at start or on rotation instead of as a handshake failure later.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
  /** The leaf certificate, for its identity and expiry. */
  readonly leaf: X509Certificate;
}

export class TlsMaterialError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'TlsMaterialError';
  }
}

export function loadTlsMaterial(files: TlsFiles, now = new Date()): TlsMaterial {
  const cert = read(files.certFile);
  const key = read(files.keyFile);
  const ca = read(files.caFile);
  const leaf = parseFirstCertificate(cert, files.certFile);
  const authorities = splitPem(ca).map((pem) => parse(pem, files.caFile));
  if (authorities.length === 0) throw new TlsMaterialError(files.caFile, 'holds no PEM certificate');
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsMaterialError(files.keyFile, `is not a PEM private key (${(err as Error).message})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new TlsMaterialError(files.keyFile, `does not match the certificate in ${files.certFile}`);
  if (!authorities.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey))) {
    throw new TlsMaterialError(files.certFile, `is not signed by the CA in ${files.caFile}`);
  }
  if (new Date(leaf.validTo) <= now) throw new TlsMaterialError(files.certFile, `expired on ${leaf.validTo}`);
  if (new Date(leaf.validFrom) > now) throw new TlsMaterialError(files.certFile, `is not valid before ${leaf.validFrom}`);
  return { cert, key, ca, leaf };
}

/** URI subject alternative names of a certificate (where the deployment PKI puts identities). */
export function uriSans(certificate: { subjectaltname?: string | undefined }): string[] {
  return (certificate.subjectaltname ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
}

function read(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsMaterialError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function splitPem(pem: Buffer): string[] {
  return pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function parseFirstCertificate(pem: Buffer, file: string): X509Certificate {
  const first = splitPem(pem)[0];
  if (!first) throw new TlsMaterialError(file, 'holds no PEM certificate');
  return parse(first, file);
}

function parse(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsMaterialError(file, `holds a certificate that does not parse (${(err as Error).message})`);
  }
}
