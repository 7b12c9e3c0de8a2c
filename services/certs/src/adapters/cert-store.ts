// Everything the certs service keeps in Redis. Layout (prefix defaults to "gatehouse:certs:"):
//
//   {p}state:<ns>/<name>            hash   CertificateState + chain PEM + pending order (see StoredState)
//   {p}key:<ns>/<secret>/<revision> string key envelope (core/key-envelope.ts); this Redis key is
//                                          CertificateIssued.private_key_ref
//   {p}pending-key:<ns>/<name>      string key envelope of the key of an order in flight
//   {p}account:<sha>                hash   ACME account: key (envelope), url
//   {p}http01:<token>               string key authorization sealed with the control key, with a TTL
//   {p}wanted                       hash   <ns>/<name> -> Certificate JSON sealed with the control key (from CertificateWanted)
// With a keyring (the service always passes one), a value a Redis writer put there without the control key is
// ignored: no forged HTTP-01 answer for someone else's ACME order, no certificate ordered for names of their choice.
//   {p}lock:<ns>/<name>             string order lease (see order-lock.ts)
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { decryptPrivateKey, encryptPrivateKey, open, openJson, seal, sealJson, SealedUses, type ControlKeyring } from '@gatehouse/contracts';
import type { Certificate } from '../core/resources.js';
import type { CertificateState } from '../core/status.js';

export const DEFAULT_PREFIX = 'gatehouse:certs:';

export interface CertStoreOptions {
  readonly redis: Redis;
  /** Key prefix; default "gatehouse:certs:". */
  readonly prefix?: string;
  /** Parsed CERTS_ENCRYPTION_KEY; undefined stores keys in plaintext (the caller checked the opt-in). */
  readonly encryptionKey: Buffer | undefined;
  /** How long a replaced key stays readable for replicas still serving it; default 1 day. */
  readonly oldKeyTtlSeconds?: number;
  /** Seals HTTP-01 answers and wanted certificates; without it (some tests) they are stored as they are. */
  readonly keyring?: ControlKeyring;
  /** Told of each value refused because it did not open (forged or unsealed). */
  readonly onUntrusted?: (key: string, err: Error) => void;
}

export interface StoredState extends CertificateState {
  readonly chainPem?: string;
  readonly keyRef?: string;
  readonly dnsNames?: readonly string[];
  readonly orderUrl?: string;
  /** Set while an order is in flight, so a restarted replica resumes it instead of ordering again. */
  readonly pendingOrderUrl?: string;
  readonly ariCertId?: string;
  /** How often to look at the ARI window again (the CA's Retry-After on renewalInfo). */
  readonly ariRecheckMs?: number;
}

export interface IssuedCertificate {
  readonly chainPem: string;
  readonly keyPem: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly dnsNames: readonly string[];
  readonly orderUrl: string;
  readonly ariCertId?: string;
}

const NUMBER_FIELDS = ['revision', 'notBefore', 'notAfter', 'renewalTime', 'failures', 'lastFailureTime', 'nextAttemptTime', 'ariRecheckMs'] as const;

function parseState(raw: Record<string, string> | undefined): StoredState | undefined {
  if (!raw || Object.keys(raw).length === 0) return undefined;
  const state: Record<string, unknown> = { revision: 0, failures: 0 };
  for (const [field, value] of Object.entries(raw)) {
    if ((NUMBER_FIELDS as readonly string[]).includes(field)) state[field] = Number(value);
    else if (field === 'dnsNames') state[field] = JSON.parse(value);
    else state[field] = value;
  }
  return state as unknown as StoredState;
}

export class CertStore {
  readonly prefix: string;
  private readonly redis: Redis;
  private readonly key: Buffer | undefined;
  private readonly oldKeyTtl: number;

  private readonly keyring: ControlKeyring | undefined;
  private readonly onUntrusted: ((key: string, err: Error) => void) | undefined;

  constructor(options: CertStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.key = options.encryptionKey;
    this.oldKeyTtl = options.oldKeyTtlSeconds ?? 86_400;
    this.keyring = options.keyring;
    this.onUntrusted = options.onUntrusted;
  }

