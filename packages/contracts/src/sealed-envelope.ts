// The sealed envelope (gatehouse.v1.SealedEnvelope) for everything a service acts on that travels through
// Redis: Redis is a transport, not a root of trust. Pure functions; the key never comes from Redis.
//
//   control key (GATEHOUSE_CONTROL_KEY, 32 bytes)
//     └─ HKDF-SHA256(salt "gatehouse-control-key/v1", info "<purpose>/<mode>") = one subkey per use
//   mac:  payload in the clear,  tag = HMAC-SHA256(subkey, frame(v1, alg, key id, purpose, name, payload))
//   aead: payload = AES-256-GCM(subkey, nonce, plaintext, AD = frame(v1, alg, key id, purpose, name))
//
// The opener names the purpose, the name (channel, hash field, queue, session id) and the mode it expects;
// an envelope sealed for any other is refused, so one use cannot be replayed as another, nor a record
// moved to another name. The key id lets a rotated key open what the previous key sealed.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type protobuf from 'protobufjs';
import type { MessageCodec } from './message-codec.js';
import { lookupMessage, toObjectOptions } from './proto-root.js';

export const SEAL_PURPOSES = ['fanout', 'admin-resource', 'job', 'session', 'secret'] as const;
export type SealPurpose = (typeof SEAL_PURPOSES)[number];
/** mac: authenticity (HMAC-SHA256); aead: secrecy and authenticity (AES-256-GCM). */
export type SealMode = 'mac' | 'aead';

/** Where an envelope belongs; the opener must name the same. */
export interface SealContext {
  readonly purpose: SealPurpose;
  /** Channel, hash key + field, queue or session id: the envelope opens only under this name. */
  readonly name: string;
  readonly mode: SealMode;
}

export interface ControlKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The key that seals, and the previous one still accepted for opening while a new key is rolled out. */
export interface ControlKeyring {
  readonly current: ControlKey;
  readonly previous?: ControlKey;
}

export type SealedEnvelopeErrorCode =
  | 'GH_CONTROL_KEY_INVALID'
  | 'GH_SEALED_MALFORMED'
  | 'GH_SEALED_WRONG_USE'
  | 'GH_SEALED_UNKNOWN_KEY'
  | 'GH_SEALED_TAMPERED';

export class SealedEnvelopeError extends Error {
  constructor(
    readonly code: SealedEnvelopeErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SealedEnvelopeError';
  }
}

const VERSION = 1;
const MAGIC = 'gatehouse.sealed.v1';
const ALGORITHMS = { mac: 'HMAC_SHA256', aead: 'AES_256_GCM' } as const;
const NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;
const HMAC_BYTES = 32;

/**
 * Parses a control key: 32 random bytes as 64 hex chars or base64/base64url
 * (`openssl rand -hex 32`). `name` is the variable, for the message.
 */
export function parseControlKey(text: string, name = 'GATEHOUSE_CONTROL_KEY'): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new SealedEnvelopeError('GH_CONTROL_KEY_INVALID', `${name} must be 32 random bytes as 64 hex chars or base64/base64url (got ${key.length} bytes); create one with: openssl rand -hex 32`);
  }
  return key;
}

/** The key id stored in envelopes: names the key without revealing anything usable about it. */
export function controlKeyId(key: Buffer): string {
  return createHash('sha256').update('gatehouse-control-key-id/').update(key).digest('hex').slice(0, 8);
}

export function controlKeyring(current: Buffer, previous?: Buffer): ControlKeyring {
  const ring: { current: ControlKey; previous?: ControlKey } = { current: { id: controlKeyId(current), key: current } };
  if (previous && !previous.equals(current)) ring.previous = { id: controlKeyId(previous), key: previous };
  return ring;
}

const subkeys = new WeakMap<ControlKey, Map<string, Buffer>>();

/** HKDF subkey of `key` for one purpose and mode (cached: opening is on hot paths). */
export function deriveSubkey(key: ControlKey, purpose: SealPurpose, mode: SealMode): Buffer {
  let byUse = subkeys.get(key);
  if (!byUse) subkeys.set(key, (byUse = new Map()));
  const info = `${purpose}/${mode}`;
  let subkey = byUse.get(info);
  if (!subkey) byUse.set(info, (subkey = Buffer.from(hkdfSync('sha256', key.key, 'gatehouse-control-key/v1', info, 32))));
  return subkey;
}

