import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it('parses cert-manager style durations', () => {
    expect(parseGoDuration('2160h')).toBe(2160 * 3_600_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('90s')).toBe(90_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
  });
  it('rejects what Go would reject', () => {
    expect(parseGoDuration('90 days')).toBeUndefined();
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('1h junk')).toBeUndefined();
  });
});
