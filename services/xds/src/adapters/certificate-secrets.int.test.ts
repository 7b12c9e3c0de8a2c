import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIssuedCodec } from '@gatehouse/contracts';
import { FanoutChannel } from '@gatehouse/kit';
import { startRedis, type TestRedis } from '../testing/redis-server.js';
import { CertificateSecrets } from './certificate-secrets.js';
import { encryptPrivateKey } from './private-key-crypto.js';

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
  it('serves an issued certificate with its decrypted key, rotates it, and reloads all after a restart', async () => {
    const key = randomBytes(32);
    const prefix = `t${Math.random()}`;
    const channelName = `${prefix}:issued`;
    const hashKey = `${prefix}:hash`;
    const r = connect();
    const publisher = new FanoutChannel({ name: channelName, codec: certificateIssuedCodec, redis: r });
    let changes = 0;
    let notify = (): void => undefined;
    const secrets = new CertificateSecrets({
      redis: r,
      subscriber: connect,
      encryptionKey: key,
      channelName,
      hashKey,
      onChange: () => {
        changes++;
        notify();
      },
      onError: (err) => {
        throw err;
      },
    });
    await secrets.start();
    const issue = async (revision: number, pem: string) => {
      await r.set(`${prefix}:key:${revision}`, encryptPrivateKey(`KEY-${revision}`, key));
      const changed = new Promise<void>((resolve) => (notify = resolve));
      await publisher.publish({ namespace: 'default', name: 'web', secret_name: 'web-tls', certificate_chain_pem: pem, private_key_ref: `${prefix}:key:${revision}`, revision });
      await changed;
    };
    await issue(1, 'CERT-1');
    expect(secrets.secrets()).toEqual([
      { name: 'default/web-tls', tls_certificate: { certificate_chain: { inline_string: 'CERT-1' }, private_key: { inline_string: 'KEY-1' } } },
    ]);
    await issue(2, 'CERT-2');
    expect(secrets.secrets()[0]).toMatchObject({ tls_certificate: { certificate_chain: { inline_string: 'CERT-2' }, private_key: { inline_string: 'KEY-2' } } });
    expect(changes).toBe(2);
    await secrets.close();

    const restarted = new CertificateSecrets({ redis: r, subscriber: connect, encryptionKey: key, channelName, hashKey, onChange: () => undefined, onError: () => undefined });
    await restarted.start();
    expect(restarted.secrets()).toHaveLength(1);
    expect(restarted.secrets()[0]).toMatchObject({ name: 'default/web-tls', tls_certificate: { private_key: { inline_string: 'KEY-2' } } });
    await restarted.close();
  });
});
