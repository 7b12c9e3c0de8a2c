import { describe, expect, it } from 'vitest';
// New codes as literals: they are the stable contract (an errors.ts without them must fail here).
import { RateLimitErrorCodes, RateLimitRequestError } from '../errors.js';
import { defaultRequestLimits, validateRequest, type CheckRequest } from './rate-limit-request.js';

const one = (value = 'v') => ({ entries: [{ key: 'k', value }] });
const codeOf = (request: CheckRequest, limits = defaultRequestLimits): string | undefined => {
  try {
    validateRequest(request, limits);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(RateLimitRequestError);
    return (err as RateLimitRequestError).code;
  }
};

describe('validateRequest bounds (security: oversized requests)', () => {
  it('accepts a request at every bound', () => {
    const atBounds: CheckRequest = {
      domain: 'd',
      hitsAddend: 1_000_000,
      descriptors: Array.from({ length: 64 }, () => ({ hitsAddend: 1_000_000, entries: Array.from({ length: 16 }, () => ({ key: 'k'.repeat(1024), value: 'é'.repeat(512) })) })),
    };
    expect(codeOf(atBounds)).toBeUndefined();
  });

  it('refuses hits_addend above the bound, at request and descriptor level, and 1e19', () => {
    expect(codeOf({ domain: 'd', hitsAddend: 1_000_001, descriptors: [one()] })).toBe('GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
    expect(codeOf({ domain: 'd', descriptors: [{ ...one(), hitsAddend: 1e19 }] })).toBe('GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
    expect(codeOf({ domain: 'd', descriptors: [{ ...one(), hitsAddend: Number.NaN }] })).toBe('GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
    expect(codeOf({ domain: 'd', descriptors: [{ ...one(), hitsAddend: 5 }] }, { ...defaultRequestLimits, maxHitsAddend: 4 })).toBe('GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
  });

  it('refuses more than 64 descriptors (10 000 of them too) and more than 16 entries in one', () => {
    expect(codeOf({ domain: 'd', descriptors: Array.from({ length: 65 }, () => one()) })).toBe('GH_RATELIMIT_TOO_MANY_DESCRIPTORS');
    expect(codeOf({ domain: 'd', descriptors: Array.from({ length: 10_000 }, () => one()) })).toBe('GH_RATELIMIT_TOO_MANY_DESCRIPTORS');
    expect(codeOf({ domain: 'd', descriptors: [{ entries: Array.from({ length: 17 }, () => ({ key: 'k', value: 'v' })) }] })).toBe('GH_RATELIMIT_TOO_MANY_ENTRIES');
  });

  it('refuses a key, value or domain longer than 1 KiB in UTF-8', () => {
    expect(codeOf({ domain: 'd', descriptors: [one('x'.repeat(1025))] })).toBe('GH_RATELIMIT_ENTRY_TOO_LONG');
    // 513 two-byte characters: 1026 bytes although only 513 UTF-16 units.
    expect(codeOf({ domain: 'd', descriptors: [one('é'.repeat(513))] })).toBe('GH_RATELIMIT_ENTRY_TOO_LONG');
    expect(codeOf({ domain: 'd', descriptors: [{ entries: [{ key: 'k'.repeat(60_000), value: 'v' }] }] })).toBe('GH_RATELIMIT_ENTRY_TOO_LONG');
    expect(codeOf({ domain: 'd'.repeat(1025), descriptors: [one()] })).toBe('GH_RATELIMIT_ENTRY_TOO_LONG');
  });

  it('keeps the reference checks', () => {
    expect(codeOf({ domain: '', descriptors: [one()] })).toBe(RateLimitErrorCodes.emptyDomain);
    expect(codeOf({ domain: 'd', descriptors: [] })).toBe(RateLimitErrorCodes.emptyDescriptors);
  });
});
