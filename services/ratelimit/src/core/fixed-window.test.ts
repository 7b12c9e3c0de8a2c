import { describe, expect, it } from 'vitest';
import { fixedWindowOutcome, secondsUntilReset, windowStart } from './fixed-window.js';

describe('fixedWindowOutcome', () => {
  it('is within the limit up to and including the limit', () => {
    expect(fixedWindowOutcome(10, 10, 1, 0.8)).toEqual({ overLimit: false, remaining: 0, counts: { overLimit: 0, nearLimit: 1, withinLimit: 1 } });
    expect(fixedWindowOutcome(10, 11, 1, 0.8).overLimit).toBe(true);
  });

  it('counts only the hits past a threshold when a request crosses it', () => {
    // 6 -> 9 crosses the near threshold 8: one hit is near the limit.
    expect(fixedWindowOutcome(10, 9, 3, 0.8).counts).toEqual({ overLimit: 0, nearLimit: 1, withinLimit: 3 });
    // 9 -> 12 crosses the limit: 2 over, and 10 - max(8, 9) = 1 near.
    expect(fixedWindowOutcome(10, 12, 3, 0.8).counts).toEqual({ overLimit: 2, nearLimit: 1, withinLimit: 0 });
    // Already over before: every hit is over.
    expect(fixedWindowOutcome(10, 15, 3, 0.8).counts).toEqual({ overLimit: 3, nearLimit: 0, withinLimit: 0 });
  });

  it('treats a limit of 0 as always over', () => {
    expect(fixedWindowOutcome(0, 1, 1, 0.8).overLimit).toBe(true);
  });
});

describe('window arithmetic', () => {
  it('aligns windows to multiples of their length since the epoch, like the reference', () => {
    expect(windowStart(1_700_000_079, 60)).toBe(1_700_000_040);
    expect(windowStart(1_700_000_079, 30)).toBe(1_700_000_070);
    expect(secondsUntilReset(1_700_000_079, 60)).toBe(21);
  });
});
