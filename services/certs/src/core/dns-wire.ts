// DNS wire format (RFC 1035) for what RFC 2136 dynamic updates need: SOA queries to find the zone,
// UPDATE messages adding/removing one TXT value, and TSIG (RFC 8945) signatures. Pure byte work.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CertsError, CertsErrorCodes } from '../errors.js';

export const TYPE = { A: 1, SOA: 6, TXT: 16, TSIG: 250 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE = { QUERY: 0, UPDATE: 5 } as const;
export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: Buffer;
}

export interface DnsMessage {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly tc?: boolean;
  readonly rcode: number;
  /** Question section (the zone section in an UPDATE). */
  readonly questions: readonly Question[];
  /** Answer section (prerequisites in an UPDATE). */
  readonly answers: readonly ResourceRecord[];
  /** Authority section (the updates in an UPDATE). */
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}

/** Lowercase, without the trailing dot. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export function encodeName(name: string): Buffer {
  const labels = canonicalName(name).split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new Error(`DNS label too long: ${label}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function encodeRecord(rr: ResourceRecord): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(rr.type, 0);
  head.writeUInt16BE(rr.class, 2);
  head.writeUInt32BE(rr.ttl, 4);
  head.writeUInt16BE(rr.data.length, 8);
  return Buffer.concat([encodeName(rr.name), head, rr.data]);
}

export function encodeMessage(m: DnsMessage): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(m.id, 0);
  header.writeUInt16BE((m.qr ? 0x8000 : 0) | ((m.opcode & 0xf) << 11) | (m.tc ? 0x0200 : 0) | (m.rcode & 0xf), 2);
  header.writeUInt16BE(m.questions.length, 4);
  header.writeUInt16BE(m.answers.length, 6);
  header.writeUInt16BE(m.authorities.length, 8);
  header.writeUInt16BE(m.additionals.length, 10);
  return Buffer.concat([
    header,
    ...m.questions.map((q) => Buffer.concat([encodeName(q.name), u16(q.type), u16(q.class)])),
    ...m.answers.map(encodeRecord),
    ...m.authorities.map(encodeRecord),
    ...m.additionals.map(encodeRecord),
  ]);
}

/** TXT RDATA: the value split into <=255-byte character-strings. */
export function encodeTxt(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(parts);
}

export function decodeTxt(data: Buffer): string {
  let out = '';
  for (let i = 0; i < data.length; ) {
    const len = data[i] ?? 0;
    out += data.subarray(i + 1, i + 1 + len).toString('utf8');
    i += 1 + len;
  }
  return out;
}

export class DnsDecodeError extends CertsError {
  constructor(detail: string) {
    super(CertsErrorCodes.DNS_MALFORMED, detail);
    this.name = 'DnsDecodeError';
  }
}

function decodeName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let cursor = offset;
  let end = -1;
  for (let jumps = 0; jumps < 64; ) {
    const len = buf[cursor];
    if (len === undefined) throw new DnsDecodeError('name runs past the end');
    if ((len & 0xc0) === 0xc0) {
      const next = buf[cursor + 1];
      if (next === undefined) throw new DnsDecodeError('truncated pointer');
      if (end < 0) end = cursor + 2;
      cursor = ((len & 0x3f) << 8) | next;
      jumps++;
      continue;
    }
    if (len === 0) {
      if (end < 0) end = cursor + 1;
      return { name: labels.join('.'), end };
    }
    labels.push(buf.subarray(cursor + 1, cursor + 1 + len).toString('ascii'));
    cursor += 1 + len;
  }
  throw new DnsDecodeError('too many compression pointers');
}

/** Decodes a message. Record data is kept raw, except that names inside SOA data are not expanded. */
export function decodeMessage(buf: Buffer): DnsMessage & { readonly rawRecordOffsets: { additionalsStart: number } } {
  if (buf.length < 12) throw new DnsDecodeError('shorter than a DNS header');
  const flags = buf.readUInt16BE(2);
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)] as const;
  let offset = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const { name, end } = decodeName(buf, offset);
    if (end + 4 > buf.length) throw new DnsDecodeError('truncated question');
    questions.push({ name, type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2) });
    offset = end + 4;
  }
  const readRecords = (count: number): ResourceRecord[] => {
    const records: ResourceRecord[] = [];
    for (let i = 0; i < count; i++) {
      const { name, end } = decodeName(buf, offset);
      if (end + 10 > buf.length) throw new DnsDecodeError('truncated record');
      const length = buf.readUInt16BE(end + 8);
      if (end + 10 + length > buf.length) throw new DnsDecodeError('record data runs past the end');
      records.push({ name, type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2), ttl: buf.readUInt32BE(end + 4), data: buf.subarray(end + 10, end + 10 + length) });
      offset = end + 10 + length;
    }
    return records;
  };
  const answers = readRecords(counts[1]);
  const authorities = readRecords(counts[2]);
  const additionalsStart = offset;
  const additionals = readRecords(counts[3]);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    tc: (flags & 0x0200) !== 0,
    rcode: flags & 0xf,
    questions,
    answers,
    authorities,
    additionals,
    rawRecordOffsets: { additionalsStart },
  };
}

// --- TSIG (RFC 8945) ------------------------------------------------------------------------

const TSIG_ALGORITHMS: Record<string, { wireName: string; hash: string }> = {
  HMACMD5: { wireName: 'hmac-md5.sig-alg.reg.int', hash: 'md5' },
  HMACSHA1: { wireName: 'hmac-sha1', hash: 'sha1' },
  HMACSHA256: { wireName: 'hmac-sha256', hash: 'sha256' },
  HMACSHA384: { wireName: 'hmac-sha384', hash: 'sha384' },
  HMACSHA512: { wireName: 'hmac-sha512', hash: 'sha512' },
};

