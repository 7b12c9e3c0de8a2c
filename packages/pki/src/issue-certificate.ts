// Leaf certificates: one ECDSA P-256 key per component, signed by the deployment CA, good for both ends
// of mutual TLS (serverAuth + clientAuth), naming its identity in a URI SAN.
import * as x509 from '@peculiar/x509';
import { BACKDATE_MS, loadCa, type PemPair } from './certificate-authority.js';
import { identityFileBase, identityUri, type Identity } from './identity.js';
import { exportPrivateKeyPem, generateKeyPair, SIGNING_ALGORITHM } from './keys.js';
import { randomSerialNumber } from './serial-number.js';
import { defaultSubjectAltNames, type SubjectAltNameOptions } from './subject-alt-names.js';

export interface IssueOptions extends SubjectAltNameOptions {
  readonly ca: PemPair;
  readonly identity: Identity;
  /** Default: 90. */
  readonly validityDays?: number;
  /** Default: the current time. */
  readonly now?: Date;
}

const DAY_MS = 86_400_000;
export const DEFAULT_LEAF_DAYS = 90;

export async function issueCertificate(options: IssueOptions): Promise<PemPair> {
  const ca = await loadCa(options.ca);
  const now = options.now ?? new Date();
  const keys = await generateKeyPair();
  const { dnsNames, ipAddresses } = defaultSubjectAltNames(options.identity, options);
  const notAfter = new Date(now.getTime() + (options.validityDays ?? DEFAULT_LEAF_DAYS) * DAY_MS);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: [{ CN: [identityFileBase(options.identity)] }, { O: ['Gatehouse'] }],
    issuer: ca.certificate.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    // Never past the CA: a chain is only as valid as its shortest link.
    notAfter: notAfter > ca.certificate.notAfter ? ca.certificate.notAfter : notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: identityUri(options.identity) },
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
