import { describe, expect, it } from 'vitest';
import { busiestWindow } from './busiest-window.js';

describe('busiestWindow', () => {
  it('is empty for no calls', () => {
    expect(busiestWindow([], 1000)).toEqual({ count: 0 });
  });

  it('counts calls less than a window apart together', () => {
    expect(busiestWindow([0, 999], 1000)).toEqual({ count: 2, start: 0 });
  });

  it('does not count a call exactly one window later into the same window', () => {
    expect(busiestWindow([0, 1000, 2000], 1000)).toEqual({ count: 1, start: 0 });
  });

  it('finds the fullest window anywhere in the series, in any order', () => {
    expect(busiestWindow([5000, 0, 5100, 300, 5999, 5200, 9000], 1000)).toEqual({ count: 4, start: 5000 });
  });

  it('counts equal times as separate calls', () => {
    expect(busiestWindow([7, 7, 7], 1)).toEqual({ count: 3, start: 7 });
  });
});
