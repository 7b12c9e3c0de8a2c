// grpc-js (de)serialisation of the Check RPC, tuned for the hot path:
// - requests are decoded once into protobufjs messages, without the second toObject pass (the
//   request view reads only strings and maps, which decode to plain values);
// - an allowed answer's dynamic metadata is mostly a cached token's payload, the very same frozen
//   object on every hit: the Struct entry of a frozen object is encoded once, and appended after the
//   rest of the message.
//   Protobuf allows a message's fields in any order, and a Struct is a map, whose encoding is the
//   concatenation of its entries, so the bytes equal what encoding the whole message would give.
import { grpcServiceDefinition, lookupMessage, ServiceNames } from '@gatehouse/contracts';
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { CheckAnswer } from '../core/check-response.js';
import { toStruct } from '../core/struct.js';

const DYNAMIC_METADATA_FIELD = 4;
const LENGTH_DELIMITED = 2;

export function createCheckAnswerEncoder(): (answer: CheckAnswer) => Buffer {
  const responseType = lookupMessage('envoy.service.auth.v3.CheckResponse');
  const structType = lookupMessage('google.protobuf.Struct');
  // Per frozen object value, per key: the encoded Struct entry. Entries die with the cached payloads.
  // Only frozen objects: they cannot change under the cache, and one-off objects add no entries.
  const entries = new WeakMap<object, Map<string, Uint8Array>>();
  const encodeEntry = (key: string, value: unknown): Uint8Array => structType.encode(structType.fromObject(toStruct({ [key]: value }))).finish();
  const entryFor = (key: string, value: unknown): Uint8Array => {
    if (value === null || typeof value !== 'object' || !Object.isFrozen(value)) return encodeEntry(key, value);
    let byKey = entries.get(value);
    if (!byKey) entries.set(value, (byKey = new Map()));
    let bytes = byKey.get(key);
    if (!bytes) byKey.set(key, (bytes = encodeEntry(key, value)));
    return bytes;
  };
  return ({ response, metadata }) => {
    const head = responseType.encode(responseType.fromObject(response)).finish();
    if (!metadata) return Buffer.from(head.buffer, head.byteOffset, head.byteLength);
    const parts: Uint8Array[] = [head, new Uint8Array(0)];
    let structLength = 0;
    for (const key in metadata) {
      const value = metadata[key];
      if (value === undefined) continue;
      const entry = entryFor(key, value);
      parts.push(entry);
      structLength += entry.byteLength;
    }
    parts[1] = fieldHeader(DYNAMIC_METADATA_FIELD, structLength);
    return Buffer.concat(parts);
  };
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
