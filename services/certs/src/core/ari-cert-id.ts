// RFC 9773 section 4.1: the ARI CertID is base64url(AKI keyIdentifier) "." base64url(serial), where
// serial is the DER INTEGER's contents octets (keeping a leading 0x00 if present).
import { DerError, readChildren, readElement } from './der-reader.js';

const SEQUENCE = 0x30;
const CONTEXT_0_CONSTRUCTED = 0xa0;
const CONTEXT_3_CONSTRUCTED = 0xa3;
const INTEGER = 0x02;
const OID = 0x06;
const OCTET_STRING = 0x04;
const KEY_IDENTIFIER = 0x80;
const AKI_OID = Buffer.from([0x55, 0x1d, 0x23]); // 2.5.29.35

export interface CertIdParts {
  readonly authorityKeyIdentifier: Buffer;
  readonly serial: Buffer;
}

export function readCertIdParts(certificateDer: Buffer): CertIdParts {
  const certificate = readElement(certificateDer, 0);
  const [tbs] = readChildren(certificate.value);
  if (certificate.tag !== SEQUENCE || tbs?.tag !== SEQUENCE) throw new DerError('not an X.509 certificate');
  const fields = readChildren(tbs.value);
  const hasVersion = fields[0]?.tag === CONTEXT_0_CONSTRUCTED;
  const serial = fields[hasVersion ? 1 : 0];
  if (serial?.tag !== INTEGER) throw new DerError('certificate has no serial number');
  const extensions = fields.find((f) => f.tag === CONTEXT_3_CONSTRUCTED);
  const list = extensions ? readChildren(extensions.value)[0] : undefined;
  for (const extension of list ? readChildren(list.value) : []) {
    const parts = readChildren(extension.value);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (id?.tag !== OID || !id.value.equals(AKI_OID) || value?.tag !== OCTET_STRING) continue;
    const aki = readElement(value.value, 0);
    const keyIdentifier = readChildren(aki.value).find((f) => f.tag === KEY_IDENTIFIER);
    if (!keyIdentifier) break;
    return { authorityKeyIdentifier: Buffer.from(keyIdentifier.value), serial: Buffer.from(serial.value) };
  }
  throw new DerError('certificate has no Authority Key Identifier keyIdentifier (required for ARI)');
}

export function ariCertId(certificateDer: Buffer): string {
  const { authorityKeyIdentifier, serial } = readCertIdParts(certificateDer);
  return `${authorityKeyIdentifier.toString('base64url')}.${serial.toString('base64url')}`;
}
