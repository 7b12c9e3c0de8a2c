// Certificates end to end through the built service: an annotated Gateway queues certificate
// requests for the certs service; a CertificateIssued fan-out (as services/certs publishes it)
// becomes an SDS secret, and a renewal rotates only the secret, never the listeners.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIssuedCodec, certificateWantedCodec, FanoutChannels, QueueNames, SealedUses, TypeUrls, unpackAny } from '@gatehouse/contracts';
import type { CertificateIssued } from '@gatehouse/contracts/generated/gatehouse/v1/CertificateIssued';
import { createQueue } from '@gatehouse/kit/queue';
import { testSealedCodec } from '@gatehouse/kit/testing';
import { startRedis, startService, waitFor, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';
import { CERTIFICATE_ISSUED_LATEST_KEY } from './adapters/certificate-secrets.js';
import { encryptPrivateKey } from '@gatehouse/contracts';
import { openSotwStream } from './testing/raw-ads-client.js';

const KEY = randomBytes(32);
const NODE = { id: 'envoy-public', cluster: 'default/public' };
let dir: string;
let redis: RedisHandle;
let xds: ServiceHandle;
let r: Redis;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-certs-sds-'));
  await writeFile(join(dir, 'public.yaml'), await readFile(new URL('../testdata/end-to-end/gateway-acme-https.in.yaml', import.meta.url), 'utf8'));
  redis = await startRedis();
  r = new Redis(redis.url, { maxRetriesPerRequest: null });
  xds = await startService('xds', { REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, CERTS_ENCRYPTION_KEY: KEY.toString('base64'), XDS_DEBOUNCE_MS: '10' });
});
afterAll(async () => {
  r?.disconnect();
  await xds?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Publishes the way services/certs does: key envelope under private_key_ref, HSET latest, PUBLISH. */
async function issue(revision: number): Promise<void> {
  const ref = `gatehouse:certs:key:default/www-tls/${revision}`;
  await r.set(ref, encryptPrivateKey(`KEY-${revision}`, KEY));
  const message: CertificateIssued = {
    namespace: 'default',
    name: 'public-https-www',
    secret_name: 'www-tls',
    certificate_chain_pem: `CERT-${revision}`,
    private_key_ref: ref,
    revision,
    dns_names: ['www.example.com'],
  };
  const bytes = testSealedCodec(certificateIssuedCodec, SealedUses.certificateIssued()).encode(message);
  await r.multi().hset(CERTIFICATE_ISSUED_LATEST_KEY, 'default/public-https-www', bytes).publish(FanoutChannels.certificateIssued, bytes).exec();
}

describe('certificates through the xds service', () => {
  it('queues one job per certificate wanted, deduplicated by content', async () => {
    const queue = createQueue(QueueNames.certificateWanted, r);
    const jobs = await waitFor(async () => {
      const found = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      return found.length >= 2 && found;
    });
    const wanted = jobs.map((j) => testSealedCodec(certificateWantedCodec, SealedUses.job()).fromJobData(j.data)).sort((a, b) => (a.secret_name! < b.secret_name! ? -1 : 1));
    expect(wanted.map((w) => [w.secret_name, w.dns_names, w.issuer_ref?.name])).toEqual([
      ['api-tls', ['api.example.com'], 'letsencrypt'],
      ['www-tls', ['www.example.com'], 'letsencrypt'],
    ]);
    expect(jobs.every((j) => /^default\/[^/]+\/[0-9a-f]{16}$/.test(j.id!))).toBe(true);
    await queue.close();
  });

  it('serves an issued certificate over SDS and rotates it without touching the listeners', async () => {
    const s = openSotwStream(xds.grpcAddress);
    try {
      s.send({ node: NODE, type_url: TypeUrls.listener });
      const lds = await s.responses.next();
      expect(lds.type_url).toBe(TypeUrls.listener);
      s.send({ type_url: TypeUrls.listener, version_info: lds.version_info, response_nonce: lds.nonce });
      s.send({ type_url: TypeUrls.secret, resource_names: ['default/www-tls'] });
      expect(await s.responses.nothingWithin(300)).toBe(true);

      await issue(1);
      const first = await s.responses.next();
      expect(first.type_url).toBe(TypeUrls.secret);
      const secret = unpackAny<{ name: string; tls_certificate: { certificate_chain: { inline_string: string }; private_key: { inline_string: string } } }>(first.resources![0]!);
      expect(secret).toMatchObject({ name: 'default/www-tls', tls_certificate: { certificate_chain: { inline_string: 'CERT-1' }, private_key: { inline_string: 'KEY-1' } } });
      s.send({ type_url: TypeUrls.secret, resource_names: ['default/www-tls'], version_info: first.version_info, response_nonce: first.nonce });

      await issue(2);
      const rotated = await s.responses.next();
      expect(rotated.type_url).toBe(TypeUrls.secret);
      expect(unpackAny<{ tls_certificate: { certificate_chain: { inline_string: string } } }>(rotated.resources![0]!).tls_certificate.certificate_chain.inline_string).toBe('CERT-2');
      s.send({ type_url: TypeUrls.secret, resource_names: ['default/www-tls'], version_info: rotated.version_info, response_nonce: rotated.nonce });
      // No listener push came with the rotation.
      expect(await s.responses.nothingWithin(500)).toBe(true);
    } finally {
      s.close();
    }
  });
});
