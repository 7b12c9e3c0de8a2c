// Resources applied through the admin API live in one Redis hash (field "<Kind>/<namespace>/<name>",
// value the YAML document), so every xds replica serves the same thing. After each change a
// gatehouse.v1.GatewayConfigChanged goes out over fan-out and every replica reloads the hash.
//
// Redis is not trusted with them: each value is sealed (AES-256-GCM, the hash key and field as associated
// data, so a Secret's data is unreadable and a value cannot be forged, edited or moved to another field),
// and so is the announcement. A value that does not open is refused and the last trusted version of that
// field keeps serving; a field that disappears without a sealed announcement naming it keeps serving too.
import { gatewayConfigChangedCodec, open, seal, sealedCodec, SealedEnvelopeError, SealedUses, FanoutChannels, type ControlKeyring } from '@gatehouse/contracts';
import { currentTraceContext, FanoutChannel, withTraceContext, type RedisConnection, type UntrustedData } from '@gatehouse/kit';
import { contentHash } from '../core/cache/index.js';
import type { StoredResource } from '../core/index.js';

export type { StoredResource };

export const ADMIN_RESOURCES_KEY = 'gatehouse:xds:resources';

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
}

export class AdminResourceStore {
  private readonly key: string;
  private readonly channel: FanoutChannel<Parameters<typeof gatewayConfigChangedCodec.encode>[0], ReturnType<typeof gatewayConfigChangedCodec.decode>>;
  /** The last value of each field that opened: what serves when Redis holds a forged one. */
  private readonly trusted = new Map<string, string>();

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
   * The resources, as sealed by a key holder. `removed`: fields a sealed announcement (or this replica)
   * deleted; any other field that vanished from the hash keeps its last trusted value.
   */
  async list(removed: Iterable<string> = []): Promise<StoredResource[]> {
    const all = await this.options.redis.hgetallBuffer(this.key);
    for (const field of removed) this.trusted.delete(field);
    const out = new Map<string, string>();
    for (const [field, bytes] of Object.entries(all)) {
      try {
        out.set(field, open(this.options.keyring, SealedUses.adminResource(this.key, field), bytes).toString('utf8'));
      } catch (err) {
        this.refuse(field, err);
        const kept = this.trusted.get(field);
        if (kept !== undefined) out.set(field, kept);
      }
    }
    for (const [field, yaml] of this.trusted) {
      if (out.has(field)) continue;
      this.refuse(field, new SealedEnvelopeError('GH_SEALED_TAMPERED', `${this.key}#${field}: removed from Redis without a sealed announcement`));
      out.set(field, yaml);
    }
    this.trusted.clear();
    for (const [field, yaml] of out) this.trusted.set(field, yaml);
    return [...out]
      .map(([key, yaml]) => ({ key, yaml }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** Stores (replaces) resources and tells every replica. @returns the new version */
  async put(resources: readonly StoredResource[]): Promise<string> {
    const sealed = resources.map((r) => [r.key, seal(this.options.keyring, SealedUses.adminResource(this.key, r.key), Buffer.from(r.yaml, 'utf8'))] as const);
    if (sealed.length > 0) await this.options.redis.hset(this.key, Object.fromEntries(sealed));
    return this.announce(resources.map((r) => r.key), []);
  }

  /** @returns the keys that existed and the new version */
  async delete(keys: readonly string[]): Promise<{ deleted: string[]; version: string }> {
    const deleted: string[] = [];
    for (const key of keys) if ((await this.options.redis.hdel(this.key, key)) > 0) deleted.push(key);
    return { deleted, version: await this.announce(deleted, deleted) };
  }

  /** Calls `onChange` with the full resource list now and after every change by any replica. */
  async watch(onChange: (resources: StoredResource[]) => void | Promise<void>, onError: (err: unknown) => void): Promise<void> {
    let reloading = Promise.resolve();
    const reload = (removed: readonly string[] = []): Promise<void> => (reloading = reloading.then(async () => onChange(await this.list(removed))).catch(onError));
    // The reload joins the trace of the change that caused it. A forged announcement is refused (and
    // would only cause a reload: every value is checked on its own).
    const refused = (err: unknown): void => void (this.options.untrusted?.report('admin-resource', this.channel.latestKey, err) || onError(err));
    await this.channel.subscribe((message) => withTraceContext(message.trace, 'xds.admin-resources.reload', () => reload(message.changed ?? [])), refused);
    await reload();
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private refuse(field: string, err: unknown): void {
    if (!this.options.untrusted?.report('admin-resource', `${this.key}#${field}`, err) && !(err instanceof SealedEnvelopeError)) throw err;
  }

  private async announce(changed: string[], removed: readonly string[]): Promise<string> {
    const version = contentHash(await this.list(removed));
    await this.channel.publish({ trace: currentTraceContext(), version, changed });
    return version;
  }
}
