import { RATE_LIMIT_COST_ENTRY_KEY } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { applyCostEntries, parseCost } from './descriptor-cost.js';
import type { CheckRequest } from './rate-limit-request.js';

const request = (entries: Array<[string, string]>, hitsAddend?: number): CheckRequest => ({
  domain: 'd',
  descriptors: [{ entries: entries.map(([key, value]) => ({ key, value })), ...(hitsAddend !== undefined ? { hitsAddend } : {}) }],
});

describe('applyCostEntries', () => {
  it('takes the cost entry off the descriptor and makes it the descriptor hits_addend', () => {
    expect(applyCostEntries(request([['route', 'r'], ['user', 'alice'], [RATE_LIMIT_COST_ENTRY_KEY, '10']]), 1000).descriptors).toEqual([
      { entries: [{ key: 'route', value: 'r' }, { key: 'user', value: 'alice' }], hitsAddend: 10 },
    ]);
  });

  it('keeps 0 (check without spending) and leaves descriptors without a cost entry as they are', () => {
    const received: CheckRequest = {
      domain: 'd',
      descriptors: [{ entries: [{ key: 'a', value: '1' }, { key: RATE_LIMIT_COST_ENTRY_KEY, value: '0' }] }, { entries: [{ key: 'b', value: '2' }] }],
    };
    const applied = applyCostEntries(received, 1000);
    expect(applied.descriptors[0]).toEqual({ entries: [{ key: 'a', value: '1' }], hitsAddend: 0 });
    expect(applied.descriptors[1]).toBe(received.descriptors[1]);
  });

  it('returns the request itself when no descriptor carries a cost', () => {
    const received = request([['a', '1']]);
    expect(applyCostEntries(received, 1000)).toBe(received);
  });

  it('lets a hits_addend Envoy set on the descriptor win over the entry', () => {
    expect(applyCostEntries(request([['a', '1'], [RATE_LIMIT_COST_ENTRY_KEY, '10']], 3), 1000).descriptors[0]!.hitsAddend).toBe(3);
  });
});

describe('parseCost', () => {
  it('reads whole numbers, caps them at the largest hits_addend, and counts anything else as 1', () => {
    expect(parseCost('25', 1000)).toBe(25);
    expect(parseCost('5000', 1000)).toBe(1000);
    for (const bad of ['', '-1', '2.5', 'ten', '1e3', '99999999999999999']) expect(parseCost(bad, 1000)).toBe(1);
  });
});
