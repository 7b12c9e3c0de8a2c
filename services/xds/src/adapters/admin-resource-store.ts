// Resources applied through the admin API live in one Redis hash (field "<Kind>/<namespace>/<name>",
// value the YAML document), so every xds replica serves the same thing. After each change a
// gatehouse.v1.GatewayConfigChanged goes out over fan-out and every replica reloads the hash.
//
// Redis is not trusted with them: each value is sealed (AES-256-GCM, the hash key and field as associated
// data, so a Secret's data is unreadable and a value cannot be forged, edited or moved to another field),
// and so is the announcement. A value that does not open is refused and the last trusted version of that
// field keeps serving; a field that disappears without a sealed announcement naming it keeps serving too.
//
// Nor can an older sealed value be replayed: a put seals its values and its announcement at one
// generation (contracts nextGeneration(), past every generation this replica saw), a delete announces
// at a new one. A value older than the trusted one of its field is refused; a field named by an
// announcement is deleted only if the announcement is newer than the value it held (a replayed old
// delete announcement deletes nothing put since), and a deleted field stays deleted against older
// values (tombstones). A running replica that finds a replayed, forged or vanished value writes its
// trusted one back (or deletes a resurrected one) and announces, so a replica that starts meanwhile
// moves on; it re-checks the hash every `recheckMs` for replays nobody announced.
import { gatewayConfigChangedCodec, nextGeneration, openOrdered, replayedError, seal, sealedCodec, SealedEnvelopeError, SealedUses, FanoutChannels, type ControlKeyring } from '@gatehouse/contracts';
import { currentTraceContext, FanoutChannel, withTraceContext, type RedisConnection, type UntrustedData } from '@gatehouse/kit';
import { contentHash } from '../core/cache/index.js';
import type { StoredResource } from '../core/index.js';

export type { StoredResource };

export const ADMIN_RESOURCES_KEY = 'gatehouse:xds:resources';
const MAX_TOMBSTONES = 10_000;

export interface AdminResourceStoreOptions {
  redis: RedisConnection;
  /** Seals and opens the values and announcements (GATEHOUSE_CONTROL_KEY). */
  keyring: ControlKeyring;
  /** Where refused values are counted and logged. */
  untrusted?: UntrustedData;
  /** Dedicated connection factory for SUBSCRIBE; needed only by watch(). */
  subscriber?: () => RedisConnection;
  /** Hash key. Default ADMIN_RESOURCES_KEY. */
  key?: string;
  /** Fan-out channel. Default FanoutChannels.gatewayConfigChanged. */
  channelName?: string;
  /** watch() re-reads the hash this often (ms) to repair unannounced replays. Default 15000; 0: never. */
  recheckMs?: number;
}

/** A field's value that opened: served, and written back if Redis loses it. */
interface Trusted {
  readonly yaml: string;
  readonly generation: number;
  readonly bytes: Buffer;
}

export class AdminResourceStore {
  private readonly key: string;
  private readonly channel: FanoutChannel<Parameters<typeof gatewayConfigChangedCodec.encode>[0], ReturnType<typeof gatewayConfigChangedCodec.decode>>;
  /** The last value of each field that opened: what serves when Redis holds a forged or older one. */
  private readonly trusted = new Map<string, Trusted>();
  /** The generation each deleted field was deleted at: an older value of it is a replay. */
  private readonly tombstones = new Map<string, number>();
  /** The highest generation seen (values and announcements): the next one is past it. */
  private highest = 0;
  private recheck: NodeJS.Timeout | undefined;

  constructor(private readonly options: AdminResourceStoreOptions) {
    this.key = options.key ?? ADMIN_RESOURCES_KEY;
    const channelName = options.channelName ?? FanoutChannels.gatewayConfigChanged;
    this.channel = new FanoutChannel({
      name: channelName,
      codec: sealedCodec(gatewayConfigChangedCodec, options.keyring, SealedUses.gatewayConfigChanged(channelName)),
      redis: options.redis,
      ...(options.subscriber ? { subscriber: options.subscriber } : {}),
    });
  }

