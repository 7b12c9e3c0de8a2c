import { describe, expect, it } from 'vitest';
import type { CounterCheck, CounterResult, CounterStore } from './counter-store.js';
import { PerSecondSplitStore } from './per-second-split.js';

/** A store that answers each key's running count and records what it was asked. */
class RecordingStore implements CounterStore {
  readonly asked: string[][] = [];
  private readonly counts = new Map<string, number>();
  constructor(private readonly failWith?: Error) {}
  check(checks: readonly CounterCheck[]): Promise<CounterResult[]> {
    this.asked.push(checks.map((c) => c.key));
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(
      checks.map((c) => {
        const after = (this.counts.get(c.key) ?? 0) + c.hits;
        this.counts.set(c.key, after);
        return { algorithm: 'fixed_window' as const, after };
      }),
    );
  }
}

const check = (key: string, windowSeconds: number, hits = 1): CounterCheck => ({ algorithm: 'fixed_window', key, hits, limit: 10, windowSeconds, expireSeconds: windowSeconds, burst: 10 });

describe('PerSecondSplitStore', () => {
  it('sends one-second windows to the per-second store and the rest to the main one, answering in request order', async () => {
    const main = new RecordingStore();
    const perSecond = new RecordingStore();
    const store = new PerSecondSplitStore(main, perSecond);
    const results = await store.check([check('minute', 60, 2), check('second-a', 1, 3), check('hour', 3600, 4), check('second-b', 1, 5)]);
    expect(results).toEqual([2, 3, 4, 5].map((after) => ({ algorithm: 'fixed_window', after })));
    expect(main.asked).toEqual([['minute', 'hour']]);
    expect(perSecond.asked).toEqual([['second-a', 'second-b']]);
  });

  it('asks only one store when every check belongs to it', async () => {
    const main = new RecordingStore();
    const perSecond = new RecordingStore();
    const store = new PerSecondSplitStore(main, perSecond);
    await store.check([check('a', 60)]);
    await store.check([check('b', 1)]);
    expect(main.asked).toEqual([['a']]);
    expect(perSecond.asked).toEqual([['b']]);
  });

  it('fails the whole check when either store fails (the failure mode then applies)', async () => {
    const store = new PerSecondSplitStore(new RecordingStore(), new RecordingStore(new Error('per-second redis down')));
    await expect(store.check([check('a', 60), check('b', 1)])).rejects.toThrow('per-second redis down');
  });
});
