// ECDSA P-256 keys through WebCrypto: generated, written as PKCS#8 PEM, read back, and matched to a
// certificate's public key. P-256 is what Envoy, grpc-js and every TLS 1.3 stack speak natively.
import type { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { PkiError } from './errors.js';

export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

export function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

export async function exportPrivateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

export async function importPrivateKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  let der: ArrayBuffer;
  try {
    const blocks = x509.PemConverter.decodeWithHeaders(pem).filter((b) => b.type === 'PRIVATE KEY');
    if (blocks.length !== 1) throw new Error('expected one PKCS#8 "PRIVATE KEY" block');
    der = blocks[0]!.rawData;
  } catch (err) {
    throw new PkiError('GH_PKI_INVALID_PEM', `private key: ${(err as Error).message}`);
  }
  try {
    // Extractable so its public half can be compared with a certificate's (keyMatchesCertificate).
    return await crypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
  } catch (err) {
    throw new PkiError('GH_PKI_INVALID_PEM', `private key is not an ECDSA P-256 PKCS#8 key: ${(err as Error).message}`);
  }
}

export function parseCertificatePem(pem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch (err) {
    throw new PkiError('GH_PKI_INVALID_PEM', `certificate: ${(err as Error).message}`);
  }
}

/** Whether the private key is the one the certificate's public key belongs to (same curve point). */
export async function keyMatchesCertificate(key: webcrypto.CryptoKey, certificate: x509.X509Certificate): Promise<boolean> {
  const own = await crypto.subtle.exportKey('jwk', key);
  let certKey: webcrypto.CryptoKey;
  try {
    certKey = await certificate.publicKey.export(KEY_ALGORITHM, ['verify']);
  } catch {
    return false;
  }
  const pub = await crypto.subtle.exportKey('jwk', certKey);
  return own.crv === pub.crv && own.x === pub.x && own.y === pub.y;
}
