// Sessions and pending logins in Redis. Keys hold SHA-256 of the ids, so a Redis dump or MONITOR
// output does not contain usable cookie or state values. Any Redis error propagates as
// GH_AUTHZ_REDIS_UNAVAILABLE, which the Authorizer turns into a deny (fail closed).
// Records are sealed (AES-256-GCM under the control key's "session" subkey, the session id or login
// state as associated data): Redis never holds a readable token, and a record that was edited, forged
// or copied under another id does not open, so it is no session at all (the user logs in again).
import { createHash } from 'node:crypto';
import { openJson, sealJson, SealedEnvelopeError, SealedUses, type ControlKeyring } from '@gatehouse/contracts';
import type { UntrustedData } from '@gatehouse/kit';
import type { Redis, Cluster } from 'ioredis';
import { AuthzError, ErrorCodes } from '../errors.js';
import type { LoginState, Session, SessionStore } from '../core/oidc/oidc-ports.js';

export interface RedisSessionStoreOptions {
  readonly redis: Redis | Cluster;
  /** Seals and opens the records (GATEHOUSE_CONTROL_KEY). */
  readonly keyring: ControlKeyring;
  /** Where refused records are counted and logged. */
  readonly untrusted?: UntrustedData;
  /** Key prefix. Default "gatehouse:authz:". */
  readonly prefix?: string;
}

const hash = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');

export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis | Cluster;
  readonly #prefix: string;
  readonly #keyring: ControlKeyring;
  readonly #untrusted: UntrustedData | undefined;

  constructor(options: RedisSessionStoreOptions) {
    this.#redis = options.redis;
    this.#keyring = options.keyring;
    this.#untrusted = options.untrusted;
    this.#prefix = options.prefix ?? 'gatehouse:authz:';
  }

  putLoginState(state: string, data: LoginState, ttlMs: number): Promise<void> {
    const sealed = sealJson(this.#keyring, SealedUses.session('login', state), data);
    return this.#run(async () => void (await this.#redis.set(this.#key('login', state), sealed, 'PX', Math.max(1, Math.ceil(ttlMs)))));
  }

  async takeLoginState(state: string): Promise<LoginState | undefined> {
    const key = this.#key('login', state);
    const bytes = await this.#run(() => this.#redis.getdelBuffer(key));
    return this.#open<LoginState>('login', state, key, bytes);
  }

  putSession(sessionId: string, session: Session, ttlMs: number): Promise<void> {
    const sealed = sealJson(this.#keyring, SealedUses.session('session', sessionId), session);
    return this.#run(async () => void (await this.#redis.set(this.#key('session', sessionId), sealed, 'PX', Math.max(1, Math.ceil(ttlMs)))));
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const key = this.#key('session', sessionId);
    const bytes = await this.#run(() => this.#redis.getBuffer(key));
    return this.#open<Session>('session', sessionId, key, bytes);
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

  /** A record that does not open under its own id is no record: refused, counted, logged once. */
  #open<T>(kind: 'session' | 'login', id: string, key: string, bytes: Buffer | null): T | undefined {
    if (!bytes) return undefined;
    try {
      return openJson<T>(this.#keyring, SealedUses.session(kind, id), bytes);
    } catch (err) {
      if (!(err instanceof SealedEnvelopeError)) throw err;
      this.#untrusted?.report('session', key, err);
      return undefined;
    }
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
