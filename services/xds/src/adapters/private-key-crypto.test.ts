import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptPrivateKey, encryptPrivateKey, parseEncryptionKey } from './private-key-crypto.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';

describe('decryptPrivateKey (the certs service key envelope)', () => {
  const key = randomBytes(32);

  it('opens an encrypted envelope', () => {
    expect(decryptPrivateKey(encryptPrivateKey(PEM, key), key)).toBe(PEM);
  });

  it('opens a plaintext envelope when no key is configured', () => {
    expect(decryptPrivateKey(encryptPrivateKey(PEM, undefined), undefined)).toBe(PEM);
  });

  it('refuses a plaintext envelope when a key is configured, unless allowed', () => {
    const plain = encryptPrivateKey(PEM, undefined);
    expect(() => decryptPrivateKey(plain, key)).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_PLAINTEXT_REFUSED' }));
    expect(decryptPrivateKey(plain, key, { allowPlaintext: true })).toBe(PEM);
  });

  it('reports a missing or different CERTS_ENCRYPTION_KEY as a wrong key', () => {
    const sealed = encryptPrivateKey(PEM, key);
    expect(() => decryptPrivateKey(sealed, undefined)).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_WRONG_KEY' }));
    expect(() => decryptPrivateKey(sealed, randomBytes(32))).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_WRONG_KEY' }));
  });

  it('detects tampering', () => {
    const parts = encryptPrivateKey(PEM, key).split(':');
    const ciphertext = Buffer.from(parts[5]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 1;
    parts[5] = ciphertext.toString('base64url');
    expect(() => decryptPrivateKey(parts.join(':'), key)).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_TAMPERED' }));
  });

  it('reports missing and malformed values', () => {
    expect(() => decryptPrivateKey(null, key)).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_MISSING' }));
    expect(() => decryptPrivateKey(PEM, key)).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_MALFORMED' }));
  });
});

describe('parseEncryptionKey', () => {
  it('accepts 32 bytes as base64 or hex and nothing else', () => {
    const key = randomBytes(32);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(() => parseEncryptionKey('short')).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_ENCRYPTION_KEY_INVALID' }));
  });
});