export interface TsigKey {
  readonly name: string;
  /** cert-manager spelling: HMACSHA256 etc. */
  readonly algorithm: string;
  readonly secret: Buffer;
}

function tsigAlgorithm(name: string): { wireName: string; hash: string } {
  const algorithm = TSIG_ALGORITHMS[name.toUpperCase().replace(/[-.]/g, '')];
  if (!algorithm) throw new CertsError(CertsErrorCodes.TSIG_ALGORITHM_UNSUPPORTED, `${name} (use one of ${Object.keys(TSIG_ALGORITHMS).join(', ')})`);
  return algorithm;
}

function time48(seconds: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(seconds, 0, 6);
  return b;
}

/** The TSIG variables that are MACed after the message (RFC 8945 section 4.3.3). */
function tsigVariables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  const algorithm = tsigAlgorithm(key.algorithm);
  return Buffer.concat([encodeName(key.name), u16(CLASS.ANY), Buffer.alloc(4), encodeName(algorithm.wireName), time48(timeSigned), u16(fudge), u16(error), u16(other.length), other]);
}

/** Appends a TSIG record to an encoded message (its ADCOUNT is incremented). */
export function signMessage(message: Buffer, key: TsigKey, nowSeconds: number, fudge = 300): Buffer {
  const algorithm = tsigAlgorithm(key.algorithm);
  const mac = createHmac(algorithm.hash, key.secret).update(message).update(tsigVariables(key, nowSeconds, fudge, 0, Buffer.alloc(0))).digest();
  const originalId = message.readUInt16BE(0);
  const rdata = Buffer.concat([encodeName(algorithm.wireName), time48(nowSeconds), u16(fudge), u16(mac.length), mac, u16(originalId), u16(0), u16(0)]);
  const signed = Buffer.concat([message, encodeRecord({ name: key.name, type: TYPE.TSIG, class: CLASS.ANY, ttl: 0, data: rdata })]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return signed;
}

/** Verifies the TSIG record that ends `signed` (used by test DNS servers and response checks). */
export function verifyTsig(signed: Buffer, key: TsigKey, nowSeconds: number): 'ok' | 'missing' | 'badkey' | 'badsig' | 'badtime' {
  const decoded = decodeMessage(signed);
  const tsig = decoded.additionals[decoded.additionals.length - 1];
  if (!tsig || tsig.type !== TYPE.TSIG) return 'missing';
  if (canonicalName(tsig.name) !== canonicalName(key.name)) return 'badkey';
  const { name: algName, end } = decodeName(tsig.data, 0);
  if (canonicalName(algName) !== tsigAlgorithm(key.algorithm).wireName) return 'badkey';
  const timeSigned = tsig.data.readUIntBE(end, 6);
  const fudge = tsig.data.readUInt16BE(end + 6);
  const macLength = tsig.data.readUInt16BE(end + 8);
  const mac = tsig.data.subarray(end + 10, end + 10 + macLength);
  const rest = end + 10 + macLength;
  const originalId = tsig.data.readUInt16BE(rest);
  const error = tsig.data.readUInt16BE(rest + 2);
  const otherLength = tsig.data.readUInt16BE(rest + 4);
  const other = tsig.data.subarray(rest + 6, rest + 6 + otherLength);
  // The MAC covers the message as it was before the TSIG record: original ID, ADCOUNT - 1.
  const unsigned = Buffer.from(signed.subarray(0, findLastRecordStart(signed, decoded)));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(decoded.additionals.length - 1, 10);
  const expected = createHmac(tsigAlgorithm(key.algorithm).hash, key.secret).update(unsigned).update(tsigVariables(key, timeSigned, fudge, error, other)).digest();
  if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) return 'badsig';
  if (Math.abs(nowSeconds - timeSigned) > fudge) return 'badtime';
  return 'ok';
}

function findLastRecordStart(buf: Buffer, decoded: ReturnType<typeof decodeMessage>): number {
  // Walk the additional section again to find where its last record starts.
  let offset = decoded.rawRecordOffsets.additionalsStart;
  let start = offset;
  for (let i = 0; i < decoded.additionals.length; i++) {
    start = offset;
    const { end } = decodeName(buf, offset);
    offset = end + 10 + buf.readUInt16BE(end + 8);
  }
  return start;
}

// --- The two messages the RFC 2136 provider sends -------------------------------------------

export function soaQuery(id: number, name: string): Buffer {
  return encodeMessage({ id, qr: false, opcode: OPCODE.QUERY, rcode: 0, questions: [{ name, type: TYPE.SOA, class: CLASS.IN }], answers: [], authorities: [], additionals: [] });
}

/** The zone a name lives in, from an SOA response (answer, or the authority section's SOA). */
export function zoneFromSoaResponse(response: DnsMessage): string | undefined {
  const soa = [...response.answers, ...response.authorities].find((rr) => rr.type === TYPE.SOA);
  return soa ? canonicalName(soa.name) : undefined;
}

export function txtUpdate(id: number, zone: string, fqdn: string, value: string, action: 'add' | 'delete', ttl = 60): Buffer {
  const record: ResourceRecord =
    action === 'add'
      ? { name: fqdn, type: TYPE.TXT, class: CLASS.IN, ttl, data: encodeTxt(value) }
      : { name: fqdn, type: TYPE.TXT, class: CLASS.NONE, ttl: 0, data: encodeTxt(value) };
  return encodeMessage({ id, qr: false, opcode: OPCODE.UPDATE, rcode: 0, questions: [{ name: zone, type: TYPE.SOA, class: CLASS.IN }], answers: [], authorities: [record], additionals: [] });
}
