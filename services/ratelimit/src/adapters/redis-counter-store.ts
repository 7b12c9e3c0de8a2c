// CounterStore on Redis. Fixed windows use the reference's key layout, INCRBY and EXPIRE: in one
// script call on standalone/sentinel Redis, or as plain commands per key in cluster mode (each node
// gets its share in parallel). GCRA and the sliding window are one script call each.
// Every command of a check is written before any reply is awaited: one round trip per check.
// The connection should NOT use ioredis auto-pipelining: it keeps only one batch in flight per node
// (later checks wait for the previous batch's reply) and costs more CPU. Instead, work is gathered
// until the end of the event-loop turn: the fixed windows of every check started in the turn go
// out as ONE script call (a command per check cost a fifth of the service's CPU in ioredis and
// Redis), and the socket is corked so the turn's commands leave in one write(). Replies are never
// waited for before writing. Scripts are loaded on every (re)connect so EVALSHA never misses.
import { Cluster, type Redis } from 'ioredis';
import type { CounterCheck, CounterResult, CounterStore } from '../core/counter-store.js';
import { DeadlineQueue } from './deadline-queue.js';
import { fixedWindowLua, gcraLua, slidingWindowLua } from './lua-scripts.js';
import { RateLimitError, RateLimitErrorCodes } from '../errors.js';

type LuaReply = [number, number, number];

interface ScriptedRedis {
  /** Per key the counter after INCRBY (COUNTER_CAP when it would overflow), or null when Redis refused that key. */
  fixedWindows(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Promise<Array<number | null>>;
  gcra(key: string, intervalMs: string, burst: number, hits: number): Promise<LuaReply>;
  slidingWindow(key: string, windowMs: number, limit: number, hits: number): Promise<LuaReply>;
}

export interface RedisCounterStoreOptions {
  /** A check that has not finished after this many ms fails (the service then applies its failure mode). */
  readonly timeoutMs: number;
}

/** Fixed windows of several checks, merged into one script call; each check gets back its slice. */
interface WindowBatch {
  readonly windows: Array<{ key: string; hits: number; expireSeconds: number }>;
  readonly waiters: Array<{ start: number; count: number; resolve: (after: number[]) => void; reject: (err: unknown) => void }>;
}

/**
 * What a counter that would overflow int64 (or is above 2^53 - 1) reads as: over any limit, and exact
 * as a JavaScript number. lua/fixed-window.lua returns the same value.
 */
export const COUNTER_CAP = Number.MAX_SAFE_INTEGER;

/** Keys per merged script call; a bigger turn is split (Lua handles more, but replies stay small). */
const MAX_BATCH_KEYS = 1000;

export class RedisCounterTimeoutError extends RateLimitError {
  constructor(timeoutMs: number) {
    super(RateLimitErrorCodes.redisTimeout, `redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisCounterTimeoutError';
  }
}

/** Redis refused the command for one counter key (wrong type, not an integer): only its check fails. */
export class RedisCounterKeyError extends RateLimitError {
  constructor(key: string) {
    super(RateLimitErrorCodes.redisKeyError, `redis refused the counter command for key ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}...` : key)}`);
    this.name = 'RedisCounterKeyError';
  }
}

export class RedisCounterStore implements CounterStore {
  private readonly redis: (Redis | Cluster) & ScriptedRedis;
  private readonly deadlines: DeadlineQueue;
  private readonly isCluster: boolean;
  private turnScheduled = false;
  private windowBatch: WindowBatch | undefined;

  constructor(
    redis: Redis | Cluster,
    private readonly options: RedisCounterStoreOptions,
  ) {
    redis.defineCommand('fixedWindows', { lua: fixedWindowLua });
    redis.defineCommand('gcra', { numberOfKeys: 1, lua: gcraLua });
    redis.defineCommand('slidingWindow', { numberOfKeys: 1, lua: slidingWindowLua });
    this.redis = redis as (Redis | Cluster) & ScriptedRedis;
    this.isCluster = redis instanceof Cluster;
    this.deadlines = new DeadlineQueue(options.timeoutMs);
    const preload = (): void => void this.loadScripts().catch(() => undefined);
    redis.on('ready', preload);
    if (redis.status === 'ready') preload();
  }