  /**
   * The resources, as sealed by a key holder. `changed`: fields named by a sealed announcement made at
   * `generation`; such a field that is gone (or holds an older value) is deleted if the announcement is
   * newer than its trusted value. Any other field that vanished keeps its last trusted value.
   */
  async list(changed: readonly string[] = [], generation = 0): Promise<StoredResource[]> {
    return (await this.load(changed, generation)).resources;
  }

  /** Stores (replaces) resources and tells every replica. @returns the new version */
  async put(resources: readonly StoredResource[]): Promise<string> {
    const generation = await this.nextGeneration(resources.map((r) => r.key));
    const sealed = resources.map((r) => [r.key, seal(this.options.keyring, SealedUses.adminResource(this.key, r.key), Buffer.from(r.yaml, 'utf8'), generation)] as const);
    if (sealed.length > 0) await this.options.redis.hset(this.key, Object.fromEntries(sealed));
    return this.announce(resources.map((r) => r.key), generation);
  }

  /** @returns the keys that existed and the new version */
  async delete(keys: readonly string[]): Promise<{ deleted: string[]; version: string }> {
    const generation = await this.nextGeneration(keys);
    const deleted: string[] = [];
    for (const key of keys) if ((await this.options.redis.hdel(this.key, key)) > 0) deleted.push(key);
    return { deleted, version: await this.announce(deleted, generation) };
  }

