// mergeType's merge: RFC 7386 semantics (objects merge, lists and scalars replace, null removes) and
// the parent's targets never leaking into the merged spec.
import { describe, expect, it } from 'vitest';
import { mergePatch, mergeSpecs, mergeWithParents } from './traffic-policy-merge.js';

describe('mergePatch', () => {
  it('merges objects key by key, replaces lists and scalars, and removes what the patch nulls', () => {
    const base = { retry: { numRetries: 1, perRetry: { timeout: '1s' } }, compressor: [{ type: 'Gzip' }], timeout: { http: { requestTimeout: '5s' } } };
    const patch = { retry: { numRetries: 4 }, compressor: [{ type: 'Brotli' }], timeout: null };
    expect(mergePatch(base, patch)).toEqual({ retry: { numRetries: 4, perRetry: { timeout: '1s' } }, compressor: [{ type: 'Brotli' }] });
  });
});

describe('mergeSpecs', () => {
  it("keeps the route policy's targets and mergeType, never the parent's", () => {
    const parent = { targetRefs: [{ kind: 'Gateway', name: 'edge' }], targetSelectors: [{ kind: 'Gateway' }], circuitBreaker: { maxConnections: 10 } };
    const child = { targetRefs: [{ kind: 'HTTPRoute', name: 'api' }], mergeType: 'JSONMerge', circuitBreaker: { maxPendingRequests: 5 } };
    expect(mergeSpecs(parent, child)).toEqual({ targetRefs: [{ kind: 'HTTPRoute', name: 'api' }], mergeType: 'JSONMerge', circuitBreaker: { maxConnections: 10, maxPendingRequests: 5 } });
  });
});

describe('mergeWithParents', () => {
  it("refuses mergeType Replace with the CRD's own CEL message, before looking at any parent", () => {
    // Index and record are never reached: the type is checked first.
    const result = mergeWithParents('default/p', { mergeType: 'Replace' }, new Map(), undefined as never, undefined as never);
    expect(result).toEqual({ merged: {}, problems: ['spec.mergeType: Replace is not a valid MergeType for BackendTrafficPolicySpec'] });
  });
});