/** Length-prefixed concatenation: no two different field lists frame to the same bytes. */
function frame(parts: ReadonlyArray<string | Uint8Array>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

function header(context: SealContext, keyId: string): string[] {
  return [MAGIC, String(VERSION), ALGORITHMS[context.mode], keyId, context.purpose, context.name];
}

let envelopeType: protobuf.Type | undefined;
const envelope = (): protobuf.Type => (envelopeType ??= lookupMessage('gatehouse.v1.SealedEnvelope'));

interface DecodedEnvelope {
  version?: number;
  algorithm?: string;
  key_id?: string;
  nonce?: Buffer;
  payload?: Buffer;
  tag?: Buffer;
}

/** Seals `payload` for `context` with the current key. Returns the encoded SealedEnvelope. */
export function seal(keyring: ControlKeyring, context: SealContext, payload: Uint8Array): Buffer {
  const key = keyring.current;
  const subkey = deriveSubkey(key, context.purpose, context.mode);
  const fields = header(context, key.id);
  let message: Record<string, unknown>;
  if (context.mode === 'mac') {
    const tag = createHmac('sha256', subkey).update(frame([...fields, payload])).digest();
    message = { version: VERSION, algorithm: ALGORITHMS.mac, key_id: key.id, payload, tag };
  } else {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', subkey, nonce, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(frame(fields));
    const ciphertext = Buffer.concat([cipher.update(payload), cipher.final()]);
    message = { version: VERSION, algorithm: ALGORITHMS.aead, key_id: key.id, nonce, payload: ciphertext, tag: cipher.getAuthTag() };
  }
  const type = envelope();
  return Buffer.from(type.encode(type.fromObject(message)).finish());
}

/**
 * Opens an envelope read from Redis, for `context` only. Returns the payload.
 * @throws SealedEnvelopeError (malformed, sealed for another use, by an unknown key, or tampered)
 */
export function open(keyring: ControlKeyring, context: SealContext, bytes: Uint8Array | null | undefined): Buffer {
  const where = `${context.purpose} ${context.name}`;
  if (!bytes || bytes.length === 0) throw new SealedEnvelopeError('GH_SEALED_MALFORMED', `${where}: empty`);
  let decoded: DecodedEnvelope;
  try {
    const type = envelope();
    const message = type.decode(bytes);
    // Only the canonical encoding: protobufjs reads a field whatever its wire type, and an envelope
    // must not have two spellings (what was sealed is exactly what is stored).
    if (!Buffer.from(type.encode(message).finish()).equals(Buffer.from(bytes))) throw new Error('not canonically encoded');
    decoded = type.toObject(message, toObjectOptions) as DecodedEnvelope;
  } catch (err) {
    throw new SealedEnvelopeError('GH_SEALED_MALFORMED', `${where}: not a sealed envelope (${err instanceof Error ? err.message : String(err)})`);
  }
  const { version, algorithm, key_id: keyId = '', nonce = Buffer.alloc(0), payload = Buffer.alloc(0), tag = Buffer.alloc(0) } = decoded;
  if (version !== VERSION) throw new SealedEnvelopeError('GH_SEALED_MALFORMED', `${where}: not a sealed envelope of version ${VERSION} (unsigned or from another format)`);
  if (algorithm !== ALGORITHMS[context.mode]) {
    throw new SealedEnvelopeError('GH_SEALED_WRONG_USE', `${where}: sealed with ${algorithm ?? 'no algorithm'}, expected ${ALGORITHMS[context.mode]}`);
  }
  const key = [keyring.current, keyring.previous].find((k) => k?.id === keyId);
  if (!key) {
    const known = [keyring.current.id, keyring.previous?.id].filter(Boolean).join(', ');
    throw new SealedEnvelopeError('GH_SEALED_UNKNOWN_KEY', `${where}: sealed with key id ${keyId || '(none)'}, configured keys are ${known}`);
  }
  const subkey = deriveSubkey(key, context.purpose, context.mode);
  const fields = header(context, key.id);
  if (context.mode === 'mac') {
    const expected = createHmac('sha256', subkey).update(frame([...fields, payload])).digest();
    if (tag.length !== HMAC_BYTES || !timingSafeEqual(tag, expected)) throw tampered(where);
    return payload;
  }
  if (nonce.length !== NONCE_BYTES || tag.length !== GCM_TAG_BYTES) throw tampered(where);
  try {
    const decipher = createDecipheriv('aes-256-gcm', subkey, nonce, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(frame(fields));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(payload), decipher.final()]);
  } catch {
    throw tampered(where);
  }
}

function tampered(where: string): SealedEnvelopeError {
  return new SealedEnvelopeError('GH_SEALED_TAMPERED', `${where}: authentication failed (forged, edited, or sealed for another name or use)`);
}

/** JSON values (job data, session records) through an envelope. */
export function sealJson(keyring: ControlKeyring, context: SealContext, value: unknown): Buffer {
  return seal(keyring, context, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** @throws SealedEnvelopeError, or SyntaxError only if a key holder sealed bad JSON */
export function openJson<T>(keyring: ControlKeyring, context: SealContext, bytes: Uint8Array | null | undefined): T {
  return JSON.parse(open(keyring, context, bytes).toString('utf8')) as T;
}

/**
 * `codec` with every encoding sealed for `context`: what FanoutChannel, job data and snapshots carry.
 * decode() throws SealedEnvelopeError for anything not sealed by a configured key for this context.
 */
export function sealedCodec<In, Out>(codec: MessageCodec<In, Out>, keyring: ControlKeyring, context: SealContext): MessageCodec<In, Out> {
  const encode = (value: In): Buffer => seal(keyring, context, codec.encode(value));
  const decode = (bytes: Uint8Array): Out => codec.decode(open(keyring, context, bytes));
  return {
    typeName: codec.typeName,
    encode,
    decode,
    toJobData: (value) => ({ pb: encode(value).toString('base64') }),
    fromJobData: (data) => {
      const pb = (data as { pb?: unknown } | null)?.pb;
      return decode(typeof pb === 'string' ? Buffer.from(pb, 'base64') : Buffer.alloc(0));
    },
  };
}
