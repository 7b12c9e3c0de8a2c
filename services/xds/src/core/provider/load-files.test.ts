import { beforeAll, describe, expect, it } from 'vitest';
import { loadResourcesFromFiles } from './load-files.js';
import { mergeResourceSources } from './merge-sources.js';

const route = (name: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
spec:
  parentRefs: [{ name: web }]
`;

describe('loadResourcesFromFiles', () => {
  // The first validation compiles the CRD schemas (seconds on a busy machine); not what is tested here.
  beforeAll(() => void loadResourcesFromFiles([{ path: 'warm.yaml', text: route('warm') }]), 60_000);

  it('reads every document of a multi-document file, defaulting the namespace and recording the line', () => {
    const { resources, fileErrors } = loadResourcesFromFiles([{ path: 'a.yaml', text: `${route('one')}---\n${route('two')}` }]);
    expect(fileErrors).toEqual([]);
    expect(resources.map((r) => [r.metadata.namespace, r.metadata.name, r.source])).toEqual([
      ['default', 'one', { kind: 'file', file: 'a.yaml', line: 1 }],
      ['default', 'two', { kind: 'file', file: 'a.yaml', line: 8 }],
    ]);
  });

  it('keeps the last good version of a file that stops parsing, and says so', () => {
    const first = loadResourcesFromFiles([{ path: 'a.yaml', text: route('one') }]);
    const second = loadResourcesFromFiles([{ path: 'a.yaml', text: 'kind: [unclosed\nmore: x\n' }], { previous: first.parsed });
    expect(second.resources.map((r) => r.metadata.name)).toEqual(['one']);
    expect(second.fileErrors).toHaveLength(1);
    expect(second.fileErrors[0]).toMatchObject({ code: 'GH_XDS_YAML_PARSE', file: 'a.yaml', line: 2, keptPrevious: true });
  });

  it('reuses the previous parse of a file whose text did not change, errors included', () => {
    const text = `${route('one')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n`;
    const first = loadResourcesFromFiles([{ path: 'a.yaml', text }]);
    const second = loadResourcesFromFiles([{ path: 'a.yaml', text }], { previous: first.parsed, validate: () => [{ path: '', message: 'not called' }] });
    expect(second.resources[0]).toBe(first.resources[0]);
    expect(second.resources[0]?.issues).toBeUndefined();
    expect(second.fileErrors).toEqual(first.fileErrors);
  });

  it('drops a file that never parsed, without touching the other files', () => {
    const result = loadResourcesFromFiles([
      { path: 'bad.yaml', text: 'a: b: c\n' },
      { path: 'good.yaml', text: route('ok') },
    ]);
    expect(result.resources.map((r) => r.metadata.name)).toEqual(['ok']);
    expect(result.fileErrors.map((e) => [e.code, e.file, e.keptPrevious])).toEqual([['GH_XDS_YAML_PARSE', 'bad.yaml', false]]);
  });

  it('reports documents of unknown kinds or without a name, keeping the rest of the file', () => {
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n---\napiVersion: v1\nkind: Secret\nmetadata: {}\n---\n${route('ok')}`;
    const result = loadResourcesFromFiles([{ path: 'mixed.yaml', text }]);
    expect(result.resources.map((r) => r.metadata.name)).toEqual(['ok']);
    expect(result.fileErrors.map((e) => [e.code, e.line])).toEqual([
      ['GH_XDS_KIND_UNSUPPORTED', 1],
      ['GH_XDS_DOCUMENT_INVALID', 5],
    ]);
  });

  it('reports a resource defined in two files and keeps the first by path', () => {
    const result = loadResourcesFromFiles([
      { path: 'b.yaml', text: route('same') },
      { path: 'a.yaml', text: route('same') },
    ]);
    expect(result.resources).toHaveLength(1);
    expect(result.resources[0]?.source).toMatchObject({ file: 'a.yaml' });
    expect(result.fileErrors[0]).toMatchObject({ code: 'GH_XDS_DUPLICATE_RESOURCE', file: 'b.yaml' });
  });

  it('validates documents against the vendored CRD schemas, pointing at the line of the bad field', () => {
    const text = `${route('one')}  rules:\n    - backendRefs:\n        - name: api\n          port: 70000\n`;
    const result = loadResourcesFromFiles([{ path: 'a.yaml', text }]);
    expect(result.fileErrors).toEqual([]);
    const issues = result.resources[0]?.issues ?? [];
    expect(issues.map((i) => i.path)).toContain('/spec/rules/0/backendRefs/0/port');
    expect(issues.find((i) => i.path === '/spec/rules/0/backendRefs/0/port')?.formatted).toMatch(/^a\.yaml:10: HTTPRoute default\/one: \/spec\/rules\/0\/backendRefs\/0\/port: /);
  });

  it('accepts a custom validator, or none', () => {
    const text = route('one');
    const custom = loadResourcesFromFiles([{ path: 'a.yaml', text }], { validate: () => [{ path: '/spec', message: 'nope' }] });
    expect(custom.resources[0]?.issues?.[0]?.formatted).toBe('a.yaml:6: HTTPRoute default/one: /spec: nope');
    const none = loadResourcesFromFiles([{ path: 'a.yaml', text: `${text}  bogus: 1\n` }], { validate: false });
    expect(none.resources[0]?.issues).toBeUndefined();
  });
});

describe('mergeResourceSources', () => {
  it('lets the admin API win over a file naming the same resource', () => {
    const files = loadResourcesFromFiles([{ path: 'a.yaml', text: route('same') }]).resources;
    const admin = [{ ...files[0]!, spec: { parentRefs: [{ name: 'other' }] } }];
    const merged = mergeResourceSources(files, admin);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.spec).toEqual({ parentRefs: [{ name: 'other' }] });
    expect(merged[0]?.source).toEqual({ kind: 'admin' });
  });
});
