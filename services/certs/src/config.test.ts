import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { describe, expect, it } from 'vitest';
import { certsEnv, deriveCertsConfig } from './config.js';

/** Every service requires the control key; these tests are about the other variables. */
const withControlKey = (environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY, ...environment });

const key = randomBytes(32).toString('base64');
const read = (environment: NodeJS.ProcessEnv) => deriveCertsConfig(loadConfig(certsEnv, withControlKey(environment)));

function variableOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ConfigError ? err.variable : `not a ConfigError: ${String(err)}`;
  }
  return undefined;
}

describe('certs configuration', () => {
  it('refuses to start without CERTS_ENCRYPTION_KEY', () => {
    expect(variableOf(() => read({}))).toBe('CERTS_ENCRYPTION_KEY');
  });

  it('starts without a key only when CERTS_ALLOW_PLAINTEXT_KEYS=true', () => {
    expect(read({ CERTS_ALLOW_PLAINTEXT_KEYS: 'true' }).encryptionKey).toBeUndefined();
  });

  it('rejects a key of the wrong size', () => {
    expect(variableOf(() => read({ CERTS_ENCRYPTION_KEY: 'abc' }))).toBe('CERTS_ENCRYPTION_KEY');
  });

  it('names the variable of a bad number or resolver', () => {
    expect(variableOf(() => read({ CERTS_ENCRYPTION_KEY: key, HTTP_PORT: 'eighty' }))).toBe('HTTP_PORT');
    expect(variableOf(() => read({ CERTS_ENCRYPTION_KEY: key, CERTS_DNS01_NAMESERVERS: 'ns1.example.com' }))).toBe('CERTS_DNS01_NAMESERVERS');
  });

  it('defaults to 20 ACME calls per second (the CA\'s documented pace) and 10 orders per 10 s per CA and account', () => {
    expect(loadConfig(certsEnv, withControlKey({ CERTS_ENCRYPTION_KEY: key }))).toMatchObject({
      CERTS_ACME_CALLS_PER_WINDOW: 20,
      CERTS_ACME_CALLS_WINDOW_MS: 1000,
      CERTS_ACME_ORDERS_PER_WINDOW: 10,
      CERTS_ACME_ORDERS_WINDOW_MS: 10_000,
    });
  });

  it('refuses a call limit below one', () => {
    expect(variableOf(() => read({ CERTS_ENCRYPTION_KEY: key, CERTS_ACME_CALLS_PER_WINDOW: '0' }))).toBe('CERTS_ACME_CALLS_PER_WINDOW');
  });
});
