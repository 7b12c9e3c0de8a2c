// Encodes cache entries into Any once per entry (entries are shared by every stream and reused
// across snapshots when unchanged), so a push to 1,000 streams encodes each resource once.
import type { PackedAny } from '@gatehouse/contracts';
import type { CacheEntry, Snapshot } from '../core/cache/index.js';
import { PUSH_ORDER, typeLabel } from '../core/cache/index.js';
import { encodeResource, EnvoyJsonError } from './to-proto-any.js';

const encoded = new WeakMap<CacheEntry, PackedAny>();

/** @throws EnvoyJsonError */
export function encodeEntry(entry: CacheEntry): PackedAny {
  let any = encoded.get(entry);
  if (!any) {
    any = encodeResource(entry.typeUrl, entry.resource);
    encoded.set(entry, any);
  }
  return any;
}

/**
 * Encodes every resource of a snapshot up front, so a resource Envoy's protos cannot represent
 * refuses the whole snapshot (the last good one keeps serving) instead of failing mid-stream.
 * @throws EnvoyJsonError naming the resource and the path inside it
 */
export function encodeSnapshot(snapshot: Snapshot): void {
  for (const typeUrl of PUSH_ORDER) {
    for (const entry of snapshot.entries(typeUrl).values()) {
      try {
        encodeEntry(entry);
      } catch (err) {
        if (err instanceof EnvoyJsonError) throw new EnvoyJsonError(`${typeLabel(typeUrl)}/${entry.name}${err.path}`, err.message.replace(/^.*?: .*?: /, ''));
        throw err;
      }
    }
  }
}