  stateKey(id: string): string {
    return `${this.prefix}state:${id}`;
  }

  keyRef(cert: { namespace: string; secretName: string }, revision: number): string {
    return `${this.prefix}key:${cert.namespace}/${cert.secretName}/${revision}`;
  }

  async getState(id: string): Promise<StoredState | undefined> {
    return parseState(await this.redis.hgetall(this.stateKey(id)));
  }

  async getStates(ids: readonly string[]): Promise<Map<string, StoredState>> {
    const result = new Map<string, StoredState>();
    // Pipelined in chunks: listing 10,000 certificates must not be 10,000 round trips.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const pipeline = this.redis.pipeline();
      for (const id of chunk) pipeline.hgetall(this.stateKey(id));
      const replies = (await pipeline.exec()) ?? [];
      chunk.forEach((id, j) => {
        const state = parseState(replies[j]?.[1] as Record<string, string> | undefined);
        if (state) result.set(id, state);
      });
    }
    return result;
  }

  async patchState(id: string, patch: Partial<Record<keyof StoredState, string | number | readonly string[] | null>>): Promise<void> {
    const set: Record<string, string> = {};
    const del: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === null || value === undefined) del.push(field);
      else set[field] = Array.isArray(value) ? JSON.stringify(value) : String(value);
    }
    const multi = this.redis.multi();
    if (Object.keys(set).length > 0) multi.hset(this.stateKey(id), set);
    if (del.length > 0) multi.hdel(this.stateKey(id), ...del);
    await multi.exec();
  }

  async savePendingKey(id: string, keyPem: string): Promise<void> {
    await this.redis.set(`${this.prefix}pending-key:${id}`, encryptPrivateKey(keyPem, this.key), 'EX', 7 * 86_400);
  }

  async loadPendingKey(id: string): Promise<string | undefined> {
    const stored = await this.redis.get(`${this.prefix}pending-key:${id}`);
    return stored ? decryptPrivateKey(stored, this.key, { allowPlaintext: !this.key, ref: `${this.prefix}pending-key:${id}` }) : undefined;
  }

  async loadKey(ref: string): Promise<string | undefined> {
    const stored = await this.redis.get(ref);
    return stored ? decryptPrivateKey(stored, this.key, { allowPlaintext: !this.key, ref }) : undefined;
  }

  /**
   * Stores a newly issued certificate as the next revision, atomically: the new key, the new
   * state, the old key set to expire, and the pending order cleared.
   */
  async saveIssued(cert: Certificate, issued: IssuedCertificate, renewal: { renewalTime: number; basis: string; ariRecheckMs?: number }): Promise<{ revision: number; keyRef: string }> {
    const id = `${cert.namespace}/${cert.name}`;
    const previous = await this.getState(id);
    const revision = (previous?.revision ?? 0) + 1;
    const keyRef = this.keyRef(cert, revision);
    const multi = this.redis.multi();
    multi.set(keyRef, encryptPrivateKey(issued.keyPem, this.key));
    if (previous?.keyRef && previous.keyRef !== keyRef) multi.expire(previous.keyRef, this.oldKeyTtl);
    multi.hset(this.stateKey(id), {
      revision: String(revision),
      chainPem: issued.chainPem,
      keyRef,
      notBefore: String(issued.notBefore),
      notAfter: String(issued.notAfter),
      dnsNames: JSON.stringify(issued.dnsNames),
      orderUrl: issued.orderUrl,
      renewalTime: String(renewal.renewalTime),
      renewalBasis: renewal.basis,
      failures: '0',
      ...(issued.ariCertId ? { ariCertId: issued.ariCertId } : {}),
      ...(renewal.ariRecheckMs ? { ariRecheckMs: String(renewal.ariRecheckMs) } : {}),
    });
    multi.hdel(this.stateKey(id), 'pendingOrderUrl', 'issuing', 'nextAttemptTime', 'lastFailureMessage');
    multi.del(`${this.prefix}pending-key:${id}`);
    await multi.exec();
    return { revision, keyRef };
  }

  // --- ACME account -------------------------------------------------------------------------

  private accountKey(server: string, secretRef: string, namespace: string): string {
    const sha = createHash('sha256').update(`${server}\n${namespace}\n${secretRef}`).digest('hex').slice(0, 16);
    return `${this.prefix}account:${sha}`;
  }

  /**
   * The account key for an issuer, created once: the first replica's key wins (HSETNX), so every
   * replica and every restart signs with the same account.
   */
  async getOrCreateAccountKey(server: string, secretRef: string, namespace: string, create: () => string): Promise<{ keyPem: string; url?: string }> {
    const key = this.accountKey(server, secretRef, namespace);
    let stored = await this.redis.hget(key, 'key');
    if (!stored) {
      await this.redis.hsetnx(key, 'key', encryptPrivateKey(create(), this.key));
      stored = (await this.redis.hget(key, 'key')) ?? '';
    }
    const url = await this.redis.hget(key, 'url');
    return { keyPem: decryptPrivateKey(stored, this.key, { allowPlaintext: !this.key, ref: key }), ...(url ? { url } : {}) };
  }

  async saveAccountUrl(server: string, secretRef: string, namespace: string, url: string): Promise<void> {
    await this.redis.hset(this.accountKey(server, secretRef, namespace), 'url', url);
  }

  // --- HTTP-01 ------------------------------------------------------------------------------

  async putHttp01(token: string, keyAuthorization: string, ttlSeconds = 3600): Promise<void> {
    const value = this.keyring ? seal(this.keyring, SealedUses.http01(token), Buffer.from(keyAuthorization)) : keyAuthorization;
    await this.redis.set(`${this.prefix}http01:${token}`, value, 'EX', ttlSeconds);
  }

  async getHttp01(token: string): Promise<string | null> {
    const key = `${this.prefix}http01:${token}`;
    if (!this.keyring) return this.redis.get(key);
    const bytes = await this.redis.getBuffer(key);
    if (!bytes) return null;
    return this.opened(key, () => open(this.keyring!, SealedUses.http01(token), bytes).toString()) ?? null;
  }

  async deleteHttp01(token: string): Promise<void> {
    await this.redis.del(`${this.prefix}http01:${token}`);
  }

  // --- Certificates wanted by xds -----------------------------------------------------------

  async putWanted(cert: Certificate): Promise<boolean> {
    const id = `${cert.namespace}/${cert.name}`;
    const previous = await this.getWanted(id);
    if (previous && JSON.stringify(previous) === JSON.stringify(cert)) return false;
    const value = this.keyring ? sealJson(this.keyring, SealedUses.wantedCertificate(id), cert) : JSON.stringify(cert);
    await this.redis.hset(`${this.prefix}wanted`, id, value);
    return true;
  }

  async getWanted(id: string): Promise<Certificate | undefined> {
    const bytes = await this.redis.hgetBuffer(`${this.prefix}wanted`, id);
    return bytes ? this.wantedFrom(id, bytes) : undefined;
  }

  async listWanted(): Promise<Certificate[]> {
    const all = await this.redis.hgetallBuffer(`${this.prefix}wanted`);
    return Object.entries(all).flatMap(([id, bytes]) => this.wantedFrom(id, bytes) ?? []);
  }

  private wantedFrom(id: string, bytes: Buffer): Certificate | undefined {
    if (!this.keyring) return JSON.parse(bytes.toString()) as Certificate;
    return this.opened(`${this.prefix}wanted#${id}`, () => openJson<Certificate>(this.keyring!, SealedUses.wantedCertificate(id), bytes));
  }

  /** The opened value, or undefined (reported) when it was not sealed with the control key. */
  private opened<T>(key: string, openIt: () => T): T | undefined {
    try {
      return openIt();
    } catch (err) {
      this.onUntrusted?.(key, err as Error);
      return undefined;
    }
  }
}
