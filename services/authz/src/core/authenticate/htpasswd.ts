// htpasswd-style password hashes: "{SHA}" (what Envoy's basic_auth accepts) and bcrypt ("$2y$", htpasswd -B).
// Plain-text, crypt(3) and MD5 ("$apr1$") entries are rejected at compile time: they are too weak to keep.
// {SHA} is kept for Envoy compatibility but is weak too: one unsalted SHA-1, so a leaked file falls to
// a GPU in hours; the README says to prefer bcrypt. SHA-1 is checked here, inline (microseconds);
// bcrypt costs tens of milliseconds and is verified off the event loop (adapters/bcrypt-pool).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Cost 14 is ~1 s of bcryptjs; each step doubles it. */
export const MAX_BCRYPT_COST = 14;

export type PasswordHash = { readonly scheme: 'sha1'; readonly digest: Buffer } | { readonly scheme: 'bcrypt'; readonly hash: string };

export interface HtpasswdParseResult {
  readonly users: Map<string, PasswordHash>;
  readonly problems: readonly string[];
}

export function parseHtpasswd(text: string): HtpasswdParseResult {
  const users = new Map<string, PasswordHash>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) return void problems.push(`line ${index + 1}: expected "user:hash"`);
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    const parsed = parsePasswordHash(hash);
    if (!parsed) return void problems.push(`line ${index + 1}: user "${user}" has an unsupported hash (use {SHA} or bcrypt)`);
    if (parsed.scheme === 'bcrypt' && bcryptCost(parsed.hash) > MAX_BCRYPT_COST) {
      return void problems.push(`line ${index + 1}: user "${user}" has bcrypt cost ${bcryptCost(parsed.hash)}; at most ${MAX_BCRYPT_COST} (a check would outlast Envoy's timeout and hold a hashing thread)`);
    }
    if (users.has(user)) return void problems.push(`line ${index + 1}: user "${user}" appears twice`);
    users.set(user, parsed);
  });
  return { users, problems };
}

function parsePasswordHash(hash: string): PasswordHash | undefined {
  if (hash.startsWith('{SHA}')) {
    const digest = Buffer.from(hash.slice(5), 'base64');
    return digest.length === 20 ? { scheme: 'sha1', digest } : undefined;
  }
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return { scheme: 'bcrypt', hash };
  return undefined;
}

/** A {SHA} entry (unsalted SHA-1), compared in constant time. */
export function verifySha1(password: string, digest: Buffer): boolean {
  return timingSafeEqual(createHash('sha1').update(password, 'utf8').digest(), digest);
}

/** The cost ("$2y$10$" -> 10) of a bcrypt hash. */
export function bcryptCost(hash: string): number {
  return Number(hash.slice(4, 6));
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * What an unknown user's password is checked against, so that the check costs what a known user's
 * does: a bcrypt hash (random salt and digest, matching no password anyone knows) at the cost most of
 * the file's users have, or a {SHA} entry when no user has bcrypt. With mixed schemes or costs, the
 * users outside the majority are told apart by timing (README, Known limits).
 */
export function dummyHashFor(users: ReadonlyMap<string, PasswordHash>): PasswordHash {
  const costs = new Map<number, number>();
  for (const hash of users.values()) if (hash.scheme === 'bcrypt') costs.set(bcryptCost(hash.hash), (costs.get(bcryptCost(hash.hash)) ?? 0) + 1);
  const sha1Users = [...users.values()].filter((h) => h.scheme === 'sha1').length;
  let cost = 0;
  let count = 0;
  for (const [c, n] of costs) if (n > count || (n === count && c > cost)) [cost, count] = [c, n];
  if (count === 0 || sha1Users > count) return { scheme: 'sha1', digest: randomBytes(20) };
  const tail = [...randomBytes(53)].map((b) => BCRYPT_ALPHABET[b % 64]).join('');
  return { scheme: 'bcrypt', hash: `$2b$${String(cost).padStart(2, '0')}$${tail}` };
}
