// Certificate serial numbers: 128 random bits, positive (high bit clear), as hex.
export function randomSerialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive, and no leading zero byte to strip
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
