// Test helper: the session record behind a browser's cookie jar, read and written as the session store
// does (a sealed envelope under the test control key, the session id as associated data), so tests can
// age a session, or play an attacker who edits or moves records without the key.
import { createHash } from 'node:crypto';
import { openJson, sealJson, SealedUses } from '@gatehouse/contracts';
import { testControlKeyring } from '@gatehouse/kit/testing';
import type { Redis } from 'ioredis';
import { createCookieSealer } from '../core/oidc/cookie-crypto.js';
import type { CookieJar } from './cookie-jar.js';

/** The session id the jar's session cookie carries (the cookie is sealed with AUTHZ_COOKIE_SECRET). */
export function sessionIdOf(jar: CookieJar, cookieSecret: string): string {
  const sealer = createCookieSealer(cookieSecret);
  for (const [name, value] of jar.cookies) {
    if (!name.startsWith('__Host-gh-session-')) continue;
    const id = sealer.open(name, value);
    if (id) return id;
  }
  throw new Error('the jar holds no session cookie');
}

/** The Redis key of a session record (the store keys by SHA-256 of the id). */
export function sessionKey(sessionId: string, prefix = 'gatehouse:authz:'): string {
  return `${prefix}session:${createHash('sha256').update(sessionId, 'utf8').digest('base64url')}`;
}

/** Rewrites the session as a key holder would (keeping its TTL). */
export async function rewriteSessionRecord(redis: Redis, sessionId: string, change: (session: Record<string, unknown>) => void): Promise<void> {
  const key = sessionKey(sessionId);
  const session = openJson<Record<string, unknown>>(testControlKeyring, SealedUses.session('session', sessionId), await redis.getBuffer(key));
  change(session);
  await redis.set(key, sealJson(testControlKeyring, SealedUses.session('session', sessionId), session), 'KEEPTTL');
}
