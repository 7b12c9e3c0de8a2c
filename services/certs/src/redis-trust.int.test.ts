// Security regressions: a process that can write Redis but lacks GATEHOUSE_CONTROL_KEY cannot make certs
// act. A forged CertificateWanted job (unsealed, or sealed with the attacker's own key) is refused without
// retries and counted, and a forged order job never runs. An unsealed order job left by an earlier version
// (upgrade) is removed at start, so the certificate's sealed job can take its id. Real redis-server, certs
// in-process, real BullMQ.
import { randomBytes } from 'node:crypto';
import { certificateWantedCodec, controlKeyring, QueueNames, sealedCodec, SealedUses } from '@gatehouse/contracts';
import { startRedis, type RedisHandle } from '@gatehouse/e2e';
import { createLogger, QUEUE_PREFIX, startService, untrustedData, type RunningService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY, testControlKeyring } from '@gatehouse/kit/testing';
import { metrics } from '@opentelemetry/api';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertStore } from './adapters/cert-store.js';
import { certsService } from './service.js';
import { certificateYaml, eventually, parseConfig, pebbleIssuerYaml, redisClient } from './testing/certs-fixture.js';
import { CertificateCatalog } from './workflow/certificate-catalog.js';
import { orderJob, OrderScheduler, type OrderJobData } from './workflow/order-scheduler.js';

let redis: RedisHandle;
let service: RunningService;
const connections: Redis[] = [];
const connect = (): Redis => {
  const c = redisClient(redis.url);
  connections.push(c);
  return c;
};

const wanted = (name: string) => ({
  namespace: 'default',
  name,
  secret_name: `${name}-tls`,
  dns_names: [`${name}.example.test`],
  issuer_ref: { name: 'pebble', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  source: 'gateway/default/gw/listener/https',
});

async function untrusted(source: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${service.adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('gatehouse_redis_untrusted_total') && l.includes(`source="${source}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

beforeAll(async () => {
  redis = await startRedis();
  service = await startService(certsService, {
    GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
    REDIS_URL: redis.url,
    BIND_HOST: '127.0.0.1',
    GATEHOUSE_INSECURE_PLAINTEXT: 'true',
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    HTTP_PORT: '0',
    CERTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  });
});

afterAll(async () => {
  await service?.stop();
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

describe('Redis is not a root of trust (certs)', () => {
  it('attack: add forged CertificateWanted jobs to certs-wanted → refused once without retries, counted, no certificate managed', async () => {
    const queue = new Queue(QueueNames.certificateWanted, { connection: connect(), prefix: QUEUE_PREFIX });
    try {
      // Unsealed job data (what xds sent before sealing), and data sealed with a key the deployment does not hold.
      await queue.add('wanted', certificateWantedCodec.toJobData(wanted('forged-plain')), { jobId: 'default/forged-plain', attempts: 5 });
      const attackerCodec = sealedCodec(certificateWantedCodec, controlKeyring(randomBytes(32)), SealedUses.job());
      await queue.add('wanted', attackerCodec.toJobData(wanted('forged-own-key')), { jobId: 'default/forged-own-key', attempts: 5 });
      for (const id of ['default/forged-plain', 'default/forged-own-key']) {
        const job = await eventually(`${id} to fail`, async () => ((await queue.getJob(id))?.failedReason ? queue.getJob(id) : undefined));
        expect(job?.failedReason).toMatch(/^GH_CERTS_WANTED_UNDECODABLE: GH_SEALED_/);
        expect(job?.attemptsMade).toBe(1);
      }
      expect(await untrusted('job')).toBeGreaterThanOrEqual(2);
      const listed = JSON.stringify(await (await fetch(`http://127.0.0.1:${service.adminPort}/certificates`)).json());
      expect(listed).not.toContain('forged');
    } finally {
      await queue.close();
    }
  });

  it('attack: add a forged order job to a CA account\'s order queue → refused before it runs', async () => {
    const connection = connect();
    const set = parseConfig(pebbleIssuerYaml('https://127.0.0.1:9/dir') + certificateYaml('site'));
    const issuer = [...set.issuers.values()][0]!;
    const cert = [...set.certificates.values()][0]!;
    const store = new CertStore({ redis: connection, prefix: 'trust:certs:', encryptionKey: randomBytes(32) });
    const ran: string[] = [];
    const scheduler = new OrderScheduler({
      connection,
      workerConnection: connect,
      keyring: testControlKeyring,
      untrusted: untrustedData(metrics.getMeter('redis-trust-test'), createLogger('redis-trust-test', 'silent')),
      catalog: new CertificateCatalog(store),
      store,
      process: async (job: Job<OrderJobData>) => {
        ran.push(`${job.id}:${job.data.id}`);
        return 'done';
      },
      ariRecheckMs: 60_000,
      queuePrefix: 'trust:certs:bull',
      log: () => undefined,
      now: Date.now,
    });
    try {
      // A genuine job starts the queue's worker and runs.
      await scheduler.enqueue(cert, issuer, { at: 0, key: 'now' });
      await eventually('the sealed order job to run', async () => ran.length > 0 || undefined);
      const queue = new Queue(scheduler.queueName(issuer), { connection: connect(), prefix: 'trust:certs:bull' });
      try {
        await queue.add('order', { id: 'default/site', reason: 'manual' }, { jobId: 'forged-order' });
        const job = await eventually('the forged order job to fail', async () => ((await queue.getJob('forged-order'))?.failedReason ? queue.getJob('forged-order') : undefined));
        expect(job?.failedReason).toMatch(/^job data refused: GH_SEALED_/);
        expect(job?.attemptsMade).toBe(1);
        expect(ran.filter((r) => r.startsWith('forged-order'))).toEqual([]);
      } finally {
        await queue.close();
      }
    } finally {
      await scheduler.close({ force: true });
    }
  });

  it('upgrade: an unsealed order job left by the previous version holds the certificate\'s job id → removed at the first reconcile, the sealed job runs', async () => {
    const connection = connect();
    const set = parseConfig(pebbleIssuerYaml('https://127.0.0.1:9/dir', 'upgrade-account') + certificateYaml('upgraded'));
    const issuer = [...set.issuers.values()][0]!;
    const cert = [...set.certificates.values()][0]!;
    const store = new CertStore({ redis: connection, prefix: 'upgrade:certs:', encryptionKey: randomBytes(32) });
    const catalog = new CertificateCatalog(store);
    catalog.setConfig(set);
    const ran: string[] = [];
    const scheduler = new OrderScheduler({
      connection,
      workerConnection: connect,
      keyring: testControlKeyring,
      catalog,
      store,
      process: async (job: Job<OrderJobData>) => {
        ran.push(job.data.id);
        return 'done';
      },
      ariRecheckMs: 60_000,
      queuePrefix: 'upgrade:certs:bull',
      log: () => undefined,
      now: Date.now,
    });
    const queue = new Queue(scheduler.queueName(issuer), { connection: connect(), prefix: 'upgrade:certs:bull' });
    try {
      // What the previous version left: the same job id, its data unsealed, due later.
      const { opts } = orderJob(cert, scheduler.dueAt(cert, undefined), Date.now());
      await queue.add('order', { id: 'default/upgraded', reason: 'due' }, { jobId: opts.jobId!, delay: 3_600_000 });
      await scheduler.reconcile();
      await eventually('the sealed order job to run', async () => ran.includes('default/upgraded') || undefined);
    } finally {
      await queue.close();
      await scheduler.close({ force: true });
    }
  });
});

