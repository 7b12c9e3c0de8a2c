import { describe, expect, it } from 'vitest';
import { CLASS, decodeMessage, decodeTxt, encodeTxt, signMessage, soaQuery, txtUpdate, TYPE, verifyTsig, zoneFromSoaResponse, encodeMessage } from './dns-wire.js';

const key = { name: 'gatehouse-key', algorithm: 'HMACSHA256', secret: Buffer.from('0123456789abcdef0123456789abcdef') };
const now = 1_800_000_000;

describe('DNS UPDATE wire format', () => {
  it('encodes an RFC 2136 TXT add: zone section SOA/IN, one TXT/IN update', () => {
    const m = decodeMessage(txtUpdate(42, 'example.com', '_acme-challenge.example.com', 'token-value', 'add'));
    expect(m).toMatchObject({ id: 42, opcode: 5, questions: [{ name: 'example.com', type: TYPE.SOA, class: CLASS.IN }] });
    expect(m.authorities).toHaveLength(1);
    expect(m.authorities[0]).toMatchObject({ name: '_acme-challenge.example.com', type: TYPE.TXT, class: CLASS.IN, ttl: 60 });
    expect(decodeTxt(m.authorities[0]!.data)).toBe('token-value');
  });

  it('deletes one TXT value with class NONE and TTL 0 (RFC 2136 section 2.5.4)', () => {
    const m = decodeMessage(txtUpdate(1, 'example.com', '_acme-challenge.example.com', 'v', 'delete'));
    expect(m.authorities[0]).toMatchObject({ class: CLASS.NONE, ttl: 0 });
  });

  it('splits TXT values longer than 255 bytes into character-strings', () => {
    const long = 'x'.repeat(300);
    const data = encodeTxt(long);
    expect(data[0]).toBe(255);
    expect(decodeTxt(data)).toBe(long);
  });

  it('finds the zone from an SOA answer or authority record', () => {
    const response = encodeMessage({ id: 1, qr: true, opcode: 0, rcode: 3, questions: [], answers: [], authorities: [{ name: 'example.com', type: TYPE.SOA, class: CLASS.IN, ttl: 60, data: Buffer.alloc(22) }], additionals: [] });
    expect(zoneFromSoaResponse(decodeMessage(response))).toBe('example.com');
    expect(decodeMessage(soaQuery(7, '_acme-challenge.example.com')).questions[0]).toMatchObject({ type: TYPE.SOA });
  });
});

describe('TSIG', () => {
  const update = txtUpdate(99, 'example.com', '_acme-challenge.example.com', 'v', 'add');

  it('signs so that a verifier with the same key accepts', () => {
    const signed = signMessage(update, key, now);
    expect(decodeMessage(signed).additionals.at(-1)?.type).toBe(TYPE.TSIG);
    expect(verifyTsig(signed, key, now)).toBe('ok');
  });

  it('rejects a different secret', () => {
    expect(verifyTsig(signMessage(update, key, now), { ...key, secret: Buffer.from('other') }, now)).toBe('badsig');
  });

  it('rejects a modified message', () => {
    const signed = signMessage(update, key, now);
    const tampered = Buffer.from(signed);
    tampered[tampered.indexOf(Buffer.from('v')[0]!, 40)] = 'w'.charCodeAt(0);
    expect(verifyTsig(tampered, key, now)).toBe('badsig');
  });

  it('rejects a signature outside the fudge window', () => {
    expect(verifyTsig(signMessage(update, key, now), key, now + 301)).toBe('badtime');
  });

  it('reports an unsigned message', () => {
    expect(verifyTsig(update, key, now)).toBe('missing');
  });
});
