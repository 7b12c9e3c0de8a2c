import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptPrivateKey, encryptPrivateKey, parseEncryptionKey } from './private-key-crypto.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';

describe('decryptPrivateKey', () => {
  const key = randomBytes(32);

  it('round-trips the encrypted JSON form', () => {
    expect(decryptPrivateKey(encryptPrivateKey(PEM, key), key)).toBe(PEM);
  });

  it('passes plain PEM through', () => {
    expect(decryptPrivateKey(PEM, undefined)).toBe(PEM);
  });

  it('refuses an encrypted key without CERTS_ENCRYPTION_KEY', () => {
    expect(() => decryptPrivateKey(encryptPrivateKey(PEM, key), undefined)).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_ENCRYPTED' }));
  });

  it('refuses the wrong key and tampered data', () => {
    expect(() => decryptPrivateKey(encryptPrivateKey(PEM, key), randomBytes(32))).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_DECRYPT_FAILED' }));
    const stored = JSON.parse(encryptPrivateKey(PEM, key)) as { data: string };
    const data = Buffer.from(stored.data, 'base64');
    data[0] = data[0]! ^ 1;
    expect(() => decryptPrivateKey(JSON.stringify({ ...stored, data: data.toString('base64') }), key)).toThrow(
      expect.objectContaining({ code: 'GH_XDS_CERT_KEY_DECRYPT_FAILED' }),
    );
  });

  it('reports a missing key', () => {
    expect(() => decryptPrivateKey(null, key)).toThrow(expect.objectContaining({ code: 'GH_XDS_CERT_KEY_MISSING' }));
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
