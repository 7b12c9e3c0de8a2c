// Private keys the certs service stores in Redis (its key envelope, services/certs
// core/key-envelope.ts; xds cannot import a service, so it opens the same format here):
//   encrypted: "ghkey1:A256GCM:<kid>:<iv>:<tag>:<ciphertext>"  (iv/tag/ciphertext base64url)
//   plaintext: "ghkey1:plain:<pem base64url>"                  (certs with CERTS_ALLOW_PLAINTEXT_KEYS)
// AES-256-GCM over the PEM text, 12-byte IV, 16-byte tag, no AAD; <kid> = first 8 hex chars of
// sha256(key). CERTS_ENCRYPTION_KEY is 32 bytes as 64 hex chars or base64/base64url.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'ghkey1';

export type PrivateKeyErrorCode =
  | 'GH_XDS_CERT_KEY_MISSING'
  | 'GH_XDS_CERT_KEY_MALFORMED'
  | 'GH_XDS_CERT_KEY_WRONG_KEY'
  | 'GH_XDS_CERT_KEY_TAMPERED'
  | 'GH_XDS_CERT_KEY_PLAINTEXT_REFUSED'
  | 'GH_XDS_CERT_ENCRYPTION_KEY_INVALID';

export class PrivateKeyError extends Error {
  constructor(
    readonly code: PrivateKeyErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'PrivateKeyError';
  }
}

/** @throws PrivateKeyError GH_XDS_CERT_ENCRYPTION_KEY_INVALID */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new PrivateKeyError('GH_XDS_CERT_ENCRYPTION_KEY_INVALID', `CERTS_ENCRYPTION_KEY must be 32 bytes as 64 hex chars or base64 (got ${key.length} bytes)`);
  return key;
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Seals a PEM the way the certs service does (used by tests and tools). */
export function encryptPrivateKey(pem: string, key: Buffer | undefined): string {
  if (!key) return `${PREFIX}:plain:${Buffer.from(pem, 'utf8').toString('base64url')}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return [PREFIX, 'A256GCM', keyId(key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
}

export interface DecryptOptions {
  /** Accept a plaintext envelope even though a key is configured. Default false. */
  allowPlaintext?: boolean;
  /** The Redis key it came from, for messages. */
  ref?: string;
}

/**
 * The PEM private key from what the certs service stored under private_key_ref.
 * @throws PrivateKeyError
 */
export function decryptPrivateKey(stored: string | null | undefined, key: Buffer | undefined, options: DecryptOptions = {}): string {
  const ref = options.ref ?? 'private key';
  if (!stored) throw new PrivateKeyError('GH_XDS_CERT_KEY_MISSING', `${ref}: nothing stored`);
  const parts = stored.trim().split(':');
  if (parts[0] !== PREFIX) throw new PrivateKeyError('GH_XDS_CERT_KEY_MALFORMED', `${ref}: not a ${PREFIX} envelope`);
  if (parts[1] === 'plain' && parts.length === 3) {
    // With a key configured, a plaintext key is suspicious (someone wrote it around the certs service).
    if (key && !options.allowPlaintext) throw new PrivateKeyError('GH_XDS_CERT_KEY_PLAINTEXT_REFUSED', `${ref}: stored in plaintext but CERTS_ENCRYPTION_KEY is set`);
    return Buffer.from(parts[2] ?? '', 'base64url').toString('utf8');
  }
  if (parts[1] !== 'A256GCM' || parts.length !== 6) throw new PrivateKeyError('GH_XDS_CERT_KEY_MALFORMED', `${ref}: unknown envelope layout`);
  const [, , kid, iv, tag, ciphertext] = parts as [string, string, string, string, string, string];
  if (!key) throw new PrivateKeyError('GH_XDS_CERT_KEY_WRONG_KEY', `${ref}: encrypted (key id ${kid}) but CERTS_ENCRYPTION_KEY is not set`);
  if (kid !== keyId(key)) throw new PrivateKeyError('GH_XDS_CERT_KEY_WRONG_KEY', `${ref}: encrypted with key id ${kid}, CERTS_ENCRYPTION_KEY is ${keyId(key)}`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new PrivateKeyError('GH_XDS_CERT_KEY_TAMPERED', `${ref}: authentication failed (the envelope was modified)`);
  }
}
