// The admin API's document limits, counted on yaml's CST: block and flow nesting alike, keys too.
import { describe, expect, it } from 'vitest';
import { checkDocumentLimits } from './document-limits.js';

const limits = { maxDocuments: 3, maxDepth: 4, maxEntries: 3 };
const block = (depth: number): string => Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' leaf';

describe('checkDocumentLimits', () => {
  it('accepts nesting up to the cap, in block and flow style', () => {
    expect(checkDocumentLimits(block(4), limits)).toBeUndefined();
    expect(checkDocumentLimits('a: [[[1]]]', limits)).toBeUndefined();
  });

  it('refuses one level more, whichever style or place (mapping keys too)', () => {
    expect(checkDocumentLimits(block(5), limits)?.code).toBe('GH_XDS_ADMIN_BODY_TOO_DEEP');
    expect(checkDocumentLimits('a: [[[[1]]]]', limits)?.code).toBe('GH_XDS_ADMIN_BODY_TOO_DEEP');
    expect(checkDocumentLimits('? [[[[1]]]]\n: v', limits)?.code).toBe('GH_XDS_ADMIN_BODY_TOO_DEEP');
    expect(checkDocumentLimits('- - - - - x', limits)?.code).toBe('GH_XDS_ADMIN_BODY_TOO_DEEP');
  });

  it('names the document that nests too deep', () => {
    expect(checkDocumentLimits('a: 1\n---\nb: {c: {d: {e: {f: 1}}}}', limits)?.message).toMatch(/^document 2 /);
  });

  it('survives nesting far past the stack, unclosed or not', () => {
    expect(checkDocumentLimits('['.repeat(200_000), limits)?.code).toBe('GH_XDS_ADMIN_BODY_TOO_DEEP');
    expect(checkDocumentLimits(`${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}`, limits)?.code).toBe('GH_XDS_ADMIN_BODY_TOO_DEEP');
  });

  it('refuses a mapping or sequence over the entry cap, block or flow, and stops a huge flow list early', () => {
    expect(checkDocumentLimits('a: 1\nb: 2\nc: 3\n', limits)).toBeUndefined();
    expect(checkDocumentLimits('[1, 2, 3]', limits)).toBeUndefined();
    expect(checkDocumentLimits('a: 1\nb: 2\nc: 3\nd: 4\n', limits)?.code).toBe('GH_XDS_ADMIN_COLLECTION_TOO_LARGE');
    expect(checkDocumentLimits('- 1\n- 2\n- 3\n- 4\n', limits)?.code).toBe('GH_XDS_ADMIN_COLLECTION_TOO_LARGE');
    expect(checkDocumentLimits('{a: 1, b: 2, c: 3, d: 4}', limits)?.code).toBe('GH_XDS_ADMIN_COLLECTION_TOO_LARGE');
    expect(checkDocumentLimits(`[${Array(300_000).fill('[]').join(',')}]`, limits)?.code).toBe('GH_XDS_ADMIN_COLLECTION_TOO_LARGE');
  });

  it('counts documents, refusing one over the cap', () => {
    expect(checkDocumentLimits('a: 1\n---\nb: 2\n---\nc: 3', limits)).toBeUndefined();
    expect(checkDocumentLimits('a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4', limits)?.code).toBe('GH_XDS_ADMIN_TOO_MANY_DOCUMENTS');
    expect(checkDocumentLimits('---\n'.repeat(100_000), limits)?.code).toBe('GH_XDS_ADMIN_TOO_MANY_DOCUMENTS');
  });
});
