import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { bcryptCost, dummyHashFor, parseHtpasswd, verifySha1, type PasswordHash } from './htpasswd.js';

const sha = (password: string) => `{SHA}${createHash('sha1').update(password).digest('base64')}`;

describe('htpasswd', () => {
  it('parses {SHA} and bcrypt entries, and verifies {SHA} ones (bcrypt: adapters/bcrypt-pool.test.ts)', () => {
    const bobHash = bcrypt.hashSync('builder', 4);
    const { users, problems } = parseHtpasswd(`alice:${sha('wonderland')}\nbob:${bobHash}\n`);
    expect(problems).toEqual([]);
    const alice = users.get('alice')! as Extract<PasswordHash, { scheme: 'sha1' }>;
    expect(verifySha1('wonderland', alice.digest)).toBe(true);
    expect(verifySha1('Wonderland', alice.digest)).toBe(false);
    expect(users.get('bob')).toEqual({ scheme: 'bcrypt', hash: bobHash });
  });
  it('picks a dummy hash for unknown users at the cost most users have', () => {
    const bcryptUsers = parseHtpasswd(`a:${bcrypt.hashSync('x', 5)}\nb:${bcrypt.hashSync('y', 5)}\nc:${bcrypt.hashSync('z', 4)}\nd:${sha('w')}\n`).users;
    const dummy = dummyHashFor(bcryptUsers);
    expect(dummy.scheme).toBe('bcrypt');
    expect(dummy.scheme === 'bcrypt' && bcryptCost(dummy.hash)).toBe(5);
    expect(dummy.scheme === 'bcrypt' && /^\$2b\$05\$[./A-Za-z0-9]{53}$/.test(dummy.hash)).toBe(true);
    expect(dummyHashFor(parseHtpasswd(`a:${sha('x')}\n`).users).scheme).toBe('sha1');
    expect(dummyHashFor(new Map()).scheme).toBe('sha1');
  });
  it('rejects bcrypt costs over 14 (one check would hold a hashing thread past Envoy\'s timeout)', () => {
    const slow = bcrypt.hashSync('x', 4).replace(/^\$2b\$04\$/, '$2b$20$');
    const { users, problems } = parseHtpasswd(`ok:${bcrypt.hashSync('x', 4)}\nslow:${slow}\n`);
    expect([...users.keys()]).toEqual(['ok']);
    expect(problems).toEqual([expect.stringContaining('line 2: user "slow" has bcrypt cost 20')]);
  });
  it('rejects plain-text, MD5 and crypt entries with the line number', () => {
    const { users, problems } = parseHtpasswd('carol:secret\ndave:$apr1$abc$def\n');
    expect(users.size).toBe(0);
    expect(problems).toEqual([expect.stringContaining('line 1'), expect.stringContaining('line 2')]);
  });
});
