import { lookupMessage, toObjectOptions } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { extendRateLimitProtos } from './proto-extensions.js';

extendRateLimitProtos();

describe('extendRateLimitProtos', () => {
  it('decodes a descriptor hits_addend of 0 as present (check without counting)', () => {
    const type = lookupMessage('envoy.service.ratelimit.v3.RateLimitRequest');
    const bytes = type.encode(type.fromObject({ domain: 'd', descriptors: [{ entries: [{ key: 'k', value: 'v' }], hits_addend: { value: 0 } }] })).finish();
    const decoded = type.toObject(type.decode(bytes), toObjectOptions) as { descriptors: Array<{ hits_addend?: { value?: string } }> };
    const hits = decoded.descriptors[0]!.hits_addend;
    expect(hits).toBeDefined();
    expect(Number(hits!.value ?? 0)).toBe(0);
  });

  it('encodes the WEEK unit', () => {
    const type = lookupMessage('envoy.service.ratelimit.v3.RateLimitResponse');
    const bytes = type.encode(type.fromObject({ overall_code: 'OK', statuses: [{ code: 'OK', current_limit: { requests_per_unit: 1, unit: 'WEEK' } }] })).finish();
    const decoded = type.toObject(type.decode(bytes), toObjectOptions) as { statuses: Array<{ current_limit: { unit: string } }> };
    expect(decoded.statuses[0]!.current_limit.unit).toBe('WEEK');
  });

  it('is idempotent', () => {
    expect(() => extendRateLimitProtos()).not.toThrow();
  });
});
