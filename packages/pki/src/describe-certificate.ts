// What a certificate in a PKI folder is, for `gatehouse pki show` and for renewal decisions.
import * as x509 from '@peculiar/x509';
import { parseIdentityUri, type Identity } from './identity.js';
import { parseCertificatePem } from './keys.js';

export interface CertificateSummary {
  readonly subject: string;
  readonly serialNumber: string;
  readonly isCa: boolean;
  /** The Gatehouse identity of its URI SAN, when it has one. */
  readonly identity?: Identity;
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex SHA-256 of the DER. */
  readonly fingerprint: string;
}

export async function describeCertificate(pem: string): Promise<CertificateSummary> {
  const cert = parseCertificatePem(pem);
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  const of = (type: string) => names.filter((n) => n.type === type).map((n) => n.value);
  const uris = of('url');
  const identity = uris.map(parseIdentityUri).find((id) => id !== undefined);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', cert.rawData));
  return {
    subject: cert.subject,
    serialNumber: cert.serialNumber,
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    ...(identity ? { identity } : {}),
    uris,
    dnsNames: of('dns'),
    ipAddresses: of('ip'),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprint: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
  };
}

/** Whether a certificate signed by `caPem` is the one given (its signature verifies with the CA's key). */
export async function isSignedBy(certPem: string, caPem: string): Promise<boolean> {
  const cert = parseCertificatePem(certPem);
  const ca = parseCertificatePem(caPem);
  return cert.issuer === ca.subject && (await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }));
}
