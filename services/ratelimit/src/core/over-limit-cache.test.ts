import { describe, expect, it } from 'vitest';
import { OverLimitCache } from './over-limit-cache.js';

describe('OverLimitCache', () => {
  it('remembers a key until its time, then forgets it', () => {
    const cache = new OverLimitCache({ maxKeys: 10 });
    cache.markOverLimit('k', 1_000);
    expect(cache.isOverLimit('k', 999)).toBe(true);
    expect(cache.isOverLimit('k', 1_000)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('stays within its size, evicting the oldest key first', () => {
    const cache = new OverLimitCache({ maxKeys: 2 });
    cache.markOverLimit('a', 10);
    cache.markOverLimit('b', 10);
    cache.markOverLimit('c', 10);
    expect(cache.size).toBe(2);
    expect(cache.isOverLimit('a', 0)).toBe(false);
    expect(cache.isOverLimit('c', 0)).toBe(true);
  });

  it('does nothing when disabled', () => {
    const cache = new OverLimitCache({ maxKeys: 0 });
    cache.markOverLimit('a', 10);
    expect(cache.isOverLimit('a', 0)).toBe(false);
  });
});
