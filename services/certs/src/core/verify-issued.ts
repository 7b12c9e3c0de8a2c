// Checks an issued certificate before anyone serves it: the key matches the leaf, every link of
// the chain verifies, the chain ends at a trusted root, the leaf covers the requested names and is
// currently valid.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { CertsError } from '../errors.js';

export class IssuedCertificateError extends CertsError {
  constructor(code: 'GH_CERTS_KEY_MISMATCH' | 'GH_CERTS_CHAIN_INVALID' | 'GH_CERTS_CHAIN_UNTRUSTED' | 'GH_CERTS_NAMES_MISSING' | 'GH_CERTS_NOT_VALID_NOW', detail: string) {
    super(code, detail);
    this.name = 'IssuedCertificateError';
  }
}

export function splitPemChain(chainPem: string): string[] {
  return chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export interface VerifiedCertificate {
  readonly leaf: X509Certificate;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly serialNumber: string;
}

export interface VerifyOptions {
  readonly chainPem: string;
  readonly keyPem: string;
  readonly dnsNames: readonly string[];
  /** Roots the chain must end at; when empty, only the links inside the chain are checked. */
  readonly trustedRoots: readonly X509Certificate[];
  readonly now: number;
}

function sanDnsNames(cert: X509Certificate): Set<string> {
  const names = new Set<string>();
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) names.add(part.slice(4).toLowerCase());
  }
  return names;
}

export function verifyIssued(options: VerifyOptions): VerifiedCertificate {
  const pems = splitPemChain(options.chainPem);
  if (pems.length === 0) throw new IssuedCertificateError('GH_CERTS_CHAIN_INVALID', 'no certificate in the CA response');
  const chain = pems.map((p) => new X509Certificate(p));
  const leaf = chain[0] as X509Certificate;
  if (!leaf.checkPrivateKey(createPrivateKey(options.keyPem))) {
    throw new IssuedCertificateError('GH_CERTS_KEY_MISMATCH', 'the private key does not belong to the issued certificate');
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i] as X509Certificate;
    const parent = chain[i + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new IssuedCertificateError('GH_CERTS_CHAIN_INVALID', `certificate ${i} ("${child.subject}") is not signed by certificate ${i + 1} ("${parent.subject}")`);
    }
  }
  if (options.trustedRoots.length > 0) {
    const top = chain[chain.length - 1] as X509Certificate;
    const anchored = options.trustedRoots.some((root) => root.fingerprint256 === top.fingerprint256 || (top.checkIssued(root) && top.verify(root.publicKey)));
    if (!anchored) {
      throw new IssuedCertificateError('GH_CERTS_CHAIN_UNTRUSTED', `the chain ends at "${top.issuer}", which is not a trusted root (add it to ACME_CA_CERTS for a private or staging CA)`);
    }
  }
  const names = sanDnsNames(leaf);
  const missing = options.dnsNames.filter((n) => !names.has(n.toLowerCase()));
  if (missing.length > 0) throw new IssuedCertificateError('GH_CERTS_NAMES_MISSING', `the certificate does not cover ${missing.join(', ')}`);
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  // A minute of slack: CAs backdate notBefore, and clocks differ.
  if (options.now + 60_000 < notBefore || options.now >= notAfter) {
    throw new IssuedCertificateError('GH_CERTS_NOT_VALID_NOW', `valid from ${leaf.validFrom} to ${leaf.validTo}`);
  }
  return { leaf, notBefore, notAfter, serialNumber: leaf.serialNumber };
}
