// CounterStore on Redis. Fixed windows use INCRBY + EXPIRE on the reference's key layout; GCRA and
// the sliding window are one Lua call each. All commands of one check are issued together and
// ioredis auto-pipelining batches them (across concurrent requests too): one round trip per check.
// In cluster mode ioredis sends each slot's commands to its node in parallel.
import type { Cluster, Redis } from 'ioredis';
import type { CounterCheck, CounterResult, CounterStore } from '../core/counter-store.js';
import { gcraLua, slidingWindowLua } from './lua-scripts.js';

type LuaReply = [number, number, number];

interface ScriptedRedis {
  gcra(key: string, intervalMs: string, burst: number, hits: number): Promise<LuaReply>;
  slidingWindow(key: string, windowMs: number, limit: number, hits: number): Promise<LuaReply>;
}

export interface RedisCounterStoreOptions {
  /** A check that has not finished after this many ms fails (the service then applies its failure mode). */
  readonly timeoutMs: number;
}

export class RedisCounterTimeoutError extends Error {
  readonly code = 'GH_RATELIMIT_REDIS_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisCounterTimeoutError';
  }
}

export class RedisCounterStore implements CounterStore {
  private readonly redis: (Redis | Cluster) & ScriptedRedis;

  constructor(
    redis: Redis | Cluster,
    private readonly options: RedisCounterStoreOptions,
  ) {
    redis.defineCommand('gcra', { numberOfKeys: 1, lua: gcraLua });
    redis.defineCommand('slidingWindow', { numberOfKeys: 1, lua: slidingWindowLua });
    this.redis = redis as (Redis | Cluster) & ScriptedRedis;
  }

  check(checks: readonly CounterCheck[]): Promise<CounterResult[]> {
    const work = Promise.all(checks.map((c) => this.one(c)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new RedisCounterTimeoutError(this.options.timeoutMs)), this.options.timeoutMs);
      work.then(
        (results) => {
          clearTimeout(timer);
          resolve(results);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** Fixed window: INCRBY then EXPIRE (window + jitter), exactly the reference's commands. */
  async incrementWindow(key: string, hits: number, expireSeconds: number): Promise<number> {
    const [after] = await Promise.all([this.redis.incrby(key, hits), this.redis.expire(key, expireSeconds)]);
    return after;
  }

  /** GCRA in one script call; see lua/gcra.lua. */
  gcra(key: string, windowSeconds: number, limit: number, burst: number, hits: number): Promise<LuaReply> {
    const intervalMs = ((windowSeconds * 1000) / Math.max(1, limit)).toFixed(3);
    return this.redis.gcra(key, intervalMs, burst, hits);
  }

  /** Sliding-window counter in one script call; see lua/sliding-window.lua. */
  slidingWindow(key: string, windowSeconds: number, limit: number, hits: number): Promise<LuaReply> {
    return this.redis.slidingWindow(key, windowSeconds * 1000, limit, hits);
  }

  private async one(c: CounterCheck): Promise<CounterResult> {
    switch (c.algorithm) {
      case 'fixed_window':
        return { algorithm: 'fixed_window', after: await this.incrementWindow(c.key, c.hits, c.expireSeconds) };
      case 'gcra': {
        const [allowed, remaining, resetMs] = await this.gcra(c.key, c.windowSeconds, c.limit, c.burst, c.hits);
        return { algorithm: 'gcra', allowed: allowed === 1, remaining, resetMs };
      }
      case 'sliding_window': {
        const [allowed, remaining, resetMs] = await this.slidingWindow(c.key, c.windowSeconds, c.limit, c.hits);
        return { algorithm: 'sliding_window', allowed: allowed === 1, remaining, resetMs };
      }
    }
  }
}
