// How full the fullest sliding window of a series of call times was: what a CA's "N requests per
// window" limit looks at. Used to check the call limiter (tests, bench).

export interface BusiestWindow {
  /** The most calls inside any window [start, start + windowMs). */
  readonly count: number;
  /** Where that window starts (the first call in it); undefined for no calls. */
  readonly start?: number;
}

export function busiestWindow(times: readonly number[], windowMs: number): BusiestWindow {
  const sorted = [...times].sort((a, b) => a - b);
  let best: BusiestWindow = { count: 0 };
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    if (last - first + 1 > best.count) best = { count: last - first + 1, start: sorted[first] as number };
  }
  return best;
}
