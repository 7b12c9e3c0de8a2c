// The kit's Redis pieces against a real redis-server: fan-out to every replica, and BullMQ helpers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractDecodeError, rateLimitConfigPublishedCodec, certificateWantedCodec } from '@gatehouse/contracts';
import { connectRedis, FanoutChannel, type RedisConnection } from '@gatehouse/kit';
import { createQueue, createWorker } from '@gatehouse/kit/queue';
import { startRedis, waitFor, type RedisHandle } from '../harness/index.js';

let redis: RedisHandle;
const connections: RedisConnection[] = [];
const connect = (blocking = false): RedisConnection => {
  const connection = connectRedis(redis.url, { options: blocking ? { maxRetriesPerRequest: null } : {} });
  connection.on('error', () => undefined);
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  await redis?.stop();
});

function channel(name: string) {
  return new FanoutChannel({ name, codec: rateLimitConfigPublishedCodec, redis: connect(), subscriber: () => connect() });
}

describe('FanoutChannel', () => {
  it('delivers every publication to every subscribed replica, and the latest to a late one', async () => {
    const name = `test:fanout:${Date.now()}`;
    const publisher = channel(name);
    const seenA: string[] = [];
    const seenB: string[] = [];
    const errors: unknown[] = [];
    await channel(name).subscribe((m) => void seenA.push(m.version ?? ''), (e) => errors.push(e));
    await channel(name).subscribe((m) => void seenB.push(m.version ?? ''), (e) => errors.push(e));

    await publisher.publish({ version: 'v1', domains: [] });
    await publisher.publish({ version: 'v2', domains: [] });
    await waitFor(() => seenA.length === 2 && seenB.length === 2, { timeoutMs: 5000 });
    expect(seenA).toEqual(['v1', 'v2']);
    expect(seenB).toEqual(['v1', 'v2']);

    const late: string[] = [];
    await channel(name).subscribe((m) => void late.push(m.version ?? ''), (e) => errors.push(e));
    expect(late).toEqual(['v2']);
    expect(errors).toEqual([]);
  });

  it('skips a payload that does not decode and keeps consuming', async () => {
    const name = `test:fanout:bad:${Date.now()}`;
    const seen: string[] = [];
    const errors: unknown[] = [];
    await channel(name).subscribe((m) => void seen.push(m.version ?? ''), (e) => errors.push(e));
    await connect().publish(name, Buffer.from('not a protobuf at all'));
    await channel(name).publish({ version: 'good', domains: [] });
    await waitFor(() => seen.length === 1, { timeoutMs: 5000 });
    expect(seen).toEqual(['good']);
    expect(errors[0]).toBeInstanceOf(ContractDecodeError);
  });
});

describe('FanoutChannel across a Redis restart', () => {
  it('resubscribes by itself and catches up with what was published meanwhile', async () => {
    const own = await startRedis({ appendOnly: true });
    const link = (): RedisConnection => {
      const c = connectRedis(own.url);
      c.on('error', () => undefined);
      connections.push(c);
      return c;
    };
    try {
      const name = 'test:fanout:restart';
      const seen: string[] = [];
      const consumer = new FanoutChannel({ name, codec: rateLimitConfigPublishedCodec, redis: link(), subscriber: link });
      await consumer.subscribe((m) => void seen.push(m.version ?? ''), () => undefined);
      await own.kill();
      await own.restart();
      // Published by another replica while this one may still be reconnecting.
      const publisher = new FanoutChannel({ name, codec: rateLimitConfigPublishedCodec, redis: link() });
      await publisher.publish({ version: 'after-restart', domains: [] });
      await waitFor(() => seen.includes('after-restart'), { timeoutMs: 10_000 });
      await consumer.close();
    } finally {
      await own.stop();
    }
  });
});

describe('BullMQ helpers', () => {
  it('carries protobuf job data, retries a failed attempt and completes once', async () => {
    const name = `test-queue-${Date.now()}`;
    const queue = createQueue(name, connect(), { defaultJobOptions: { backoff: { type: 'fixed', delay: 50 } } });
    const attempts: string[] = [];
    const worker = createWorker(
      name,
      async (job) => {
        const wanted = certificateWantedCodec.fromJobData(job.data);
        attempts.push(wanted.name ?? '');
        if (attempts.length === 1) throw new Error('transient');
        return 'done';
      },
      connect(true),
    );
    try {
      const data = certificateWantedCodec.toJobData({ namespace: 'default', name: 'web', dns_names: ['a.example'] });
      await queue.add('wanted', data, { jobId: 'default/web' });
      await queue.add('wanted', data, { jobId: 'default/web' }); // deduplicated by jobId
      await waitFor(async () => (await queue.getJobCounts('completed')).completed === 1, { timeoutMs: 10_000 });
      expect(attempts).toEqual(['web', 'web']);
      const job = await queue.getJob('default/web');
      expect(job?.attemptsMade).toBe(2);
      expect(job?.returnvalue).toBe('done');
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});

describe('a service on a Redis that needs a password', () => {
  it('connects with REDIS_PASSWORD (here from REDIS_PASSWORD_FILE), every connection included, and is not ready without it', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { startService } = await import('@gatehouse/kit');
    const guarded = await startRedis();
    // Set after start: the harness's readiness PING does not authenticate.
    const admin = connectRedis(guarded.url);
    await admin.config('SET', 'requirepass', 'a-long-random-redis-password');
    admin.disconnect();
    const dir = await mkdtemp(join(tmpdir(), 'gh-redis-pass-'));
    const definition = {
      name: 'probe',
      env: {},
      defaults: { grpcPort: 0, adminPort: 0 },
      async start(ctx: { redis(options?: object): RedisConnection }) {
        await ctx.redis({ name: 'own' }).set('probe:own', '1'); // a named connection authenticates too
      },
    };
    try {
      await writeFile(join(dir, 'redis-password'), 'a-long-random-redis-password\n');
      const running = await startService(definition, { REDIS_URL: guarded.url, REDIS_PASSWORD_FILE: join(dir, 'redis-password'), LOG_LEVEL: 'silent', GATEHOUSE_INSECURE_PLAINTEXT: 'true' });
      try {
        const ready = (await (await fetch(`http://127.0.0.1:${running.adminPort}/readyz`)).json()) as { checks: Record<string, boolean> };
        expect(ready.checks).toMatchObject({ redis: true, 'redis-own': true });
      } finally {
        await running.stop();
      }
      const noPassword = { ...definition, async start() {} };
      const refused = await startService(noPassword, { REDIS_URL: guarded.url, LOG_LEVEL: 'silent', GATEHOUSE_INSECURE_PLAINTEXT: 'true' });
      try {
        const ready = await fetch(`http://127.0.0.1:${refused.adminPort}/readyz`);
        expect(ready.status).toBe(503);
      } finally {
        await refused.stop();
      }
    } finally {
      await guarded.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
