// htpasswd-style password hashes: "{SHA}" (what Envoy's basic_auth accepts) and bcrypt ("$2y$", htpasswd -B).
// Plain-text, crypt(3) and MD5 ("$apr1$") entries are rejected at compile time: they are too weak to keep.
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

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

export function verifyPassword(password: string, hash: PasswordHash): boolean {
  if (hash.scheme === 'sha1') {
    const digest = createHash('sha1').update(password, 'utf8').digest();
    return timingSafeEqual(digest, hash.digest);
  }
  return bcrypt.compareSync(password, hash.hash);
}
