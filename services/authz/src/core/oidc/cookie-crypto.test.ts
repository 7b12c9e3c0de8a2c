import { describe, expect, it } from 'vitest';
import { createCookieSealer } from './cookie-crypto.js';

const sealer = createCookieSealer('x'.repeat(32));

describe('cookie sealing', () => {
  it('round-trips and never produces the same ciphertext twice', () => {
    const a = sealer.seal('__Host-s', 'session-id');
    expect(sealer.open('__Host-s', a)).toBe('session-id');
    expect(sealer.seal('__Host-s', 'session-id')).not.toBe(a);
  });
  it('rejects tampering, another cookie name and another key', () => {
    const sealed = sealer.seal('__Host-s', 'session-id');
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[14]! ^= 1;
    expect(sealer.open('__Host-s', flipped.toString('base64url'))).toBeUndefined();
    expect(sealer.open('__Host-login', sealed)).toBeUndefined();
    expect(createCookieSealer('y'.repeat(32)).open('__Host-s', sealed)).toBeUndefined();
    expect(sealer.open('__Host-s', 'garbage!')).toBeUndefined();
  });
  it('refuses short secrets', () => {
    expect(() => createCookieSealer('short')).toThrow(/32 bytes/);
  });
});
