import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Debouncer } from './debouncer.js';

describe('Debouncer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once after the quiet period following a burst', () => {
    let runs = 0;
    const d = new Debouncer(() => runs++, { delayMs: 100, maxDelayMs: 1000 });
    d.trigger();
    vi.advanceTimersByTime(50);
    d.trigger();
    vi.advanceTimersByTime(99);
    expect(runs).toBe(0);
    vi.advanceTimersByTime(1);
    expect(runs).toBe(1);
  });

  it('runs by the maximum delay even while triggers keep coming', () => {
    let runs = 0;
    const d = new Debouncer(() => runs++, { delayMs: 100, maxDelayMs: 300 });
    for (let t = 0; t < 300; t += 50) {
      d.trigger();
      vi.advanceTimersByTime(50);
    }
    expect(runs).toBe(1);
  });

  it('flush runs a pending call at once; cancel drops it', () => {
    let runs = 0;
    const d = new Debouncer(() => runs++);
    d.trigger();
    d.flush();
    expect(runs).toBe(1);
    d.trigger();
    d.cancel();
    vi.advanceTimersByTime(5000);
    expect(runs).toBe(1);
  });
});
