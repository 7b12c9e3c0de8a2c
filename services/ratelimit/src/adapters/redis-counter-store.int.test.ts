import { randomUUID } from 'node:crypto';
import { startRedis, type RedisHandle } from '@gatehouse/e2e';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCounterStore } from './redis-counter-store.js';

let server: RedisHandle;
let redis: Redis;
let store: RedisCounterStore;
let prefix: string;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, server.host);
  store = new RedisCounterStore(redis, { timeoutMs: 1000 });
  prefix = `test-${randomUUID()}:`;
});

afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

/** Names of the commands `redis` sends from now on, until `restore()`. */
function recordSentCommands(connection: Redis): { sent: string[]; restore: () => void } {
  const sent: string[] = [];
  const original = connection.sendCommand.bind(connection);
  connection.sendCommand = ((command: { name: string }, stream?: unknown) => {
    sent.push(command.name);
    return original(command as never, stream as never);
  }) as typeof connection.sendCommand;
  return { sent, restore: () => (connection.sendCommand = original) };
}

describe('fixed window (INCRBY + EXPIRE)', () => {
  it('counts hits and sets the expiry like the reference', async () => {
    const key = `${prefix}domain_k_v_1700000000`;
    const other = `${prefix}domain_k2_v_1700000000`;
    expect(await store.incrementWindows([{ key, hits: 1, expireSeconds: 60 }])).toEqual([1]);
    expect(await store.incrementWindows([{ key, hits: 3, expireSeconds: 60 }, { key: other, hits: 2, expireSeconds: 3600 }])).toEqual([4, 2]);
    expect(await store.incrementWindows([{ key, hits: 0, expireSeconds: 60 }])).toEqual([4]);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.ttl(other)).toBeGreaterThan(60);
  });

  it('writes every command of a check before awaiting any reply (one round trip)', async () => {
    await store.loadScripts();
    const { sent, restore } = recordSentCommands(redis);
    const pending = store.check([
      { algorithm: 'fixed_window', key: `${prefix}rt-a`, hits: 1, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 },
      { algorithm: 'fixed_window', key: `${prefix}rt-b`, hits: 1, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 },
      { algorithm: 'gcra', key: `${prefix}rt-c`, hits: 1, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 },
      { algorithm: 'sliding_window', key: `${prefix}rt-d`, hits: 1, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 },
    ]);
    // Commands leave at the end of the event-loop turn; this runs right after, before any reply can be read.
    const sentBeforeAnyReply = await new Promise<string[]>((resolve) => setImmediate(() => resolve([...sent])));
    const results = await pending;
    restore();
    expect(results.map((r) => r.algorithm)).toEqual(['fixed_window', 'fixed_window', 'gcra', 'sliding_window']);
    // Two fixed windows share one script call; nothing was sent after the first reply came back.
    expect(sentBeforeAnyReply).toEqual(['evalsha', 'evalsha', 'evalsha']);
    expect(sent).toEqual(sentBeforeAnyReply);
  });

  it('merges the fixed windows of every check started in one event-loop turn into one script call', async () => {
    await store.loadScripts();
    const { sent, restore } = recordSentCommands(redis);
    const check = (key: string, hits: number) => store.check([{ algorithm: 'fixed_window', key: `${prefix}${key}`, hits, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 }]);
    // Same key twice: the counts apply in call order, as separate commands would.
    const results = await Promise.all([check('m-a', 1), check('m-b', 2), check('m-a', 3), store.check([])]);
    restore();
    expect(sent).toEqual(['evalsha']);
    expect(results).toEqual([[{ algorithm: 'fixed_window', after: 1 }], [{ algorithm: 'fixed_window', after: 2 }], [{ algorithm: 'fixed_window', after: 4 }], []]);
    expect(await redis.ttl(`${prefix}m-b`)).toBeGreaterThan(0);
  });

  it('fails every check of a merged call when Redis refuses it', async () => {
    const offline = new Redis(server.port, server.host, { lazyConnect: true, enableOfflineQueue: false });
    const failing = new RedisCounterStore(offline, { timeoutMs: 1000 });
    const check = (key: string) => failing.check([{ algorithm: 'fixed_window', key: `${prefix}${key}`, hits: 1, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 }]);
    const outcomes = await Promise.allSettled([check('f-a'), check('f-b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    offline.disconnect();
  });

  it('fails a check that outlives its timeout', async () => {
    const slow = new RedisCounterStore(redis, { timeoutMs: 20 });
    const blocker = new Redis(server.port, server.host);
    try {
      // Busy for a full second measured in microseconds (not "until the next second", which may be 1 ms away).
      const busy = blocker.eval(
        'local function now() local t = redis.call("TIME") return tonumber(t[1]) * 1000000 + tonumber(t[2]) end local s = now() while now() < s + 1000000 do end return 1',
        0,
      );
      await new Promise((r) => setTimeout(r, 50));
      await expect(slow.check([{ algorithm: 'fixed_window', key: `${prefix}slow`, hits: 1, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 }])).rejects.toMatchObject({
        code: 'GH_RATELIMIT_REDIS_TIMEOUT',
      });
      await busy;
    } finally {
      blocker.disconnect();
    }
  });

  it('answers a batch of checks in order', async () => {
    const results = await store.check([
      { algorithm: 'fixed_window', key: `${prefix}a`, hits: 2, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 },
      { algorithm: 'fixed_window', key: `${prefix}b`, hits: 7, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 },
    ]);
    expect(results).toEqual([
      { algorithm: 'fixed_window', after: 2 },
      { algorithm: 'fixed_window', after: 7 },
    ]);
  });
});

describe('gcra.lua', () => {
  it('allows exactly the burst at once, then denies with a retry-after of about one interval', async () => {
    const key = `${prefix}gcra-burst`;
    // 60 per minute = one per second; burst 3.
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await store.gcra(key, 60, 60, 3, 1));
    expect(replies.slice(0, 3).map((r) => r[0])).toEqual([1, 1, 1]);
    expect(replies.slice(0, 3).map((r) => r[1])).toEqual([2, 1, 0]);
    const [allowed, remaining, retryMs] = replies[3]!;
    expect(allowed).toBe(0);
    expect(remaining).toBe(0);
    expect(retryMs).toBeGreaterThan(900);
    expect(retryMs).toBeLessThanOrEqual(1000);
  });

  it('checks without counting when hits is 0', async () => {
    const key = `${prefix}gcra-peek`;
    expect((await store.gcra(key, 60, 60, 2, 0))[0]).toBe(1);
    expect(await redis.exists(key)).toBe(0);
    await store.gcra(key, 60, 60, 2, 2);
    expect((await store.gcra(key, 60, 60, 2, 1))[0]).toBe(0);
  });

  it('does not count denied hits and lets the key expire once the bucket is full again', async () => {
    const key = `${prefix}gcra-ttl`;
    await store.gcra(key, 1, 10, 2, 2);
    const pttl = await redis.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(200);
    const before = await redis.get(key);
    await store.gcra(key, 1, 10, 2, 1);
    expect(await redis.get(key)).toBe(before);
  });
});

describe('sliding-window.lua', () => {
  it('allows up to the limit in a window, then denies without counting the denied hits', async () => {
    const key = `${prefix}sw`;
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await store.slidingWindow(key, 3600, 3, 1));
    expect(replies.map((r) => r[0])).toEqual([1, 1, 1, 0]);
    expect(replies.map((r) => r[1])).toEqual([2, 1, 0, 0]);
    expect(await redis.hget(key, 'c')).toBe('3');
    // Denied with a full current window: allowed again once enough of it slid out of the next one.
    const [, , retryMs] = replies[3]!;
    const windowMs = 3_600_000;
    const untilWindowEnd = replies[2]![2];
    expect(retryMs).toBeGreaterThan(untilWindowEnd);
    expect(retryMs).toBeLessThanOrEqual(untilWindowEnd + windowMs);
  });

  it('weights the previous window by its overlap', async () => {
    const key = `${prefix}sw-prev`;
    const [seconds] = await redis.time();
    const windowMs = 3_600_000;
    const nowMs = Number(seconds) * 1000;
    const start = nowMs - (nowMs % windowMs);
    // 10 hits in the previous window, none yet in this one.
    await redis.hset(key, 'w', start - windowMs, 'c', 10, 'p', 0);
    const elapsed = (nowMs - start) / windowMs;
    const expectedRemaining = Math.floor(20 - 10 * (1 - elapsed) - 1);
    const [allowed, remaining] = await store.slidingWindow(key, 3600, 20, 1);
    expect(allowed).toBe(1);
    expect(Math.abs(remaining - expectedRemaining)).toBeLessThanOrEqual(1);
    expect(await redis.hget(key, 'p')).toBe('10');
    // 1 counted + 19 = the limit: over only because of the previous window's share, so allowed
    // again once the previous window has slid out completely, at the end of this window.
    const [deniedAllowed, , waitMs] = await store.slidingWindow(key, 3600, 20, 19);
    expect(deniedAllowed).toBe(0);
    const untilWindowEnd = windowMs - (nowMs - start);
    expect(waitMs).toBeLessThanOrEqual(untilWindowEnd);
    expect(waitMs).toBeGreaterThan(untilWindowEnd - 5_000);
  });

  it('checks without counting when hits is 0', async () => {
    const key = `${prefix}sw-peek`;
    expect((await store.slidingWindow(key, 60, 1, 0))[0]).toBe(1);
    expect(await redis.exists(key)).toBe(0);
  });
});
