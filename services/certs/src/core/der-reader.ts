// Just enough DER (X.690) reading to pull the serial number and Authority Key Identifier out of a
// certificate for ARI; node:crypto's X509Certificate exposes neither as raw bytes.
import { CertsError, CertsErrorCodes } from '../errors.js';

export interface DerElement {
  readonly tag: number;
  /** The contents octets (without tag and length). */
  readonly value: Buffer;
  /** Offset just past this element in the buffer it was read from. */
  readonly end: number;
}

export class DerError extends CertsError {
  constructor(detail: string) {
    super(CertsErrorCodes.DER_MALFORMED, detail);
    this.name = 'DerError';
  }
}

export function readElement(buf: Buffer, offset: number): DerElement {
  const tag = buf[offset];
  let lengthByte = buf[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new DerError('truncated DER element');
  let cursor = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new DerError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = buf[cursor++];
      if (lengthByte === undefined) throw new DerError('truncated DER length');
      length = length * 256 + lengthByte;
    }
  }
  const end = cursor + length;
  if (end > buf.length) throw new DerError('DER element runs past the end');
  return { tag, value: buf.subarray(cursor, end), end };
}

/** The elements directly inside a constructed element's contents. */
export function readChildren(value: Buffer): DerElement[] {
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < value.length) {
    const child = readElement(value, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}
