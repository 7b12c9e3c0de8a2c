// The ACME call limiter shared by every replica: each HTTP request to a CA takes a slot of its
// CA + account from a sliding-window log in Redis (lua/acme-call-slot.lua) and waits until the
// time Redis names; when its answer is back, its entry moves to that time (lua/acme-call-answered.lua),
// so a request that was slow to arrive cannot squeeze the window as the CA sees it. Two script calls
// per request; no polling.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadLuaScript } from '@gatehouse/kit';
import type { Redis } from 'ioredis';
import { CertsError, CertsErrorCodes } from '../errors.js';
import type { AcmeCallLimiter, AcmeCallSlot } from './acme-http.js';

const acmeCallSlotLua = loadLuaScript(import.meta.url, 'acme-call-slot.lua');
const acmeCallAnsweredLua = loadLuaScript(import.meta.url, 'acme-call-answered.lua');

export class AcmeCallQueueFullError extends CertsError {
  constructor(key: string, waitMs: number, maxWaitMs: number) {
    super(CertsErrorCodes.ACME_CALL_QUEUE_FULL, `the next ACME call slot of ${key} is ${Math.ceil(waitMs / 1000)} s away (more than ${maxWaitMs / 1000} s); the order backs off and resumes later`);
    this.name = 'AcmeCallQueueFullError';
  }
}

export interface RedisAcmeCallLimiterOptions {
  readonly redis: Redis;
  /** Key prefix (CERTS_REDIS_PREFIX): the log of a CA + account is `<prefix>acme-calls:<key>`. */
  readonly prefix: string;
  /** Calls per window per CA + account. Default 20 (Let's Encrypt's pace: new-nonce 20 per second). */
  readonly limit?: number;
  /** Default 1000 ms. */
  readonly windowMs?: number;
  /**
   * Kept on top of the window between a call and the limit-th call after it, so that the time
   * between Redis' answer and the request leaving the process (timers, event loop, TLS) cannot
   * push one call too many into a window as the CA sees it. Default a tenth of the window, at most 250 ms.
   */
  readonly marginMs?: number;
  /** The longest a call waits for its slot; a later slot fails the call (and so the order, which resumes after its backoff). Default 5 min. */
  readonly maxWaitMs?: number;
}

type SlotReply = [reserved: 0 | 1, waitMs: number];
type ScriptedRedis = Redis & {
  acmeCallSlot(key: string, windowMs: number, limit: number, id: string, maxWaitMs: number): Promise<SlotReply>;
  acmeCallAnswered(key: string, id: string, windowMs: number): Promise<0 | 1>;
};

export class RedisAcmeCallLimiter implements AcmeCallLimiter {
  private readonly redis: ScriptedRedis;
  readonly limit: number;
  readonly windowMs: number;
  private readonly marginMs: number;
  private readonly maxWaitMs: number;

  constructor(private readonly options: RedisAcmeCallLimiterOptions) {
    options.redis.defineCommand('acmeCallSlot', { numberOfKeys: 1, lua: acmeCallSlotLua });
    options.redis.defineCommand('acmeCallAnswered', { numberOfKeys: 1, lua: acmeCallAnsweredLua });
    this.redis = options.redis as ScriptedRedis;
    this.limit = options.limit ?? 20;
    this.windowMs = options.windowMs ?? 1000;
    this.marginMs = options.marginMs ?? Math.min(250, Math.ceil(this.windowMs / 10));
    this.maxWaitMs = options.maxWaitMs ?? 300_000;
  }

  /** Waits for a call slot of `key` (a CA + account); says how long it waited, in ms. */
  async acquire(key: string): Promise<AcmeCallSlot> {
    const log = `${this.options.prefix}acme-calls:${key}`;
    const id = randomUUID();
    const window = this.windowMs + this.marginMs;
    const [reserved, waitMs] = await this.redis.acmeCallSlot(log, window, this.limit, id, this.maxWaitMs);
    if (!reserved) throw new AcmeCallQueueFullError(key, waitMs, this.maxWaitMs);
    if (waitMs > 0) await sleep(waitMs);
    return { waitedMs: waitMs, answered: async () => void (await this.redis.acmeCallAnswered(log, id, window)) };
  }
}
