// Resources applied through the admin API live in one Redis hash (field "<Kind>/<namespace>/<name>",
// value the YAML document), so every xds replica serves the same thing. After each change a
// gatehouse.v1.GatewayConfigChanged goes out over fan-out and every replica reloads the hash.
import { gatewayConfigChangedCodec, FanoutChannels } from '@gatehouse/contracts';
import { currentTraceContext, FanoutChannel, withTraceContext, type RedisConnection } from '@gatehouse/kit';
import { contentHash } from '../core/cache/index.js';
import type { StoredResource } from '../core/index.js';

export type { StoredResource };

export const ADMIN_RESOURCES_KEY = 'gatehouse:xds:resources';

export interface AdminResourceStoreOptions {
  redis: RedisConnection;
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

  constructor(private readonly options: AdminResourceStoreOptions) {
    this.key = options.key ?? ADMIN_RESOURCES_KEY;
    this.channel = new FanoutChannel({
      name: options.channelName ?? FanoutChannels.gatewayConfigChanged,
      codec: gatewayConfigChangedCodec,
      redis: options.redis,
      ...(options.subscriber ? { subscriber: options.subscriber } : {}),
    });
  }

  async list(): Promise<StoredResource[]> {
    const all = await this.options.redis.hgetall(this.key);
    return Object.entries(all)
      .map(([key, yaml]) => ({ key, yaml }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /** Stores (replaces) resources and tells every replica. @returns the new version */
  async put(resources: readonly StoredResource[]): Promise<string> {
    if (resources.length > 0) await this.options.redis.hset(this.key, Object.fromEntries(resources.map((r) => [r.key, r.yaml])));
    return this.announce(resources.map((r) => r.key));
  }

  /** @returns the keys that existed and the new version */
  async delete(keys: readonly string[]): Promise<{ deleted: string[]; version: string }> {
    const deleted: string[] = [];
    for (const key of keys) if ((await this.options.redis.hdel(this.key, key)) > 0) deleted.push(key);
    return { deleted, version: await this.announce(deleted) };
  }

  /** Calls `onChange` with the full resource list now and after every change by any replica. */
  async watch(onChange: (resources: StoredResource[]) => void | Promise<void>, onError: (err: unknown) => void): Promise<void> {
    let reloading = Promise.resolve();
    const reload = (): Promise<void> => (reloading = reloading.then(async () => onChange(await this.list())).catch(onError));
    // The reload joins the trace of the change that caused it.
    await this.channel.subscribe((message) => withTraceContext(message.trace, 'xds.admin-resources.reload', () => reload()), onError);
    await reload();
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  private async announce(changed: string[]): Promise<string> {
    const version = contentHash(await this.list());
    await this.channel.publish({ trace: currentTraceContext(), version, changed });
    return version;
  }
}