describe('Redis is not a root of trust (certs store)', () => {
  it("attack: SET an HTTP-01 answer for the attacker's own ACME order, or put a wanted certificate for names of their choice → ignored", async () => {
    const connection = redisClient(redis.url);
    const refused: string[] = [];
    const store = new CertStore({ redis: connection, prefix: 'store-trust:certs:', encryptionKey: randomBytes(32), keyring: testControlKeyring, onUntrusted: (key) => refused.push(key) });
    try {
      await store.putHttp01('ours', 'ours.thumbprint');
      expect(await store.getHttp01('ours')).toBe('ours.thumbprint');
      await connection.set('store-trust:certs:http01:attacker', 'attacker.thumbprint');
      expect(await store.getHttp01('attacker')).toBeNull();
      // A real answer moved under another token does not open there either.
      await connection.copy('store-trust:certs:http01:ours', 'store-trust:certs:http01:moved');
      expect(await store.getHttp01('moved')).toBeNull();

      const wanted = { namespace: 'default', name: 'www', secretName: 'www-tls', dnsNames: ['www.example.com'], issuer: 'le' };
      await store.putWanted(wanted as never);
      await connection.hset('store-trust:certs:wanted', 'default/evil', JSON.stringify({ ...wanted, name: 'evil', dnsNames: ['bank.example.com'] }));
      expect((await store.listWanted()).map((c) => c.name)).toEqual(['www']);
      expect(await store.getWanted('default/evil')).toBeUndefined();
      expect(refused).toEqual(expect.arrayContaining(['store-trust:certs:http01:attacker', 'store-trust:certs:http01:moved', 'store-trust:certs:wanted#default/evil']));
    } finally {
      connection.disconnect();
    }
  });
});
