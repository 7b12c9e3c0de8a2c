// The at-rest format of private keys in Redis: the certs service seals them, xds opens them to serve
// them over SDS. Both import this one module, so the two sides cannot drift apart.
//
//   encrypted: "ghkey1:A256GCM:<kid>:<iv>:<tag>:<ciphertext>"   (iv/tag/ciphertext base64url)
//   plaintext: "ghkey1:plain:<pem base64url>"                   (only with CERTS_ALLOW_PLAINTEXT_KEYS=true)
//
// <kid> is the first 8 hex chars of sha256(key), so a wrong CERTS_ENCRYPTION_KEY is reported as such
// instead of as a corrupt record. The 12-byte IV is random per envelope; the GCM tag is 16 bytes.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'ghkey1';

export type KeyEnvelopeErrorCode =
  | 'GH_CERTS_ENCRYPTION_KEY_INVALID'
  | 'GH_CERTS_KEY_ENVELOPE_MISSING'
  | 'GH_CERTS_KEY_ENVELOPE_MALFORMED'
  | 'GH_CERTS_KEY_ENVELOPE_WRONG_KEY'
  | 'GH_CERTS_KEY_ENVELOPE_TAMPERED'
  | 'GH_CERTS_KEY_ENVELOPE_PLAINTEXT_REFUSED';

export class KeyEnvelopeError extends Error {
  constructor(
    readonly code: KeyEnvelopeErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'KeyEnvelopeError';
  }
}

/**
 * Parses CERTS_ENCRYPTION_KEY: 32 random bytes, given as 64 hex chars or base64/base64url
 * (e.g. `openssl rand -base64 32`).
 */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new KeyEnvelopeError(
      'GH_CERTS_ENCRYPTION_KEY_INVALID',
      `CERTS_ENCRYPTION_KEY must be 32 bytes as 64 hex chars or base64 (got ${key.length} bytes); create one with: openssl rand -base64 32`,
    );
  }
  return key;
}

export function encryptionKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Accepts the raw CERTS_ENCRYPTION_KEY text or an already parsed key. */
export type EncryptionKeyInput = string | Buffer | undefined;

function toKey(input: EncryptionKeyInput): Buffer | undefined {
  if (input === undefined || input === '') return undefined;
  return typeof input === 'string' ? parseEncryptionKey(input) : input;
}

/**
 * Seals a PEM private key for storage. With no key the PEM is stored in plaintext; callers only
 * allow that when the operator opted in (CERTS_ALLOW_PLAINTEXT_KEYS=true).
 */
export function encryptPrivateKey(pem: string, keyFromEnv: EncryptionKeyInput): string {
  const key = toKey(keyFromEnv);
  if (!key) return `${PREFIX}:plain:${Buffer.from(pem, 'utf8').toString('base64url')}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, 'A256GCM', encryptionKeyId(key), iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':');
}

export interface DecryptOptions {
  /** Accept plaintext envelopes (CERTS_ALLOW_PLAINTEXT_KEYS=true). Default false. */
  readonly allowPlaintext?: boolean;
  /** Where the envelope came from (its Redis key), for error messages. */
  readonly ref?: string;
}

/** Opens an envelope read from Redis. Returns the PEM private key. */
export function decryptPrivateKey(stored: string | null | undefined, keyFromEnv: EncryptionKeyInput, options: DecryptOptions = {}): string {
  const key = toKey(keyFromEnv);
  const ref = options.ref ?? 'private key';
  if (!stored) throw new KeyEnvelopeError('GH_CERTS_KEY_ENVELOPE_MISSING', `${ref}: nothing stored`);
  const parts = stored.trim().split(':');
  if (parts[0] !== PREFIX) throw new KeyEnvelopeError('GH_CERTS_KEY_ENVELOPE_MALFORMED', `${ref}: not a ${PREFIX} envelope`);
  if (parts[1] === 'plain' && parts.length === 3) {
    if (!options.allowPlaintext && key) {
      throw new KeyEnvelopeError('GH_CERTS_KEY_ENVELOPE_PLAINTEXT_REFUSED', `${ref}: stored in plaintext but an encryption key is configured`);
    }
    return Buffer.from(parts[2] ?? '', 'base64url').toString('utf8');
  }
  if (parts[1] !== 'A256GCM' || parts.length !== 6) {
    throw new KeyEnvelopeError('GH_CERTS_KEY_ENVELOPE_MALFORMED', `${ref}: unknown envelope layout`);
  }
  const [, , kid, iv, tag, ciphertext] = parts as [string, string, string, string, string, string];
  if (!key) throw new KeyEnvelopeError('GH_CERTS_KEY_ENVELOPE_WRONG_KEY', `${ref}: encrypted (key id ${kid}) but no encryption key is configured`);
  if (kid !== encryptionKeyId(key)) {
    throw new KeyEnvelopeError('GH_CERTS_KEY_ENVELOPE_WRONG_KEY', `${ref}: encrypted with key id ${kid}, configured key is ${encryptionKeyId(key)}`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new KeyEnvelopeError('GH_CERTS_KEY_ENVELOPE_TAMPERED', `${ref}: authentication failed (the envelope was modified)`);
  }
}
