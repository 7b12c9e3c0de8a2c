// The EnvoyPatchPolicy and EnvoyProxy field tables against their authored CRD schemas, as
// field-support.test.ts does for the traffic policies: every field has an entry, every entry is a
// field, every translated field names a test that exists, and the README tables are rendered from them.
import { describe, expect, it } from 'vitest';
import { crdSpecFields, expectReadmeTable, missingTests, xdsRoot } from '../../../testing/field-tables.js';
import { envoyPatchPolicyFields } from './envoy-patch-policy.js';
import { envoyProxyFields } from './envoy-proxy.js';
import type { FieldSupport } from './field-support.js';

const tables: Array<[string, Record<string, FieldSupport>, string]> = [
  ['EnvoyPatchPolicy', envoyPatchPolicyFields, 'envoy-patch-policy-fields'],
  ['EnvoyProxy', envoyProxyFields, 'envoy-proxy-fields'],
];

describe.each(tables)('%s field table', (kind, table, marker) => {
  const paths = crdSpecFields(kind);

  it('has an entry for every field of the CRD schema, and none that is not a field', () => {
    expect(paths.filter((path) => !(path in table))).toEqual([]);
    const known = new Set(paths);
    expect(Object.keys(table).filter((path) => !known.has(path))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    expect(missingTests(table, xdsRoot)).toEqual([]);
  });

  it(`the ${kind} table in services/xds/README.md is rendered from the code`, () => {
    expectReadmeTable(marker, kind, table);
  });
});
