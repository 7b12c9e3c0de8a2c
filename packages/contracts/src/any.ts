// google.protobuf.Any packing for Envoy resources and typed_config fields.
import { ContractDecodeError } from './decode-error.js';
import { lookupMessage, toObjectOptions } from './proto-root.js';

export const TYPE_URL_PREFIX = 'type.googleapis.com/';

export interface PackedAny {
  type_url: string;
  value: Buffer;
}

export function typeUrlOf(fullName: string): string {
  return TYPE_URL_PREFIX + fullName;
}

export function packAny(fullName: string, value: object): PackedAny {
  const type = lookupMessage(fullName);
  return { type_url: typeUrlOf(fullName), value: Buffer.from(type.encode(type.fromObject(value)).finish()) };
}

/** @throws ContractDecodeError */
export function unpackAny<T = Record<string, unknown>>(any: { type_url?: string; value?: Uint8Array }): T {
  const url = any.type_url ?? '';
  const fullName = url.slice(url.lastIndexOf('/') + 1);
  let type;
  try {
    type = lookupMessage(fullName);
  } catch {
    throw new ContractDecodeError(fullName || '(empty type_url)', 'unknown type');
  }
  try {
    return type.toObject(type.decode(any.value ?? new Uint8Array()), toObjectOptions) as T;
  } catch (err) {
    throw new ContractDecodeError(fullName, err instanceof Error ? err.message : String(err));
  }
}
