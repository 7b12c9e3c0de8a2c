import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, readCertsConfig } from './config.js';

const key = randomBytes(32).toString('base64');

function variableOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ConfigError ? err.variable : 'not a ConfigError';
  }
  return undefined;
}

describe('readCertsConfig', () => {
  it('refuses to start without CERTS_ENCRYPTION_KEY', () => {
    expect(variableOf(() => readCertsConfig({}))).toBe('CERTS_ENCRYPTION_KEY');
  });

  it('starts without a key only when CERTS_ALLOW_PLAINTEXT_KEYS=true', () => {
    expect(readCertsConfig({ CERTS_ALLOW_PLAINTEXT_KEYS: 'true' }).encryptionKey).toBeUndefined();
  });

  it('rejects a key of the wrong size', () => {
    expect(variableOf(() => readCertsConfig({ CERTS_ENCRYPTION_KEY: 'abc' }))).toBe('CERTS_ENCRYPTION_KEY');
  });

  it('names the variable of a bad number', () => {
    expect(variableOf(() => readCertsConfig({ CERTS_ENCRYPTION_KEY: key, HTTP_PORT: 'eighty' }))).toBe('HTTP_PORT');
  });

  it('defaults to 10 orders per 10 s per CA and account', () => {
    expect(readCertsConfig({ CERTS_ENCRYPTION_KEY: key })).toMatchObject({ ordersPerWindow: 10, windowMs: 10_000 });
  });
});
