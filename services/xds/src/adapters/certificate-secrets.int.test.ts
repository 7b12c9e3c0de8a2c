import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIssuedCodec, SealedUses } from '@gatehouse/contracts';
import { testControlKeyring, testSealedCodec } from '@gatehouse/kit/testing';
import type { CertificateIssued } from '@gatehouse/contracts/generated/gatehouse/v1/CertificateIssued';
import { startRedis, type RedisHandle as TestRedis } from '@gatehouse/e2e';
import { CertificateSecrets } from './certificate-secrets.js';
import { encryptPrivateKey } from '@gatehouse/contracts';

let redis: TestRedis;
const connections: Redis[] = [];
const connect = (): Redis => {
  const c = new Redis(redis.url);
  connections.push(c);
  return c;
};
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis.stop();
});

describe('CertificateSecrets', () => {
  it('serves an issued certificate with its decrypted key, rotates it, and loads all stored ones at start', async () => {
    const key = randomBytes(32);
    const prefix = `t${Math.random()}`;
    const channel = `${prefix}:issued`;
    const latestKey = `${prefix}:latest`;
    const r = connect();
    // Publishes the way services/certs does: HSET latest + PUBLISH.
    const publish = async (message: CertificateIssued) => {
      const bytes = testSealedCodec(certificateIssuedCodec, SealedUses.certificateIssued(channel)).encode(message);
      await r.multi().hset(latestKey, `${message.namespace}/${message.name}`, bytes).publish(channel, bytes).exec();
    };
    const issued = (revision: number): CertificateIssued => ({
      namespace: 'default',
      name: 'web',
      secret_name: 'web-tls',
      certificate_chain_pem: `CERT-${revision}`,
      private_key_ref: `${prefix}:key:${revision}`,
      revision,
    });
    await r.set(`${prefix}:key:1`, encryptPrivateKey('KEY-1', key));
    await publish(issued(1));

    let notify = (): void => undefined;
    let changes = 0;
    const secrets = new CertificateSecrets({
      redis: r,
      subscriber: connect,
      keyring: testControlKeyring,
      encryptionKey: key,
      channel,
      latestKey,
      onChange: () => {
        changes++;
        notify();
      },
      onError: (err) => {
        throw err;
      },
    });
    await secrets.start();
    expect(secrets.secrets()).toEqual([
      { name: 'default/web-tls', tls_certificate: { certificate_chain: { inline_string: 'CERT-1' }, private_key: { inline_string: 'KEY-1' } } },
    ]);

    await r.set(`${prefix}:key:2`, encryptPrivateKey('KEY-2', key));
    const renewed = new Promise<void>((resolve) => (notify = resolve));
    await publish(issued(2));
    await renewed;
    expect(secrets.secrets()).toEqual([
      { name: 'default/web-tls', tls_certificate: { certificate_chain: { inline_string: 'CERT-2' }, private_key: { inline_string: 'KEY-2' } } },
    ]);
    expect(changes).toBe(2);
    await secrets.close();
  });
});