  /** Calls `onChange` with the full resource list now and after every change by any replica. */
  async watch(onChange: (resources: StoredResource[]) => void | Promise<void>, onError: (err: unknown) => void): Promise<void> {
    let reloading = Promise.resolve();
    let delivered: string | undefined;
    // A periodic re-check hands the list on only if it changed (a translation is not free).
    const reload = (changed: readonly string[] = [], generation = 0, periodic = false): Promise<void> =>
      (reloading = reloading
        .then(async () => {
          const { resources, repairs } = await this.load(changed, generation);
          const version = contentHash(resources);
          if (!periodic || version !== delivered) {
            delivered = version;
            await onChange(resources);
          }
          await this.repair(repairs);
        })
        .catch(onError));
    // The reload joins the trace of the change that caused it. A forged announcement is refused (and
    // would only cause a reload: every value is checked on its own).
    const refused = (err: unknown): void => void (this.options.untrusted?.report('admin-resource', this.channel.latestKey, err) || onError(err));
    await this.channel.subscribe(
      (message, { generation }) => withTraceContext(message.trace, 'xds.admin-resources.reload', () => reload(message.changed ?? [], generation)),
      refused,
    );
    await reload();
    const every = this.options.recheckMs ?? 15_000;
    if (every > 0) (this.recheck = setInterval(() => void reload([], 0, true), every)).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.recheck);
    await this.channel.close();
  }

  /** The resources to serve, and what Redis should hold instead of a replayed, forged or vanished value. */
  private async load(changed: readonly string[], generation: number): Promise<{ resources: StoredResource[]; repairs: Repairs }> {
    const all = await this.options.redis.hgetallBuffer(this.key);
    this.highest = Math.max(this.highest, generation);
    const announced = new Set(changed);
    const out = new Map<string, Trusted>();
    const repairs: Repairs = { restore: new Map(), remove: new Map() };
    for (const [field, bytes] of Object.entries(all)) {
      const kept = this.trusted.get(field);
      let value: Trusted;
      try {
        const opened = openOrdered(this.options.keyring, SealedUses.adminResource(this.key, field), bytes);
        value = { yaml: opened.payload.toString('utf8'), generation: opened.generation, bytes };
        this.highest = Math.max(this.highest, opened.generation);
      } catch (err) {
        this.refuse(field, err);
        if (kept) {
          out.set(field, kept);
          repairs.restore.set(field, kept.bytes);
        }
        continue;
      }
      const deletedAt = Math.max(this.tombstones.get(field) ?? 0, announced.has(field) ? generation : 0);
      if (kept && value.generation < kept.generation) {
        this.refuse(field, replayedError(SealedUses.adminResource(this.key, field), value.generation, kept.generation));
        // Named by a newer announcement than the trusted value: the field was deleted meanwhile.
        if (deletedAt > kept.generation) this.bury(field, deletedAt, repairs);
        else {
          out.set(field, kept);
          repairs.restore.set(field, kept.bytes);
        }
      } else if (value.generation < deletedAt) {
        // An older value than the deletion: deleted by the announcement, or resurrected by a replay.
        if (!announced.has(field) || kept === undefined) this.refuse(field, replayedError(SealedUses.adminResource(this.key, field), value.generation, deletedAt));
        this.bury(field, deletedAt, repairs);
      } else {
        out.set(field, value);
      }
    }
    for (const [field, kept] of this.trusted) {
      if (out.has(field) || field in all) continue;
      if (announced.has(field) && generation > kept.generation) {
        this.bury(field, generation, repairs);
        repairs.remove.delete(field);
        continue;
      }
      this.refuse(field, new SealedEnvelopeError('GH_SEALED_TAMPERED', `${this.key}#${field}: removed from Redis without a sealed announcement newer than its value`));
      out.set(field, kept);
      repairs.restore.set(field, kept.bytes);
    }
    this.trusted.clear();
    for (const [field, value] of out) {
      this.trusted.set(field, value);
      this.tombstones.delete(field);
    }
    const resources = [...out]
      .map(([key, value]) => ({ key, yaml: value.yaml }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    return { resources, repairs };
  }

  /** Records `field` as deleted at `generation`; a value still in Redis is removed by repair(). */
  private bury(field: string, generation: number, repairs: Repairs): void {
    if (this.tombstones.size >= MAX_TOMBSTONES) this.tombstones.delete(this.tombstones.keys().next().value as string);
    this.tombstones.set(field, Math.max(generation, this.tombstones.get(field) ?? 0));
    repairs.remove.set(field, this.tombstones.get(field)!);
  }

  /**
   * Puts trusted values back and removes resurrected ones, then announces, so a replica that loaded the
   * replay reloads: restored values are newer than what it holds, a removal is announced at the
   * generation of its deletion.
   */
  private async repair({ restore, remove }: Repairs): Promise<void> {
    if (restore.size > 0) await this.options.redis.hset(this.key, Object.fromEntries(restore));
    for (const field of remove.keys()) await this.options.redis.hdel(this.key, field);
    if (restore.size > 0) await this.channel.publish({ trace: currentTraceContext(), version: 'repair', changed: [] });
    for (const [field, generation] of remove) await this.channel.publish({ trace: currentTraceContext(), version: 'repair', changed: [field] }, { generation });
  }

  private refuse(field: string, err: unknown): void {
    if (!this.options.untrusted?.report('admin-resource', `${this.key}#${field}`, err) && !(err instanceof SealedEnvelopeError)) throw err;
  }

  /** Past everything seen, and past what Redis holds for `fields` now (another replica may have written). */
  private async nextGeneration(fields: readonly string[]): Promise<number> {
    let highest = this.highest;
    for (const field of fields) {
      const bytes = await this.options.redis.hgetBuffer(this.key, field);
      if (!bytes) continue;
      try {
        highest = Math.max(highest, openOrdered(this.options.keyring, SealedUses.adminResource(this.key, field), bytes).generation);
      } catch {
        // A forged value counts for nothing.
      }
    }
    return (this.highest = nextGeneration(highest));
  }

  private async announce(changed: string[], generation: number): Promise<string> {
    const version = contentHash(await this.list(changed, generation));
    await this.channel.publish({ trace: currentTraceContext(), version, changed }, { generation });
    return version;
  }
}

interface Repairs {
  /** Fields whose trusted value goes back into Redis. */
  readonly restore: Map<string, Buffer>;
  /** Fields deleted at a generation whose value Redis still (or again) holds. */
  readonly remove: Map<string, number>;
}
