import { describe, expect, it } from 'vitest';
import { ariRecheckDelayMs, backoffDelayMs, parseRetryAfter, rateLimitPauseMs, retryDelayMs } from './backoff.js';

const MIN = 60_000;

describe('backoff', () => {
  it('waits 1 min, 10 min, 100 min, then a day, and stays daily', () => {
    expect([1, 2, 3, 4, 5, 50].map(backoffDelayMs)).toEqual([MIN, 10 * MIN, 100 * MIN, 1440 * MIN, 1440 * MIN, 1440 * MIN]);
  });

  it('honours a Retry-After longer than the backoff, but never shortens the backoff', () => {
    expect(retryDelayMs(1, 3 * 3600_000)).toBe(3 * 3600_000);
    expect(retryDelayMs(3, 1000)).toBe(100 * MIN);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 01:00:00 GMT', now)).toBe(3600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('ariRecheckDelayMs', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('follows the CA\'s Retry-After within one minute to one day', () => {
    expect(ariRecheckDelayMs('21600', now, 1)).toBe(21_600_000);
    expect(ariRecheckDelayMs('5', now, 1)).toBe(60_000);
    expect(ariRecheckDelayMs('604800', now, 1)).toBe(86_400_000);
    expect(ariRecheckDelayMs(undefined, now, 42)).toBe(42);
  });

  it('pauses a rate-limited queue for the Retry-After, a minute without one, never over an hour', () => {
    expect(rateLimitPauseMs(90_000)).toBe(90_000);
    expect(rateLimitPauseMs(undefined)).toBe(MIN);
    expect(rateLimitPauseMs(0)).toBe(1000);
    expect(rateLimitPauseMs(7 * 86_400_000)).toBe(60 * MIN);
  });
});
