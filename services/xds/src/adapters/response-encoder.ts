// Serializes discovery responses for many streams cheaply. A push of one change to 1,000 streams
// sends the same resources 1,000 times with a different nonce, so the resources part is encoded
// once (per SotW resource set, keyed by its content-hash version; per entry for delta) and only
// the few small header fields are encoded per stream. Protobuf fields may appear in any order, so
// header bytes + resources bytes is the same message.
import { lookupMessage } from '@gatehouse/contracts';
import type { CacheEntry } from '../core/cache/index.js';
import { encodeEntry } from './resource-encoder.js';

const SOTW = 'envoy.service.discovery.v3.DiscoveryResponse';
const DELTA = 'envoy.service.discovery.v3.DeltaDiscoveryResponse';

/** Marks a response whose resources are already encoded. */
export class PreEncodedResponse {
  constructor(
    readonly header: Record<string, unknown>,
    readonly resources: Buffer,
    /**
     * Identifies the whole response (header and resources). Streams pushed the same change get
     * the same key, and the serialized message is shared instead of rebuilt per stream.
     */
    readonly cacheKey?: string,
  ) {}
}

const wholeResponses = new Map<string, Buffer>();
const MAX_WHOLE_RESPONSES = 64;

const sotwSets = new Map<string, Buffer>();
const MAX_SOTW_SETS = 256;
const deltaEntries = new WeakMap<CacheEntry, Buffer>();

/** The `resources` field bytes of a SotW response; `version` is the content hash of the set. */
export function encodeSotwResources(typeUrl: string, version: string, entries: readonly CacheEntry[]): Buffer {
  const key = `${typeUrl} ${version}`;
  let bytes = sotwSets.get(key);
  if (!bytes) {
    const type = lookupMessage(SOTW);
    bytes = Buffer.from(type.encode(type.fromObject({ resources: entries.map(encodeEntry) })).finish());
    if (sotwSets.size >= MAX_SOTW_SETS) sotwSets.delete(sotwSets.keys().next().value!);
    sotwSets.set(key, bytes);
  }
  return bytes;
}

/** The `resources` field bytes of a delta response. */
export function encodeDeltaResources(entries: readonly CacheEntry[]): Buffer {
  return Buffer.concat(
    entries.map((entry) => {
      let bytes = deltaEntries.get(entry);
      if (!bytes) {
        const type = lookupMessage(DELTA);
        bytes = Buffer.from(type.encode(type.fromObject({ resources: [{ name: entry.name, version: entry.version, resource: encodeEntry(entry) }] })).finish());
        deltaEntries.set(entry, bytes);
      }
      return bytes;
    }),
  );
}

/** Wraps a response serializer so it understands PreEncodedResponse. */
export function preEncodedAware(messageName: typeof SOTW | typeof DELTA, serialize: (value: object) => Buffer): (value: object) => Buffer {
  const type = lookupMessage(messageName);
  return (value) => {
    if (!(value instanceof PreEncodedResponse)) return serialize(value);
    const key = value.cacheKey === undefined ? undefined : `${messageName} ${value.cacheKey}`;
    const cached = key === undefined ? undefined : wholeResponses.get(key);
    if (cached) return cached;
    const header = type.encode(type.fromObject(value.header)).finish();
    const bytes = Buffer.concat([header, value.resources], header.length + value.resources.length);
    if (key !== undefined) {
      if (wholeResponses.size >= MAX_WHOLE_RESPONSES) wholeResponses.delete(wholeResponses.keys().next().value!);
      wholeResponses.set(key, bytes);
    }
    return bytes;
  };
}

export const ResponseMessages = { sotw: SOTW, delta: DELTA } as const;
