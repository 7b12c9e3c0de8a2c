// Upgrade path: a certificate issued by a version that published CertificateIssued unsealed is refused by
// xds after the upgrade. certs announces every stored certificate again at start, sealed, without a new
// order; a stored chain a Redis writer swapped for another certificate is not announced (it does not
// match the stored key). Real redis-server, Pebble, the service in-process (stopped and started again).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateIssuedCodec, FanoutChannels, SealedUses } from '@gatehouse/contracts';
import { freePort, startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { startService, type RunningService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY, testSealedCodec } from '@gatehouse/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, pebbleIssuerYaml, redisClient } from './testing/certs-fixture.js';
import { certsService } from './service.js';

const LATEST = `${FanoutChannels.certificateIssued}:latest`;
const FIELD = 'default/site';
const sealed = testSealedCodec(certificateIssuedCodec, SealedUses.certificateIssued());
const certYaml = (name: string) => `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: ${name}, namespace: default }
spec:
  secretName: ${name}-tls
  dnsNames: [${name}.example.test]
  issuerRef: { name: pebble, kind: ClusterIssuer }
`;

/**
 * Stopping the service while BullMQ's worker loop has a blocking command in flight can leave BullMQ with a
 * "Connection is closed." rejection it does not handle (ioredis flushing its queue on close, no frame of
 * ours in the stack). That shutdown noise, and only it, is kept out of vitest's unhandled-error check
 * while this file runs; any other rejection still reaches vitest.
 */
function ignoreBullmqShutdownNoise(): () => void {
  const vitestListeners = process.listeners('unhandledRejection');
  const isNoise = (reason: unknown): boolean =>
    reason instanceof Error && reason.message === 'Connection is closed.' && (reason.stack ?? '').split('\n').slice(1).every((frame) => frame.includes('node_modules') || frame.includes('node:'));
  const filter = (reason: unknown, promise: Promise<unknown>): void => {
    if (!isNoise(reason)) for (const listener of vitestListeners) listener(reason, promise);
  };
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', filter);
  return () => {
    process.off('unhandledRejection', filter);
    for (const listener of vitestListeners) process.on('unhandledRejection', listener);
  };
}

describe('certs announces its stored certificates again at start (upgrade from unsealed announcements)', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let dir: string;
  let httpPort: number;
  let service: RunningService | undefined;
  const encryptionKey = randomBytes(32).toString('base64');

  const start = async (): Promise<RunningService> =>
    (service = await startService(certsService, {
      GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
      REDIS_URL: redis.url,
      GATEHOUSE_INSECURE_PLAINTEXT: 'true',
      BIND_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      ADMIN_PORT: '0',
      GRPC_PORT: '0',
      CERTS_CONFIG_PATH: dir,
      ACME_CA_CERTS: join(dir, 'ca.pem'),
      CERTS_ENCRYPTION_KEY: encryptionKey,
      LOG_LEVEL: 'silent',
    }));

  let restoreUnhandled: () => void = () => {};

  beforeAll(async () => {
    restoreUnhandled = ignoreBullmqShutdownNoise();
    redis = await startRedis();
    httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-upgrade-'));
    writeFileSync(join(dir, 'issuer.yaml'), pebbleIssuerYaml(pebble.directoryUrl));
    writeFileSync(join(dir, 'site.yaml'), certYaml('site'));
    writeFileSync(join(dir, 'other.yaml'), certYaml('other'));
    writeFileSync(join(dir, 'ca.pem'), `${pebble.caBundlePem}\n${pebble.issuingRootPem}`);
  });

  afterAll(async () => {
    await service?.stop();
    await pebble?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // Late rejections from the stopped service's connections land before the filter is removed.
    await new Promise((resolve) => setTimeout(resolve, 200));
    restoreUnhandled();
  });

  it('re-announces an issued certificate sealed after an upgrade from unsealed announcements, and not a stored chain swapped for another', async () => {
    const r = redisClient(redis.url);
    try {
      await start();
      const issued = await eventually('both certificates issued', async () => {
        const all = await r.hgetallBuffer(LATEST);
        return all[FIELD] && all['default/other'] ? all : undefined;
      }, 60_000);
      const before = sealed.decode(issued[FIELD]!);
      await service!.stop();
      service = undefined;

      // The previous version's announcement: the same message, unsealed (xds refuses it after the upgrade).
      await r.hset(LATEST, FIELD, certificateIssuedCodec.encode(before));
      // A Redis writer swaps the other certificate's stored chain for this one (valid, but not its key).
      await r.hset(LATEST, 'default/other', certificateIssuedCodec.encode(sealed.decode(issued['default/other']!)));
      await r.hset('gatehouse:certs:state:default/other', 'chainPem', before.certificate_chain_pem!);

      await start();
      const again = await eventually('the certificate to be announced again, sealed', async () => {
        try {
          return sealed.decode((await r.hgetBuffer(LATEST, FIELD))!);
        } catch {
          return undefined;
        }
      });
      expect(again).toMatchObject({ revision: before.revision, certificate_chain_pem: before.certificate_chain_pem, private_key_ref: before.private_key_ref, not_after_unix: before.not_after_unix });
      // Not announced: its stored chain no longer matches its key.
      await expect(r.hgetBuffer(LATEST, 'default/other').then((b) => sealed.decode(b!))).rejects.toThrow(/GH_SEALED_/);
    } finally {
      await r.quit();
    }
  });
});
