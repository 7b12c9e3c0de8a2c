// A small MaxMind DB (MMDB v2) writer for tests, written from the public format spec
// (maxmind.github.io/MaxMind-DB): a binary search tree over the address bits, whose records point to
// nodes, to "no data" (the node count) or into the data section (node count + 16 + offset); 16 zero
// bytes; the data section; "\xAB\xCD\xEFMaxMind.com"; the metadata map. No npm package ships test
// databases or a writer, and the geo rules must be tested against real files read by mmdb-lib.
// Not for production: no pointers (values are written inline), later networks overwrite earlier ones.
import { isIPv4, isIPv6 } from 'node:net';

export type MmdbValue = string | number | boolean | { readonly uint64: bigint } | { readonly double: number } | readonly MmdbValue[] | { readonly [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** "81.0.0.0/16" or "2001:db8::/32". */
  readonly network: string;
  readonly data: { readonly [key: string]: MmdbValue };
}

export interface MmdbOptions {
  /** `database_type`, e.g. "GeoLite2-City", "GeoLite2-ASN", "GeoIP2-ISP", "GeoIP2-Anonymous-IP". */
  readonly databaseType: string;
  readonly networks: readonly MmdbNetwork[];
  /** 24, 28 or 32 bits per record (default 28, the size MaxMind's City databases use). */
  readonly recordSize?: 24 | 28 | 32;
  /** 6 (default): IPv4 networks live at ::a.b.c.d, as in MaxMind's files; 4: an IPv4-only tree. */
  readonly ipVersion?: 4 | 6;
  /** build_epoch in seconds (default 2026-01-01). */
  readonly buildEpoch?: number;
}

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'latin1')]);

/** One MMDB file's bytes for these networks. */
export function writeMmdb(options: MmdbOptions): Buffer {
  const recordSize = options.recordSize ?? 28;
  const ipVersion = options.ipVersion ?? 6;
  const data: Buffer[] = [];
  let dataLength = 0;
  const tree = new Tree();
  for (const { network, data: value } of options.networks) {
    const encoded = encode(value);
    tree.insert(networkBits(network, ipVersion), { offset: dataLength });
    data.push(encoded);
    dataLength += encoded.length;
  }
  const nodeCount = tree.nodes.length;
  if (nodeCount + 16 + dataLength >= 2 ** recordSize) throw new Error(`${recordSize}-bit records cannot address ${nodeCount} nodes and ${dataLength} data bytes`);
  const recordValue = (record: TreeRecord): number => (record === undefined ? nodeCount : typeof record === 'number' ? record : nodeCount + 16 + record.offset);
  const nodeBytes = recordSize / 4;
  const treeBytes = Buffer.alloc(nodeCount * nodeBytes);
  tree.nodes.forEach((node, index) => writeNode(treeBytes, index * nodeBytes, recordSize, recordValue(node[0]), recordValue(node[1])));
  const metadata = encode({
    node_count: nodeCount,
    record_size: recordSize,
    ip_version: ipVersion,
    database_type: options.databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: { uint64: BigInt(options.buildEpoch ?? 1_767_225_600) },
    description: { en: `${options.databaseType} test database (Gatehouse)` },
  });
  return Buffer.concat([treeBytes, Buffer.alloc(16), ...data, METADATA_MARKER, metadata]);
}

type TreeRecord = number | { readonly offset: number } | undefined;

/** The search tree: node 0 is the root; each node holds its left (bit 0) and right (bit 1) records. */
class Tree {
  readonly nodes: [TreeRecord, TreeRecord][] = [[undefined, undefined]];

  insert(bits: readonly (0 | 1)[], value: { readonly offset: number }): void {
    if (bits.length === 0) throw new Error('a /0 network cannot be stored');
    let node = 0;
    for (let depth = 0; depth < bits.length - 1; depth++) {
      const bit = bits[depth]!;
      const record = this.nodes[node]![bit];
      if (typeof record === 'number') {
        node = record;
        continue;
      }
      // Empty, or a wider network's data: a new node, inheriting that data on both sides.
      const child = this.nodes.push([record, record]) - 1;
      this.nodes[node]![bit] = child;
      node = child;
    }
    this.nodes[node]![bits[bits.length - 1]!] = value;
  }
}

