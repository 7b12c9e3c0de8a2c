import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { parseHtpasswd, verifyPassword } from './htpasswd.js';

const sha = (password: string) => `{SHA}${createHash('sha1').update(password).digest('base64')}`;

describe('htpasswd', () => {
  it('verifies {SHA} and bcrypt entries and rejects wrong passwords', () => {
    const { users, problems } = parseHtpasswd(`alice:${sha('wonderland')}\nbob:${bcrypt.hashSync('builder', 4)}\n`);
    expect(problems).toEqual([]);
    expect(verifyPassword('wonderland', users.get('alice')!)).toBe(true);
    expect(verifyPassword('Wonderland', users.get('alice')!)).toBe(false);
    expect(verifyPassword('builder', users.get('bob')!)).toBe(true);
    expect(verifyPassword('builder ', users.get('bob')!)).toBe(false);
  });
  it('rejects plain-text, MD5 and crypt entries with the line number', () => {
    const { users, problems } = parseHtpasswd('carol:secret\ndave:$apr1$abc$def\n');
    expect(users.size).toBe(0);
    expect(problems).toEqual([expect.stringContaining('line 1'), expect.stringContaining('line 2')]);
  });
});
