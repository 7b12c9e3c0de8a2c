// backendOrder: which backend a remoteJWKS or OIDC provider fetch tries first, and where it fails over to,
// with a seeded random source so each draw is known.
import { describe, expect, it } from 'vitest';
import { backendOrder, type Random } from './backend-order.js';

/** mulberry32: a small seeded generator, so a thousand draws repeat exactly. */
function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b = (name: string, weight: number, fallback = false) => ({ name, weight, fallback });
const names = (list: ReadonlyArray<{ name: string }>) => list.map((x) => x.name);

describe('backendOrder', () => {
  it('tries a primary first, the other primaries next, the fallbacks last', () => {
    const random = seeded(1);
    for (let i = 0; i < 50; i += 1) {
      const order = names(backendOrder([b('fb', 5, true), b('p1', 1), b('p2', 1)], random));
      expect(order.slice(0, 2).sort()).toEqual(['p1', 'p2']);
      expect(order[2]).toBe('fb');
    }
  });
  it('never picks a backend of weight 0, primary or fallback', () => {
    expect(names(backendOrder([b('zero', 0), b('p', 1), b('fzero', 0, true), b('f', 2, true)], seeded(2)))).toEqual(['p', 'f']);
    expect(backendOrder([b('zero', 0)], seeded(3))).toEqual([]);
  });
  it('picks the first primary in proportion to its weight', () => {
    const random = seeded(42);
    const first: Record<string, number> = { heavy: 0, light: 0 };
    for (let i = 0; i < 4000; i += 1) first[backendOrder([b('light', 1), b('heavy', 3)], random)[0]!.name]! += 1;
    // 3:1 expected; the seeded draw gives a fixed count, well inside these bounds.
    expect(first.heavy! / 4000).toBeGreaterThan(0.7);
    expect(first.heavy! / 4000).toBeLessThan(0.8);
  });
  it('draws by the random source: 0 takes the first listed, just under 1 the last', () => {
    expect(names(backendOrder([b('a', 1), b('b', 1), b('c', 1)], () => 0))).toEqual(['a', 'b', 'c']);
    expect(names(backendOrder([b('a', 1), b('b', 1), b('c', 1)], () => 0.999))).toEqual(['c', 'b', 'a']);
  });
  it('uses the fallbacks alone when no backend is primary', () => {
    expect(names(backendOrder([b('f1', 1, true), b('f2', 1, true)], () => 0))).toEqual(['f1', 'f2']);
  });
});
