import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rateLimitConfigPublishedCodec } from './gatehouse-codecs.js';
import { lookupMessage } from './proto-root.js';
import {
  controlKeyring,
  open,
  openJson,
  parseControlKey,
  seal,
  sealedCodec,
  sealJson,
  SealedEnvelopeError,
  type SealContext,
  type SealedEnvelopeErrorCode,
} from './sealed-envelope.js';
import { SealedUses } from './sealed-uses.js';

const ring = controlKeyring(randomBytes(32));
const otherRing = controlKeyring(randomBytes(32));
const mac: SealContext = { purpose: 'fanout', name: 'gatehouse:ratelimit:config', mode: 'mac' };
const aead: SealContext = { purpose: 'secret', name: 'gatehouse:authz:policies', mode: 'aead' };
const payload = Buffer.from('client_secret=s3cr3t-value; api-key=k-123');

function codeOf(fn: () => unknown): SealedEnvelopeErrorCode | string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof SealedEnvelopeError ? err.code : `not a SealedEnvelopeError: ${String(err)}`;
  }
  return undefined;
}

type Envelope = { version?: number; algorithm?: number | string; key_id?: string; nonce?: Uint8Array; payload?: Uint8Array; tag?: Uint8Array };
const envelopeType = () => lookupMessage('gatehouse.v1.SealedEnvelope');
const decodeEnvelope = (bytes: Buffer): Envelope => envelopeType().toObject(envelopeType().decode(bytes), { enums: String, bytes: Buffer as unknown as typeof String }) as Envelope;
const encodeEnvelope = (e: Envelope): Buffer => Buffer.from(envelopeType().encode(envelopeType().fromObject(e)).finish());

