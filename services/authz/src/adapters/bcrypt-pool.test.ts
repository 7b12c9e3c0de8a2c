// The bcrypt thread pool on its own: answers match bcryptjs, malformed hashes are a mismatch (never a
// thrown error), the cap refuses synchronously, and a closed pool refuses and fails what waited.
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BcryptPool } from './bcrypt-pool.js';

const pools: BcryptPool[] = [];
const pool = (options: ConstructorParameters<typeof BcryptPool>[0] = {}): BcryptPool => {
  const created = new BcryptPool(options);
  pools.push(created);
  return created;
};

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('BcryptPool', () => {
  it('verifies bcrypt hashes in worker threads', async () => {
    const hash = bcrypt.hashSync('builder', 4);
    const p = pool({ threads: 2 });
    expect(await p.verify('builder', hash)).toBe(true);
    expect(await p.verify('builder ', hash)).toBe(false);
    expect(await p.verify('builder', '$2b$04$not-a-valid-hash')).toBe(false);
    expect(p.completed).toBe(3);
  });

  it('refuses beyond threads + maxQueued, synchronously', async () => {
    const hash = bcrypt.hashSync('x', 4);
    const p = pool({ threads: 1, maxQueued: 2 });
    const accepted = [p.verify('x', hash), p.verify('x', hash), p.verify('y', hash)];
    expect(p.verify('x', hash)).toBe('busy');
    expect(await Promise.all(accepted)).toEqual([true, true, false]);
    expect(p.pending).toBe(0);
  });

  it('a closed pool refuses; queued checks fail instead of hanging', async () => {
    const hash = bcrypt.hashSync('x', 4);
    const p = new BcryptPool({ threads: 1, maxQueued: 4 });
    const running = p.verify('x', hash) as Promise<boolean>;
    const queued = p.verify('x', hash) as Promise<boolean>;
    const closing = p.close();
    await expect(queued).rejects.toThrow();
    await running.catch(() => undefined);
    await closing;
    expect(p.verify('x', hash)).toBe('busy');
  });
});
