// The reference's REDIS_PERSECOND: per-second limits churn through keys fastest, so they may live in
// a Redis of their own. Routes each check of a request by its window and merges the answers back in
// request order; the two stores are asked in parallel (still one round trip for the request).
import type { CounterCheck, CounterResult, CounterStore } from './counter-store.js';

export class PerSecondSplitStore implements CounterStore {
  constructor(
    private readonly main: CounterStore,
    private readonly perSecond: CounterStore,
  ) {}

  /** A check whose window is one second (unit `second`) goes to the per-second store. */
  static isPerSecond(check: CounterCheck): boolean {
    return check.windowSeconds === 1;
  }

  check(checks: readonly CounterCheck[]): Promise<CounterResult[]> {
    const perSecondIndexes: number[] = [];
    const mainIndexes: number[] = [];
    for (let i = 0; i < checks.length; i++) (PerSecondSplitStore.isPerSecond(checks[i]!) ? perSecondIndexes : mainIndexes).push(i);
    if (perSecondIndexes.length === 0) return this.main.check(checks);
    if (mainIndexes.length === 0) return this.perSecond.check(checks);
    const pick = (indexes: number[]) => indexes.map((i) => checks[i]!);
    return Promise.all([this.main.check(pick(mainIndexes)), this.perSecond.check(pick(perSecondIndexes))]).then(([fromMain, fromPerSecond]) => {
      const results = new Array<CounterResult>(checks.length);
      mainIndexes.forEach((index, j) => (results[index] = fromMain[j]!));
      perSecondIndexes.forEach((index, j) => (results[index] = fromPerSecond[j]!));
      return results;
    });
  }
}
