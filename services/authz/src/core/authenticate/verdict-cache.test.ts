import { describe, expect, it } from 'vitest';
import { VerdictCache } from './verdict-cache.js';

describe('VerdictCache', () => {
  it('returns a verdict until its expiry and never after', () => {
    const cache = new VerdictCache<string>(10);
    cache.set('t', 'ok', 2_000, 1_000);
    expect(cache.get('t', 1_999)).toBe('ok');
    expect(cache.get('t', 2_000)).toBeUndefined();
  });
  it('stays within its bound, evicting the oldest entries', () => {
    const cache = new VerdictCache<number>(3);
    for (let i = 0; i < 10; i++) cache.set(`t${i}`, i, 10_000, 0);
    expect(cache.size).toBe(3);
    expect(cache.get('t0', 1)).toBeUndefined();
    expect(cache.get('t9', 1)).toBe(9);
  });
  it('caches nothing when disabled or already expired', () => {
    const cache = new VerdictCache<number>(0);
    cache.set('t', 1, 10_000, 0);
    expect(cache.get('t', 1)).toBeUndefined();
    const live = new VerdictCache<number>(5);
    live.set('t', 1, 100, 100);
    expect(live.size).toBe(0);
  });
});
