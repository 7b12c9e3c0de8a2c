import { startRedis, type RedisHandle } from '@gatehouse/e2e';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busiestWindow } from '../core/busiest-window.js';
import { eventually } from '../testing/certs-fixture.js';
import { AcmeCallQueueFullError, RedisAcmeCallLimiter } from './acme-call-limiter.js';

/** Successful script runs so far (EVALSHA and its NOSCRIPT fallback EVAL). */
async function scriptRuns(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let runs = 0;
  for (const cmd of ['evalsha', 'eval']) {
    const line = new RegExp(`cmdstat_${cmd}:calls=(\\d+).*failed_calls=(\\d+)`).exec(info);
    if (line) runs += Number(line[1]) - Number(line[2]);
  }
  return runs;
}

describe('RedisAcmeCallLimiter on a real redis-server', () => {
  let redis: RedisHandle;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(redis.url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  it('lets no window hold more than the limit, across replicas, with one script call per request', async () => {
    const windowMs = 600;
    // Two replicas: two connections, two limiters, one Redis.
    const replicas = [0, 1].map(() => new RedisAcmeCallLimiter({ redis: client(), prefix: 'p1:', limit: 3, windowMs, marginMs: 150 }));
    const probe = client();
    const runsBefore = await scriptRuns(probe);
    const granted: number[] = [];
    const waits = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const { waitedMs: waited } = await replicas[i % 2]!.acquire('ca-account');
        granted.push(Date.now());
        return waited;
      }),
    );
    expect(granted).toHaveLength(12);
    expect(busiestWindow(granted, windowMs).count).toBe(3);
    // The first three go at once; every later one waited for the slot Redis named, without asking again.
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    expect((await scriptRuns(probe)) - runsBefore).toBe(12);
  });

  it('keeps each CA + account in its own log', async () => {
    const limiter = new RedisAcmeCallLimiter({ redis: client(), prefix: 'p2:', limit: 1, windowMs: 60_000 });
    expect((await limiter.acquire('ca-a')).waitedMs).toBe(0);
    expect((await limiter.acquire('ca-b')).waitedMs).toBe(0);
  });

  it('counts an answered call from the time its answer came back, so the next slot follows that time', async () => {
    const redisClient = client();
    const limiter = new RedisAcmeCallLimiter({ redis: redisClient, prefix: 'p4:', limit: 1, windowMs: 2000, marginMs: 0 });
    const scores = async () => (await redisClient.zrange('p4:acme-calls:slow', 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
    const slot = await limiter.acquire('slow');
    const [reserved] = await scores();
    await new Promise((r) => setTimeout(r, 50)); // the request travels
    await slot.answered?.();
    const [answeredAt] = await scores();
    expect(answeredAt).toBeGreaterThan(reserved!);
    // The next call is held back a full window from the answer, not from the reservation.
    const next = limiter.acquire('slow');
    await eventually('the next reservation', async () => ((await scores()).length === 2 ? true : undefined));
    expect((await scores())[1]).toBe(answeredAt! + 2000);
    await next;
  });

  it('refuses a slot further away than maxWaitMs, without reserving it', async () => {
    const redisClient = client();
    const limiter = new RedisAcmeCallLimiter({ redis: redisClient, prefix: 'p3:', limit: 1, windowMs: 60_000, maxWaitMs: 1000 });
    await limiter.acquire('busy');
    const refused = await limiter.acquire('busy').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AcmeCallQueueFullError);
    expect((refused as AcmeCallQueueFullError).code).toBe('GH_CERTS_ACME_CALL_QUEUE_FULL');
    expect(await redisClient.zcard('p3:acme-calls:busy')).toBe(1);
    // The log expires on its own once it can no longer hold anything back.
    const ttl = await redisClient.pttl('p3:acme-calls:busy');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_250);
  });
});
