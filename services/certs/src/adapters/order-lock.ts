// One order at a time per certificate across replicas: a Redis lease (SET NX PX) that the holder
// extends while it works and releases only if it still owns it. A crashed holder's lease simply
// runs out.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface OrderLockOptions {
  readonly redis: Redis;
  readonly prefix: string;
  /** Lease length; the holder extends it every third of it. Default 30 s. */
  readonly leaseMs?: number;
}

export interface HeldLock {
  /** False once the lease was lost (extension failed). */
  readonly held: () => boolean;
  release(): Promise<void>;
}

export class OrderLock {
  private readonly leaseMs: number;
  constructor(private readonly options: OrderLockOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  /** Takes the lease for `id`, or returns the milliseconds until the current holder's lease ends. */
  async acquire(id: string): Promise<HeldLock | { busyForMs: number }> {
    const key = `${this.options.prefix}lock:${id}`;
    const token = randomUUID();
    const ok = await this.options.redis.set(key, token, 'PX', this.leaseMs, 'NX');
    if (ok !== 'OK') {
      const ttl = await this.options.redis.pttl(key);
      return { busyForMs: Math.max(ttl, 0) };
    }
    let held = true;
    const timer = setInterval(() => {
      this.options.redis
        .eval(EXTEND, 1, key, token, String(this.leaseMs))
        .then((r) => {
          if (r !== 1) held = false;
        })
        .catch(() => {
          held = false;
        });
    }, Math.floor(this.leaseMs / 3));
    timer.unref();
    return {
      held: () => held,
      release: async () => {
        clearInterval(timer);
        held = false;
        await this.options.redis.eval(RELEASE, 1, key, token);
      },
    };
  }
}
