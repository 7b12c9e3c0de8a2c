// The deployment CA: a self-signed ECDSA P-256 certificate that signs every component's certificate.
// Its name constraints allow only Gatehouse identities as URI names, so a stolen leaf key can never
// stand for anything outside spiffe://gatehouse.
import type { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { PkiError } from './errors.js';
import { TRUST_DOMAIN } from './identity.js';
import { exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem, keyMatchesCertificate, parseCertificatePem, SIGNING_ALGORITHM } from './keys.js';
import { randomSerialNumber } from './serial-number.js';

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CreateCaOptions {
  /** Default: 3650 (ten years). */
  readonly validityDays?: number;
  /** Default: the current time. */
  readonly now?: Date;
}

const DAY_MS = 86_400_000;
/** Certificates start a little in the past, so a peer whose clock runs behind accepts them at once. */
export const BACKDATE_MS = 5 * 60_000;

const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** DER of NameConstraints { permittedSubtrees [0] { GeneralSubtree { uniformResourceIdentifier host } } }. */
function uriNameConstraints(host: string): Uint8Array<ArrayBuffer> {
  const tlv = (tag: number, body: Uint8Array): Uint8Array<ArrayBuffer> => {
    if (body.length > 127) throw new Error('name constraint too long');
    return Uint8Array.of(tag, body.length, ...body);
  };
  const uri = tlv(0x86, new TextEncoder().encode(host)); // [6] IMPLICIT IA5String
  return tlv(0x30, tlv(0xa0, tlv(0x30, uri)));
}

export async function createCa(options: CreateCaOptions = {}): Promise<PemPair> {
  const now = options.now ?? new Date();
  const keys = await generateKeyPair();
  const id = randomSerialNumber().slice(0, 8);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ CN: [`Gatehouse deployment CA ${id}`] }, { O: ['Gatehouse'] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + (options.validityDays ?? 3650) * DAY_MS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.Extension(NAME_CONSTRAINTS_OID, true, uriNameConstraints(TRUST_DOMAIN)),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await exportPrivateKeyPem(keys.privateKey) };
}

export interface LoadedCa {
  readonly certificate: x509.X509Certificate;
  readonly key: webcrypto.CryptoKey;
}

/** Parses a CA pair and checks it can sign: a CA certificate whose key is the one given. */
export async function loadCa(ca: PemPair): Promise<LoadedCa> {
  const certificate = parseCertificatePem(ca.certPem);
  const key = await importPrivateKeyPem(ca.keyPem);
  const basic = certificate.getExtension(x509.BasicConstraintsExtension);
  if (!basic?.ca) throw new PkiError('GH_PKI_NOT_A_CA', `"${certificate.subject}" is not a CA certificate`);
  if (!(await keyMatchesCertificate(key, certificate))) throw new PkiError('GH_PKI_KEY_MISMATCH', `the CA key does not belong to "${certificate.subject}"`);
  return { certificate, key };
}
