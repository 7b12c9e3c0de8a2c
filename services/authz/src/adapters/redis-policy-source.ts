// Policies the xds service publishes (gatehouse.v1.AuthzPoliciesPublished): the latest is stored under a
// key and announced on a channel; every replica loads the key at start and applies each announcement.
import { authzPoliciesPublishedCodec } from '@gatehouse/contracts';
import type { AuthzPoliciesPublished__Output } from '@gatehouse/contracts/generated/gatehouse/v1/AuthzPoliciesPublished';
import type { Redis } from 'ioredis';
import type { ConfigFile } from '../core/load-policies.js';

export interface RedisPolicySourceOptions {
  /** A connection for GET; must not be in subscriber mode. */
  readonly redis: Redis;
  /** A dedicated connection for SUBSCRIBE. */
  readonly subscriber: Redis;
  /** Key holding the latest publication and channel announcing it. Default "gatehouse:authz:policies". */
  readonly key?: string;
  readonly onPublication: (publication: AuthzPoliciesPublished__Output) => void;
  readonly onError: (err: unknown) => void;
}

export const DEFAULT_POLICIES_KEY = 'gatehouse:authz:policies';

export async function startRedisPolicySource(options: RedisPolicySourceOptions): Promise<{ close(): Promise<void> }> {
  const key = options.key ?? DEFAULT_POLICIES_KEY;
  const apply = (bytes: Buffer) => {
    try {
      options.onPublication(authzPoliciesPublishedCodec.decode(bytes));
    } catch (err) {
      options.onError(err);
    }
  };
  options.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    if (channel.toString() === key) apply(message);
  });
  await options.subscriber.subscribe(key);
  // Subscribe first, then read: a publication racing with start-up is seen at least once.
  const latest = await options.redis.getBuffer(key);
  if (latest) apply(latest);
  return { close: async () => void (await options.subscriber.unsubscribe(key)) };
}

/** The publication as config files plus the referenced secrets, for loadPolicies. */
export function publicationToConfig(publication: AuthzPoliciesPublished__Output): { files: ConfigFile[]; data: Map<string, Record<string, Buffer>> } {
  const files = (publication.policies ?? []).map((p) => ({ file: `redis:${p.namespace ?? ''}/${p.name ?? ''}`, text: p.yaml ?? '' }));
  const data = new Map<string, Record<string, Buffer>>();
  for (const [ref, secret] of Object.entries(publication.secrets ?? {})) {
    const entries: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) entries[k] = Buffer.from(v);
    data.set(ref, entries);
  }
  return { files, data };
}
