// JSON Patch and JSONPath as EnvoyPatchPolicy uses them (the policy on whole Gateways: the golden case
// testdata/end-to-end/envoypatchpolicy-json-patches and runner/last-good-envoy-patch.test.ts).
import { describe, expect, it } from 'vitest';
import { applyOperation, JsonPatchError, type JsonValue } from './json-patch.js';
import { jsonPathPointers } from './json-path.js';

describe('applyOperation (RFC 6902)', () => {
  const doc = { a: { b: [1, 2, 3] }, c: 'x' };

  it('adds (creating missing objects), removes, replaces, moves, copies and tests, never changing its input', () => {
    expect(applyOperation(doc, { op: 'add', path: '/a/b/1', value: 9 })).toEqual({ a: { b: [1, 9, 2, 3] }, c: 'x' });
    expect(applyOperation(doc, { op: 'add', path: '/a/b/-', value: 4 })).toEqual({ a: { b: [1, 2, 3, 4] }, c: 'x' });
    expect(applyOperation(doc, { op: 'add', path: '/d/e~1f', value: true })).toEqual({ a: { b: [1, 2, 3] }, c: 'x', d: { 'e/f': true } });
    expect(applyOperation(doc, { op: 'remove', path: '/a/b/0' })).toEqual({ a: { b: [2, 3] }, c: 'x' });
    expect(applyOperation(doc, { op: 'replace', path: '/c', value: 'y' })).toEqual({ a: { b: [1, 2, 3] }, c: 'y' });
    expect(applyOperation(doc, { op: 'move', from: '/c', path: '/a/c' })).toEqual({ a: { b: [1, 2, 3], c: 'x' } });
    expect(applyOperation(doc, { op: 'copy', from: '/a/b/2', path: '/z' })).toEqual({ a: { b: [1, 2, 3] }, c: 'x', z: 3 });
    expect(applyOperation(doc, { op: 'test', path: '/a/b', value: [1, 2, 3] })).toEqual(doc);
    expect(doc).toEqual({ a: { b: [1, 2, 3] }, c: 'x' });
  });

  it('refuses what does not apply, saying why', () => {
    expect(() => applyOperation(doc, { op: 'remove', path: '/nope' })).toThrow(new JsonPatchError('"/nope" does not exist'));
    expect(() => applyOperation(doc, { op: 'replace', path: '/a/b/3', value: 1 })).toThrow(/out of bounds/);
    expect(() => applyOperation(doc, { op: 'test', path: '/c', value: 'y' })).toThrow(/test failed/);
    expect(() => applyOperation(doc, { op: 'move', from: '/a', path: '/a/x' })).toThrow(/its own child/);
    expect(() => applyOperation(doc, { op: 'add', path: 'a', value: 1 })).toThrow(/must start with/);
  });
});

describe('jsonPathPointers', () => {
  const listener: JsonValue = { name: 'l', filter_chains: [{ filters: [{ name: 'tls' }, { name: 'hcm', typed_config: { stat_prefix: 's' } }] }, { filters: [{ name: 'hcm' }] }] };

  it('selects by member, index, wildcard, descendants and filters', () => {
    expect(jsonPathPointers(listener, '$.filter_chains[0].filters[-1].typed_config')).toEqual(['/filter_chains/0/filters/1/typed_config']);
    expect(jsonPathPointers(listener, "$..filters[?(@.name == 'hcm')]")).toEqual(['/filter_chains/0/filters/1', '/filter_chains/1/filters/0']);
    expect(jsonPathPointers(listener, "$.filter_chains[*].filters[?@.name != 'hcm']")).toEqual(['/filter_chains/0/filters/0']);
    expect(jsonPathPointers(listener, "$['name']")).toEqual(['/name']);
    expect(jsonPathPointers(listener, '$..stat_prefix')).toEqual(['/filter_chains/0/filters/1/typed_config/stat_prefix']);
  });

  it('refuses the bare root and what it cannot read', () => {
    expect(() => jsonPathPointers(listener, '$')).toThrow(/only the root/);
    expect(() => jsonPathPointers(listener, '$.a[?(@.x > 1)]')).toThrow(/cannot read/);
  });
});