describe('sealed envelope', () => {
  it.each([mac, aead])('round-trips a payload ($mode)', (context) => {
    expect(open(ring, context, seal(ring, context, payload))).toEqual(payload);
  });

  it('keeps an AEAD payload secret and a MAC payload readable', () => {
    expect(seal(ring, aead, payload).includes(payload)).toBe(false);
    expect(seal(ring, aead, payload).toString('latin1')).not.toContain('s3cr3t');
    expect(seal(ring, mac, payload).includes(payload)).toBe(true);
  });

  it('uses a fresh nonce for every AEAD envelope', () => {
    expect(seal(ring, aead, payload).equals(seal(ring, aead, payload))).toBe(false);
  });

  it.each([mac, aead])('refuses a single flipped byte anywhere in the envelope ($mode)', (context) => {
    const sealed = seal(ring, context, payload);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(codeOf(() => open(ring, context, tampered)), `byte ${i}`).toMatch(/^GH_SEALED_/);
    }
  });

  it.each([mac, aead])('refuses an edited payload with the original tag ($mode)', (context) => {
    const e = decodeEnvelope(seal(ring, context, payload));
    const edited = Buffer.from(e.payload!);
    edited[0] = edited[0]! ^ 0xff;
    expect(codeOf(() => open(ring, context, encodeEnvelope({ ...e, payload: edited })))).toBe('GH_SEALED_TAMPERED');
  });

  it.each([mac, aead])('refuses a truncated envelope at every length ($mode)', (context) => {
    const sealed = seal(ring, context, payload);
    for (let length = 0; length < sealed.length; length++) {
      expect(codeOf(() => open(ring, context, sealed.subarray(0, length))), `length ${length}`).toMatch(/^GH_SEALED_/);
    }
  });

  it('refuses an envelope opened for another purpose (one use cannot be replayed as another)', () => {
    const sealed = seal(ring, mac, payload);
    expect(codeOf(() => open(ring, { ...mac, purpose: 'job' }, sealed))).toBe('GH_SEALED_TAMPERED');
    expect(codeOf(() => open(ring, { ...mac, purpose: 'admin-resource' }, sealed))).toBe('GH_SEALED_TAMPERED');
    const secret = seal(ring, aead, payload);
    expect(codeOf(() => open(ring, { ...aead, purpose: 'session' }, secret))).toBe('GH_SEALED_TAMPERED');
  });

  it.each([mac, aead])('refuses an envelope opened under another name (channel, field, session id) ($mode)', (context) => {
    const sealed = seal(ring, context, payload);
    expect(codeOf(() => open(ring, { ...context, name: `${context.name}x` }, sealed))).toBe('GH_SEALED_TAMPERED');
    expect(codeOf(() => open(ring, { ...context, name: '' }, sealed))).toBe('GH_SEALED_TAMPERED');
  });

  it('binds the session id as associated data: a record copied to another id is refused', () => {
    const record = sealJson(ring, SealedUses.session('session', 'victim-id'), { sub: 'victim' });
    expect(openJson(ring, SealedUses.session('session', 'victim-id'), record)).toEqual({ sub: 'victim' });
    expect(codeOf(() => openJson(ring, SealedUses.session('session', 'attacker-id'), record))).toBe('GH_SEALED_TAMPERED');
    expect(codeOf(() => openJson(ring, SealedUses.session('login', 'victim-id'), record))).toBe('GH_SEALED_TAMPERED');
  });

  it('refuses a MAC envelope where AEAD is expected and the other way round', () => {
    expect(codeOf(() => open(ring, { ...mac, mode: 'aead' }, seal(ring, mac, payload)))).toBe('GH_SEALED_WRONG_USE');
    expect(codeOf(() => open(ring, { ...aead, mode: 'mac' }, seal(ring, aead, payload)))).toBe('GH_SEALED_WRONG_USE');
  });

  it('refuses an envelope sealed by another control key', () => {
    expect(codeOf(() => open(ring, mac, seal(otherRing, mac, payload)))).toBe('GH_SEALED_UNKNOWN_KEY');
  });

  it('refuses a forged envelope that claims the right key id', () => {
    const forged = decodeEnvelope(seal(otherRing, mac, payload));
    expect(codeOf(() => open(ring, mac, encodeEnvelope({ ...forged, key_id: ring.current.id })))).toBe('GH_SEALED_TAMPERED');
    const forgedAead = decodeEnvelope(seal(otherRing, aead, payload));
    expect(codeOf(() => open(ring, aead, encodeEnvelope({ ...forgedAead, key_id: ring.current.id })))).toBe('GH_SEALED_TAMPERED');
  });

  it('refuses a key id rewritten to the previous key', () => {
    const previous = randomBytes(32);
    const rolling = controlKeyring(randomBytes(32), previous);
    const e = decodeEnvelope(seal(rolling, mac, payload));
    expect(codeOf(() => open(rolling, mac, encodeEnvelope({ ...e, key_id: rolling.previous!.id })))).toBe('GH_SEALED_TAMPERED');
  });

  it.each([mac, aead])('opens what the previous key sealed while a new key rolls out, and not after ($mode)', (context) => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedByOld = seal(controlKeyring(oldKey), context, payload);
    expect(open(controlKeyring(newKey, oldKey), context, sealedByOld)).toEqual(payload);
    expect(codeOf(() => open(controlKeyring(newKey), context, sealedByOld))).toBe('GH_SEALED_UNKNOWN_KEY');
    // The new ring seals with the new key.
    expect(decodeEnvelope(seal(controlKeyring(newKey, oldKey), context, payload)).key_id).toBe(controlKeyring(newKey).current.id);
  });

  it('refuses an unsealed (legacy) protobuf payload and junk', () => {
    const raw = rateLimitConfigPublishedCodec.encode({ version: 'v1', domains: [] });
    expect(codeOf(() => open(ring, mac, raw))).toMatch(/^GH_SEALED_(MALFORMED|WRONG_USE|UNKNOWN_KEY)$/);
    expect(codeOf(() => open(ring, mac, Buffer.from('{"sub":"admin"}')))).toMatch(/^GH_SEALED_/);
    expect(codeOf(() => open(ring, mac, undefined))).toBe('GH_SEALED_MALFORMED');
    expect(codeOf(() => open(ring, mac, encodeEnvelope({ version: 2, algorithm: 'HMAC_SHA256', key_id: ring.current.id })))).toBe('GH_SEALED_MALFORMED');
  });

  it('seals whole messages through sealedCodec, job data included', () => {
    const codec = sealedCodec(rateLimitConfigPublishedCodec, ring, mac);
    const message = { version: 'abc', domains: [{ domain: 'd', yaml: 'domain: d' }] };
    expect(codec.decode(codec.encode(message))).toMatchObject({ version: 'abc' });
    expect(codec.fromJobData(codec.toJobData(message))).toMatchObject({ version: 'abc' });
    expect(codeOf(() => codec.fromJobData(rateLimitConfigPublishedCodec.toJobData(message)))).toMatch(/^GH_SEALED_/);
    expect(codeOf(() => codec.fromJobData({}))).toBe('GH_SEALED_MALFORMED');
  });
});

describe('parseControlKey', () => {
  it('accepts 32 bytes as hex, base64 or base64url', () => {
    const key = randomBytes(32);
    expect(parseControlKey(key.toString('hex'))).toEqual(key);
    expect(parseControlKey(key.toString('base64'))).toEqual(key);
    expect(parseControlKey(`${key.toString('base64url')}\n`)).toEqual(key);
  });

  it.each(['', 'short', randomBytes(16).toString('hex'), randomBytes(33).toString('base64'), 'not base64 at all!'])('refuses %j', (text) => {
    expect(codeOf(() => parseControlKey(text))).toBe('GH_CONTROL_KEY_INVALID');
  });
});
