import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, type PebbleHandle } from './pebble.js';

describe('startPebble', () => {
  let pebble: PebbleHandle;
  beforeAll(async () => {
    pebble = await startPebble({ chaos: false });
  });
  afterAll(() => pebble?.stop());

  it('serves the ACME directory over TLS signed by the throwaway CA', async () => {
    const response = await pebble.fetch(pebble.directoryUrl);
    const directory = (await response.json()) as Record<string, unknown>;
    expect(directory.newAccount).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(directory.newNonce).toBeTypeOf('string');
  });

  it('is not trusted by a client that lacks the throwaway CA', async () => {
    await expect(fetch(pebble.directoryUrl)).rejects.toThrow();
  });

  it('returns a CA certificate as the issuing root, distinct from the throwaway CA', () => {
    const root = new X509Certificate(pebble.issuingRootPem);
    expect(root.ca).toBe(true);
    expect(root.fingerprint256).not.toBe(new X509Certificate(pebble.caBundlePem).fingerprint256);
  });

  it('exposes challtestsrv, whose DNS records Pebble uses', async () => {
    await pebble.challenges.addA('drill.example.test', ['127.0.0.2']);
    await pebble.challenges.clearA('drill.example.test');
    await expect(fetch(`${pebble.challtestsrvUrl}/add-a`, { method: 'POST', body: 'not json' })).resolves.toHaveProperty('ok', false);
    expect(pebble.dnsPort).toBeGreaterThan(0);
  });
});

describe('startPebble with External Account Binding', () => {
  it('advertises that an external account is required', async () => {
    const pebble = await startPebble({ externalAccountMacKeys: { 'kid-1': 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W' } });
    try {
      const directory = (await (await pebble.fetch(pebble.directoryUrl)).json()) as { meta?: Record<string, unknown> };
      expect(directory.meta?.externalAccountRequired).toBe(true);
    } finally {
      await pebble.stop();
    }
  });
});