function writeNode(buffer: Buffer, offset: number, recordSize: number, left: number, right: number): void {
  switch (recordSize) {
    case 24:
      buffer.writeUIntBE(left, offset, 3);
      buffer.writeUIntBE(right, offset + 3, 3);
      return;
    case 28:
      // The middle byte holds the top nibble of each record: left's in its high half, right's in its low.
      buffer.writeUIntBE(left & 0xffffff, offset, 3);
      buffer[offset + 3] = ((left >>> 24) << 4) | (right >>> 24);
      buffer.writeUIntBE(right & 0xffffff, offset + 4, 3);
      return;
    default:
      buffer.writeUInt32BE(left, offset);
      buffer.writeUInt32BE(right, offset + 4);
  }
}

/** The network's prefix bits in the tree: IPv4 under 96 zero bits in an IPv6 tree. */
function networkBits(network: string, ipVersion: 4 | 6): (0 | 1)[] {
  const [address = '', lengthText = ''] = network.split('/');
  const prefix = Number(lengthText);
  let bytes: number[];
  let offset = 0;
  if (isIPv4(address)) {
    bytes = address.split('.').map(Number);
    if (ipVersion === 6) offset = 96;
  } else if (isIPv6(address)) {
    if (ipVersion === 4) throw new Error(`${network}: an IPv6 network in an IPv4 tree`);
    bytes = ipv6Bytes(address);
  } else {
    throw new Error(`${network}: not a network`);
  }
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > bytes.length * 8) throw new Error(`${network}: bad prefix length`);
  const bits: (0 | 1)[] = new Array<0 | 1>(offset).fill(0);
  for (let i = 0; i < prefix; i++) bits.push(((bytes[i >> 3]! >> (7 - (i & 7))) & 1) as 0 | 1);
  return bits;
}

function ipv6Bytes(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

// Data section types (the spec's numbers).
const POINTERLESS = { string: 2, double: 3, uint16: 5, uint32: 6, map: 7, int32: 8, uint64: 9, array: 11, boolean: 14 } as const;

/** One value in the data section's encoding: control byte(s), then the payload. */
function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(POINTERLESS.string, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(POINTERLESS.boolean, value ? 1 : 0);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return encode({ double: value });
    if (value < 0) {
      const bytes = Buffer.alloc(4);
      bytes.writeInt32BE(value);
      return Buffer.concat([control(POINTERLESS.int32, 4), bytes]);
    }
    const bytes = minimalBytes(BigInt(value));
    if (bytes.length > 4) return encode({ uint64: BigInt(value) });
    return Buffer.concat([control(value <= 0xffff ? POINTERLESS.uint16 : POINTERLESS.uint32, bytes.length), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(POINTERLESS.array, value.length), ...value.map(encode)]);
  const object = value as Readonly<Record<string, unknown>>;
  if (typeof object.uint64 === 'bigint' && Object.keys(object).length === 1) {
    const bytes = minimalBytes(object.uint64);
    return Buffer.concat([control(POINTERLESS.uint64, bytes.length), bytes]);
  }
  if (typeof object.double === 'number' && Object.keys(object).length === 1) {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(object.double);
    return Buffer.concat([control(POINTERLESS.double, 8), bytes]);
  }
  const entries = Object.entries(object);
  return Buffer.concat([control(POINTERLESS.map, entries.length), ...entries.flatMap(([key, v]) => [encode(key), encode(v as MmdbValue)])]);
}

/** Big-endian bytes without leading zeros (zero is no bytes). */
function minimalBytes(value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.from(bytes);
}

/** The control byte: 3 type bits (0 then an extra byte for types above 7) and 5 size bits (29–31 add size bytes). */
function control(type: number, size: number): Buffer {
  const typeBits = type <= 7 ? type << 5 : 0;
  const extended = type <= 7 ? [] : [type - 7];
  let sizeBits: number;
  let sizeBytes: number[];
  if (size < 29) {
    sizeBits = size;
    sizeBytes = [];
  } else if (size < 29 + 256) {
    sizeBits = 29;
    sizeBytes = [size - 29];
  } else if (size < 285 + 65_536) {
    sizeBits = 30;
    sizeBytes = [(size - 285) >> 8, (size - 285) & 0xff];
  } else {
    sizeBits = 31;
    const rest = size - 65_821;
    sizeBytes = [(rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff];
  }
  return Buffer.from([typeBits | sizeBits, ...extended, ...sizeBytes]);
}

/** City-database record as MaxMind's GeoIP2/GeoLite2 City shapes it (the fields Envoy reads). */
export function cityRecord(country: string, region?: string, city?: string): { [key: string]: MmdbValue } {
  return {
    country: { iso_code: country, names: { en: country } },
    ...(region && { subdivisions: [{ iso_code: region, names: { en: region } }] }),
    ...(city && { city: { names: { en: city } } }),
  };
}
