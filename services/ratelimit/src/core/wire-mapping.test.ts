import { describe, expect, it } from 'vitest';
import type { RateLimitAnswer } from './rate-limit-answer.js';
import { answerToJson, answerToWire, checkRequestFromJson, checkRequestFromWire } from './wire-mapping.js';

const answer: RateLimitAnswer = {
  overallCode: 'OVER_LIMIT',
  statuses: [
    { code: 'OVER_LIMIT', currentLimit: { requestsPerUnit: 3, unit: 'MINUTE' }, limitRemaining: 0, durationUntilResetSeconds: 40 },
    { code: 'OK', limitRemaining: 0 },
  ],
  responseHeaders: [{ key: 'RateLimit-Limit', value: '3' }],
};

describe('wire mapping', () => {
  it('reads the gRPC request, including descriptor hits_addend and the limit override', () => {
    const request = checkRequestFromWire({
      domain: 'd',
      hits_addend: 2,
      descriptors: [
        { entries: [{ key: 'k', value: 'v' }], limit: { requests_per_unit: 5, unit: 'HOUR' } },
        { entries: [{ key: 'k' }], hits_addend: { value: '0' } } as never,
      ],
    });
    expect(request).toEqual({
      domain: 'd',
      hitsAddend: 2,
      descriptors: [
        { entries: [{ key: 'k', value: 'v' }], limit: { requestsPerUnit: 5, unit: 'hour' }, hitsAddend: undefined },
        { entries: [{ key: 'k', value: '' }], limit: undefined, hitsAddend: 0 },
      ],
    });
  });

  it('writes the gRPC response with statuses, durations and headers', () => {
    expect(answerToWire(answer)).toEqual({
      overall_code: 'OVER_LIMIT',
      statuses: [
        { code: 'OVER_LIMIT', current_limit: { name: '', requests_per_unit: 3, unit: 'MINUTE' }, limit_remaining: 0, duration_until_reset: { seconds: 40, nanos: 0 } },
        { code: 'OK', current_limit: null, limit_remaining: 0, duration_until_reset: null },
      ],
      response_headers_to_add: [{ key: 'RateLimit-Limit', value: '3' }],
      dynamic_metadata: null,
    });
  });

  it('writes quota-mode metadata as a Struct (gRPC) and a plain object (JSON)', () => {
    const withQuota: RateLimitAnswer = { ...answer, dynamicMetadata: { quotaModeEnabled: true, quotaModeViolations: [0] } };
    expect(answerToWire(withQuota).dynamic_metadata).toEqual({
      fields: { quotaModeEnabled: { boolValue: true }, quotaModeViolations: { listValue: { values: [{ numberValue: 0 }] } } },
    });
    expect(answerToJson(withQuota).dynamicMetadata).toEqual({ quotaModeEnabled: true, quotaModeViolations: [0] });
  });

  it('reads /json bodies in camelCase and snake_case', () => {
    const camel = checkRequestFromJson({ domain: 'd', hitsAddend: 3, descriptors: [{ entries: [{ key: 'k', value: 'v' }], limit: { requestsPerUnit: 1, unit: 'SECOND' } }] });
    const snake = checkRequestFromJson({ domain: 'd', hits_addend: '3', descriptors: [{ entries: [{ key: 'k', value: 'v' }], limit: { requests_per_unit: 1, unit: 'SECOND' } }] });
    expect(camel).toEqual(snake);
    expect(camel.descriptors[0]!.limit).toEqual({ requestsPerUnit: 1, unit: 'second' });
  });

  it('rejects malformed /json bodies naming the field', () => {
    expect(() => checkRequestFromJson({ domain: 'd', descriptors: {} })).toThrow(expect.objectContaining({ code: 'GH_RATELIMIT_BAD_JSON_REQUEST' }));
    expect(() => checkRequestFromJson({ domain: 'd', descriptors: [{ entries: [{ key: 1 }] }] })).toThrow(/key: expected a string/);
    expect(() => checkRequestFromJson({ domain: 'd', descriptors: [{ limit: { unit: 'EON' } }] })).toThrow(/descriptors\[0\]\.limit\.unit/);
    expect(() => checkRequestFromJson({ domain: 'd', descriptors: [{ entries: [{ key: 'k', val: 'v' }] }] })).toThrow(/descriptors\[0\]\.entries\[0\]: unknown field "val"/);
  });

  it('writes proto3 JSON like the reference', () => {
    expect(answerToJson(answer)).toEqual({
      overallCode: 'OVER_LIMIT',
      statuses: [{ code: 'OVER_LIMIT', currentLimit: { requestsPerUnit: 3, unit: 'MINUTE' }, durationUntilReset: '40s' }, { code: 'OK' }],
      responseHeadersToAdd: [{ key: 'RateLimit-Limit', value: '3' }],
    });
  });
});
