// grpc-js (de)serialisation of the Check RPC, tuned for the hot path:
// - requests are decoded once into protobufjs messages, without the second toObject pass (the
//   request view reads only strings and maps, which decode to plain values);
// - an allowed answer's dynamic metadata is mostly a cached token's payload, the very same frozen
//   object on every hit: the Struct entry of a frozen object is encoded once, and appended after the
//   rest of the message.
//   Protobuf allows a message's fields in any order, and a Struct is a map, whose encoding is the
//   concatenation of its entries, so the bytes equal what encoding the whole message would give;
// - the rest of an allowed answer (status, identity headers, removals) repeats for the same caller:
//   its encoding is kept too, keyed by those headers, in a bounded map.
import { grpcServiceDefinition, lookupMessage, ServiceNames } from '@gatehouse/contracts';
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { CheckResponse } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckResponse';
import type { CheckAnswer } from '../core/decide/check-response.js';
import { toStruct } from '../core/decide/struct.js';

const DYNAMIC_METADATA_FIELD = 4;
const LENGTH_DELIMITED = 2;
/** Encoded allowed-answer heads kept; when full, the map starts over (cheap, and hot callers refill it at once). */
const MAX_CACHED_HEADS = 4096;

export function createCheckAnswerEncoder(): (answer: CheckAnswer) => Buffer {
  const responseType = lookupMessage('envoy.service.auth.v3.CheckResponse');
  const structType = lookupMessage('google.protobuf.Struct');
  const encodeEntry = (key: string, value: unknown): Uint8Array => structType.encode(structType.fromObject(toStruct({ [key]: value }))).finish();
  // Per frozen object value, per key: the encoded Struct entry, and that entry as a whole
  // dynamic_metadata field (the common answer has one: a JWT provider's payload, an API key's
  // identity). Only frozen objects: they cannot change under the cache, and one-off objects add no
  // entries. Entries die with the cached payloads.
  const cache = new WeakMap<object, Map<string, { entry: Uint8Array; field: Uint8Array }>>();
  const cachedEntry = (key: string, value: object): { entry: Uint8Array; field: Uint8Array } => {
    let byKey = cache.get(value);
    if (!byKey) cache.set(value, (byKey = new Map()));
    let cached = byKey.get(key);
    if (!cached) {
      const entry = encodeEntry(key, value);
      byKey.set(key, (cached = { entry, field: Buffer.concat([fieldHeader(DYNAMIC_METADATA_FIELD, entry.byteLength), entry]) }));
    }
    return cached;
  };
  const encode = (response: CheckResponse): Uint8Array => responseType.encode(responseType.fromObject(response)).finish();
  const heads = new Map<string, Uint8Array>();
  const headOf = (response: CheckResponse): Uint8Array => {
    const key = allowedHeadKey(response);
    if (key === undefined) return encode(response);
    let head = heads.get(key);
    if (!head) {
      head = encode(response);
      if (heads.size >= MAX_CACHED_HEADS) heads.clear();
      heads.set(key, head);
    }
    return head;
  };
  return ({ response, metadata }) => {
    const head = headOf(response);
    if (!metadata) return Buffer.from(head.buffer, head.byteOffset, head.byteLength);
    const entries: Uint8Array[] = [];
    let single: Uint8Array | undefined;
    let structLength = 0;
    for (const key in metadata) {
      const value = metadata[key];
      if (value === undefined) continue;
      let entry: Uint8Array;
      if (value !== null && typeof value === 'object' && Object.isFrozen(value)) {
        const cached = cachedEntry(key, value);
        entry = cached.entry;
        single = entries.length === 0 ? cached.field : undefined;
      } else {
        entry = encodeEntry(key, value);
        single = undefined;
      }
      entries.push(entry);
      structLength += entry.byteLength;
    }
    if (single && entries.length === 1) return Buffer.concat([head, single]);
    return Buffer.concat([head, fieldHeader(DYNAMIC_METADATA_FIELD, structLength), ...entries]);
  };
}

/**
 * What an allowed answer's head is made of (buildCheckAnswer's shape: status OK, then headers to set
 * and to remove), as a string; undefined for any other answer, which is encoded every time.
 */
function allowedHeadKey(response: CheckResponse): string | undefined {
  const ok = response.ok_response;
  if (!ok || response.status?.code !== 0 || response.status.message || response.denied_response || response.dynamic_metadata) return undefined;
  let parts = 0;
  for (const _ in ok) parts++;
  if (parts !== 2 || !ok.headers || !ok.headers_to_remove) return undefined;
  // NUL and the other separators cannot occur in HTTP header names or values.
  let key = '';
  for (const option of ok.headers) key += `${option.header?.key}\u0000${option.header?.value}\u0000${String(option.append_action)}\u0001`;
  return `${key}\u0002${ok.headers_to_remove.join('\u0001')}`;
}

/** Tag and length of a length-delimited field. */
function fieldHeader(field: number, length: number): Uint8Array {
  const bytes = [(field << 3) | LENGTH_DELIMITED];
  let rest = length;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

/** The Authorization service definition with the hot-path (de)serialisers above. */
export function authorizationServiceDefinition(): ServiceDefinition {
  const base = grpcServiceDefinition(ServiceNames.authorization);
  const check = base.Check as MethodDefinition<CheckRequest__Output, CheckAnswer>;
  const requestType = lookupMessage('envoy.service.auth.v3.CheckRequest');
  return {
    ...base,
    Check: {
      ...check,
      requestDeserialize: (bytes: Buffer) => requestType.decode(bytes) as unknown as CheckRequest__Output,
      responseSerialize: createCheckAnswerEncoder(),
    },
  };
}
