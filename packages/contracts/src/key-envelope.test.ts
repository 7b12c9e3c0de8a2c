import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptPrivateKey, encryptPrivateKey, KeyEnvelopeError, parseEncryptionKey } from './key-envelope.js';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const envKey = randomBytes(32).toString('base64');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof KeyEnvelopeError ? err.code : `not a KeyEnvelopeError: ${String(err)}`;
  }
  return undefined;
}

describe('key envelope', () => {
  it('round-trips a PEM key with the key text from the environment', () => {
    const sealed = encryptPrivateKey(pem, envKey);
    expect(sealed.startsWith('ghkey1:A256GCM:')).toBe(true);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(decryptPrivateKey(sealed, envKey)).toBe(pem);
  });

  it('accepts the key as 64 hex chars', () => {
    const hex = randomBytes(32).toString('hex');
    expect(decryptPrivateKey(encryptPrivateKey(pem, hex), parseEncryptionKey(hex))).toBe(pem);
  });

  it('uses a fresh IV for every envelope', () => {
    expect(encryptPrivateKey(pem, envKey)).not.toBe(encryptPrivateKey(pem, envKey));
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(codeOf(() => parseEncryptionKey('short'))).toBe('GH_CERTS_ENCRYPTION_KEY_INVALID');
  });

  it('reports a different encryption key as the wrong key, not as tampering', () => {
    const sealed = encryptPrivateKey(pem, envKey);
    expect(codeOf(() => decryptPrivateKey(sealed, randomBytes(32)))).toBe('GH_CERTS_KEY_ENVELOPE_WRONG_KEY');
    expect(codeOf(() => decryptPrivateKey(sealed, undefined))).toBe('GH_CERTS_KEY_ENVELOPE_WRONG_KEY');
  });

  it('detects a modified ciphertext', () => {
    const parts = encryptPrivateKey(pem, envKey).split(':');
    const ct = Buffer.from(parts[5]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[5] = ct.toString('base64url');
    expect(codeOf(() => decryptPrivateKey(parts.join(':'), envKey))).toBe('GH_CERTS_KEY_ENVELOPE_TAMPERED');
  });

  it('stores plaintext only without a key, and refuses plaintext once a key is configured', () => {
    const plain = encryptPrivateKey(pem, undefined);
    expect(decryptPrivateKey(plain, undefined)).toBe(pem);
    expect(codeOf(() => decryptPrivateKey(plain, envKey))).toBe('GH_CERTS_KEY_ENVELOPE_PLAINTEXT_REFUSED');
    expect(decryptPrivateKey(plain, envKey, { allowPlaintext: true })).toBe(pem);
  });

  it('rejects something that is not an envelope', () => {
    expect(codeOf(() => decryptPrivateKey(pem, envKey))).toBe('GH_CERTS_KEY_ENVELOPE_MALFORMED');
  });
  it('names a missing or non-envelope record instead of failing later', () => {
    expect(codeOf(() => decryptPrivateKey(null, envKey))).toBe('GH_CERTS_KEY_ENVELOPE_MISSING');
    expect(codeOf(() => decryptPrivateKey('', envKey))).toBe('GH_CERTS_KEY_ENVELOPE_MISSING');
    expect(codeOf(() => decryptPrivateKey(pem, envKey))).toBe('GH_CERTS_KEY_ENVELOPE_MALFORMED');
  });
});
