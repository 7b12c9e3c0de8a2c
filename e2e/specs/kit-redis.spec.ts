// The kit's Redis pieces against a real redis-server: fan-out to every replica, and BullMQ helpers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractDecodeError, rateLimitConfigPublishedCodec, certificateWantedCodec } from '@gatehouse/contracts';
import { connectRedis, createQueue, createWorker, FanoutChannel, type RedisConnection } from '@gatehouse/kit';
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
