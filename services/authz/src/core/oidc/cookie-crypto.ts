// Authenticated encryption of cookie values (AES-256-GCM), bound to the cookie name so one sealed value
// cannot be replayed as another cookie. Keys are derived with HKDF from the operator's secret.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface CookieSealer {
  seal(cookieName: string, plaintext: string): string;
  /** Undefined for anything tampered, truncated, or sealed under another key or name. */
  open(cookieName: string, sealed: string): string | undefined;
}

export function createCookieSealer(secret: string | Buffer): CookieSealer {
  const material = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (material.length < 32) throw new Error('the cookie secret must be at least 32 bytes');
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'gatehouse-authz cookie v1', 32));
  return {
    seal(cookieName, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(cookieName, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(cookieName, sealed) {
      if (sealed.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return undefined;
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 12 + 16 + 1) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(cookieName, 'utf8'));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
