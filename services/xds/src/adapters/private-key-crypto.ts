// Private keys the certs service stores in Redis, either as PEM or encrypted with
// CERTS_ENCRYPTION_KEY. Encrypted format (shared with services/certs):
//   JSON {"alg":"A256GCM","iv":<base64, 12 bytes>,"tag":<base64, 16 bytes>,"data":<base64 ciphertext>}
//   AES-256-GCM over the PEM text (UTF-8), no additional authenticated data.
//   CERTS_ENCRYPTION_KEY is 32 bytes given as base64 (44 chars) or hex (64 chars).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export type PrivateKeyErrorCode = 'GH_XDS_CERT_KEY_MISSING' | 'GH_XDS_CERT_KEY_ENCRYPTED' | 'GH_XDS_CERT_KEY_DECRYPT_FAILED' | 'GH_XDS_CERT_ENCRYPTION_KEY_INVALID';

export class PrivateKeyError extends Error {
  constructor(
    readonly code: PrivateKeyErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'PrivateKeyError';
  }
}

export interface EncryptedPrivateKey {
  alg?: 'A256GCM';
  iv: string;
  tag: string;
  data: string;
}

/** @throws PrivateKeyError GH_XDS_CERT_ENCRYPTION_KEY_INVALID */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new PrivateKeyError('GH_XDS_CERT_ENCRYPTION_KEY_INVALID', 'CERTS_ENCRYPTION_KEY must be 32 bytes, as base64 or hex');
  return key;
}

export function encryptPrivateKey(pem: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  const stored: EncryptedPrivateKey = { alg: 'A256GCM', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  return JSON.stringify(stored);
}

/**
 * The PEM private key from what is stored in Redis: PEM as is, or the encrypted JSON form.
 * @throws PrivateKeyError
 */
export function decryptPrivateKey(stored: string | null | undefined, key: Buffer | undefined): string {
  if (!stored) throw new PrivateKeyError('GH_XDS_CERT_KEY_MISSING', 'no private key stored under private_key_ref');
  const text = stored.trim();
  if (text.startsWith('-----BEGIN')) return text;
  let parsed: Partial<EncryptedPrivateKey>;
  try {
    parsed = JSON.parse(text) as Partial<EncryptedPrivateKey>;
  } catch {
    throw new PrivateKeyError('GH_XDS_CERT_KEY_DECRYPT_FAILED', 'stored private key is neither PEM nor encrypted JSON');
  }
  if (typeof parsed.iv !== 'string' || typeof parsed.tag !== 'string' || typeof parsed.data !== 'string') {
    throw new PrivateKeyError('GH_XDS_CERT_KEY_DECRYPT_FAILED', 'encrypted private key needs iv, tag and data');
  }
  if (!key) throw new PrivateKeyError('GH_XDS_CERT_KEY_ENCRYPTED', 'private key is encrypted but CERTS_ENCRYPTION_KEY is not set');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parsed.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(parsed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(parsed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new PrivateKeyError('GH_XDS_CERT_KEY_DECRYPT_FAILED', 'private key did not decrypt (wrong CERTS_ENCRYPTION_KEY or tampered data)');
  }
}
