// Sessions and pending logins in Redis. Keys hold SHA-256 of the ids, so a Redis dump or MONITOR
// output does not contain usable cookie or state values. Any Redis error propagates as
// GH_AUTHZ_REDIS_UNAVAILABLE, which the Authorizer turns into a deny (fail closed).
import { createHash } from 'node:crypto';
import type { Redis, Cluster } from 'ioredis';
import { AuthzError, ErrorCodes } from '../errors.js';
import type { LoginState, Session, SessionStore } from '../core/oidc/oidc-ports.js';

export interface RedisSessionStoreOptions {
  readonly redis: Redis | Cluster;
  /** Key prefix. Default "gatehouse:authz:". */
  readonly prefix?: string;
}

const hash = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');

export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis | Cluster;
  readonly #prefix: string;

  constructor(options: RedisSessionStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'gatehouse:authz:';
  }

  putLoginState(state: string, data: LoginState, ttlMs: number): Promise<void> {
    return this.#run(async () => void (await this.#redis.set(this.#key('login', state), JSON.stringify(data), 'PX', Math.max(1, Math.ceil(ttlMs)))));
  }

  takeLoginState(state: string): Promise<LoginState | undefined> {
    return this.#run(async () => {
      const text = await this.#redis.getdel(this.#key('login', state));
      return text ? (JSON.parse(text) as LoginState) : undefined;
    });
  }

  putSession(sessionId: string, session: Session, ttlMs: number): Promise<void> {
    return this.#run(async () => void (await this.#redis.set(this.#key('session', sessionId), JSON.stringify(session), 'PX', Math.max(1, Math.ceil(ttlMs)))));
  }

  getSession(sessionId: string): Promise<Session | undefined> {
    return this.#run(async () => {
      const text = await this.#redis.get(this.#key('session', sessionId));
      return text ? (JSON.parse(text) as Session) : undefined;
    });
  }

  deleteSession(sessionId: string): Promise<void> {
    return this.#run(async () => void (await this.#redis.del(this.#key('session', sessionId))));
  }

  acquireRefreshLock(sessionId: string, ttlMs: number): Promise<boolean> {
    return this.#run(async () => (await this.#redis.set(this.#key('refresh-lock', sessionId), '1', 'PX', ttlMs, 'NX')) === 'OK');
  }

  releaseRefreshLock(sessionId: string): Promise<void> {
    return this.#run(async () => void (await this.#redis.del(this.#key('refresh-lock', sessionId))));
  }

  #key(kind: string, id: string): string {
    return `${this.#prefix}${kind}:${hash(id)}`;
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new AuthzError(ErrorCodes.redisUnavailable, err instanceof Error ? err.message : String(err));
    }
  }
}