  /** SCRIPT LOAD of every script (on each node in cluster mode), so EVALSHA is answered in one round trip. */
  async loadScripts(): Promise<void> {
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis as Redis];
    await Promise.all(nodes.flatMap((node) => [fixedWindowLua, gcraLua, slidingWindowLua].map((lua) => node.script('LOAD', lua))));
  }

  check(checks: readonly CounterCheck[]): Promise<CounterResult[]> {
    // The common case, fixed windows only on one Redis: straight into the turn's merged script call,
    // whose deadline covers every check in it.
    if (checks.length === 0) return Promise.resolve([]);
    if (!this.isCluster && checks.every(isFixedWindow)) return this.incrementWindows(checks).then(toFixedWindowResults);
    const work = this.run(checks);
    return new Promise((resolve, reject) => {
      const settle = this.deadlines.add(() => reject(new RedisCounterTimeoutError(this.options.timeoutMs)));
      work.then(
        (results) => {
          settle();
          resolve(results);
        },
        (err: unknown) => {
          settle();
          reject(err);
        },
      );
    });
  }

  /** The reference's fixed-window commands for several keys; see lua/fixed-window.lua. */
  incrementWindows(windows: ReadonlyArray<{ key: string; hits: number; expireSeconds: number }>): Promise<number[]> {
    if (this.isCluster) return Promise.all(windows.map((w) => this.incrementOne(w)));
    this.endTurnLater();
    return new Promise((resolve, reject) => {
      let batch = this.windowBatch;
      if (batch && batch.windows.length + windows.length > MAX_BATCH_KEYS) {
        this.sendWindowBatch();
        batch = undefined;
      }
      batch ??= this.windowBatch = { windows: [], waiters: [] };
      batch.waiters.push({ start: batch.windows.length, count: windows.length, resolve, reject });
      for (const w of windows) batch.windows.push(w);
    });
  }

  /** Cluster mode: one key's INCRBY + EXPIRE, with the script's overflow rule. */
  private async incrementOne(w: { key: string; hits: number; expireSeconds: number }): Promise<number> {
    // Both written at once, INCRBY first (EXPIRE on a missing key would do nothing).
    const increment = this.redis.incrby(w.key, w.hits);
    const expiry = this.redis.expire(w.key, w.expireSeconds).catch(() => undefined);
    let after: number;
    try {
      after = await increment;
    } catch (err) {
      // A reply error is about this key; anything else (connection, timeout) is the backend's.
      if (!(err instanceof Error && err.name === 'ReplyError')) throw err;
      if (!err.message.includes('overflow')) throw new RedisCounterKeyError(w.key);
      after = COUNTER_CAP;
    }
    await expiry;
    return Math.min(after, COUNTER_CAP);
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

  /** At the end of this event-loop turn: send the merged fixed windows, then flush the socket in one write. */
  private endTurnLater(): void {
    // Cluster mode sends per-key commands at once: each node has its own socket and slot.
    if (this.turnScheduled || this.isCluster) return;
    this.turnScheduled = true;
    const stream = ((this.redis as Redis).stream as { cork?: () => void; uncork?: () => void; writable?: boolean } | undefined);
    const corked = Boolean(stream?.writable && stream.cork && stream.uncork);
    if (corked) stream!.cork!();
    setImmediate(() => {
      this.turnScheduled = false;
      this.sendWindowBatch();
      if (corked) stream!.uncork!();
    });
  }

  private sendWindowBatch(): void {
    const batch = this.windowBatch;
    if (!batch) return;
    this.windowBatch = undefined;
    const args: Array<string | number> = batch.windows.map((w) => w.key);
    for (const w of batch.windows) args.push(w.hits, w.expireSeconds);
    // Settling twice is harmless (a promise keeps its first outcome): the deadline needs no guard.
    const settle = this.deadlines.add(() => {
      const timeout = new RedisCounterTimeoutError(this.options.timeoutMs);
      for (const waiter of batch.waiters) waiter.reject(timeout);
    });
    this.redis.fixedWindows(batch.windows.length, ...args).then(
      (after) => {
        settle();
        // A key Redis refused fails only the check that holds it; the batch's other checks are answered.
        for (const waiter of batch.waiters) {
          const slice = after.slice(waiter.start, waiter.start + waiter.count);
          const refused = slice.indexOf(null);
          if (refused === -1) waiter.resolve(slice as number[]);
          else waiter.reject(new RedisCounterKeyError(batch.windows[waiter.start + refused]!.key));
        }
      },
      (err: unknown) => {
        settle();
        for (const waiter of batch.waiters) waiter.reject(err);
      },
    );
  }

  private async run(checks: readonly CounterCheck[]): Promise<CounterResult[]> {
    this.endTurnLater();
    const results = new Array<CounterResult>(checks.length);
    const fixed: CounterCheck[] = [];
    const fixedIndexes: number[] = [];
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i]!;
      if (c.algorithm === 'fixed_window') {
        fixed.push(c);
        fixedIndexes.push(i);
      } else if (c.algorithm === 'gcra') {
        pending.push(
          this.gcra(c.key, c.windowSeconds, c.limit, c.burst, c.hits).then(([allowed, remaining, resetMs]) => {
            results[i] = { algorithm: 'gcra', allowed: allowed === 1, remaining, resetMs };
          }),
        );
      } else {
        pending.push(
          this.slidingWindow(c.key, c.windowSeconds, c.limit, c.hits).then(([allowed, remaining, resetMs]) => {
            results[i] = { algorithm: 'sliding_window', allowed: allowed === 1, remaining, resetMs };
          }),
        );
      }
    }
    if (fixed.length > 0) {
      pending.push(
        this.incrementWindows(fixed).then((after) => {
          for (let j = 0; j < fixedIndexes.length; j++) results[fixedIndexes[j]!] = { algorithm: 'fixed_window', after: after[j]! };
        }),
      );
    }
    await (pending.length === 1 ? pending[0] : Promise.all(pending));
    return results;
  }
}

function isFixedWindow(check: CounterCheck): boolean {
  return check.algorithm === 'fixed_window';
}

function toFixedWindowResults(after: number[]): CounterResult[] {
  return after.map((value) => ({ algorithm: 'fixed_window', after: value }));
}
