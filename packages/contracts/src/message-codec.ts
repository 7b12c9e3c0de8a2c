// Typed encode/decode for one protobuf message type. Every payload that crosses Redis (BullMQ job
// data, pub/sub fan-out, stored snapshots) goes through one of these.
import type protobuf from 'protobufjs';
import { ContractDecodeError } from './decode-error.js';
import { lookupMessage, toObjectOptions } from './proto-root.js';

/** BullMQ job data is JSON, so the encoded message travels base64-encoded under one key. */
export interface EncodedJobData {
  readonly pb: string;
}

export interface MessageCodec<In, Out> {
  readonly typeName: string;
  encode(value: In): Buffer;
  /** @throws ContractDecodeError */
  decode(bytes: Uint8Array): Out;
  toJobData(value: In): EncodedJobData;
  /** @throws ContractDecodeError */
  fromJobData(data: unknown): Out;
}

export function messageCodec<In, Out>(typeName: string): MessageCodec<In, Out> {
  let type: protobuf.Type | undefined;
  const resolve = (): protobuf.Type => (type ??= lookupMessage(typeName));

  const encode = (value: In): Buffer => {
    const t = resolve();
    return Buffer.from(t.encode(t.fromObject(value as Record<string, unknown>)).finish());
  };
  const decode = (bytes: Uint8Array): Out => {
    const t = resolve();
    try {
      return t.toObject(t.decode(bytes), toObjectOptions) as Out;
    } catch (err) {
      throw new ContractDecodeError(typeName, err instanceof Error ? err.message : String(err));
    }
  };
  return {
    typeName,
    encode,
    decode,
    toJobData: (value) => ({ pb: encode(value).toString('base64') }),
    fromJobData: (data) => {
      const pb = (data as Partial<EncodedJobData> | null)?.pb;
      if (typeof pb !== 'string') throw new ContractDecodeError(typeName, 'job data has no "pb" string');
      return decode(Buffer.from(pb, 'base64'));
    },
  };
}
