// The EnvoyPatchPolicy and EnvoyProxy field tables against their authored CRD schemas, as
// field-support.test.ts does for the traffic policies: every field has an entry, every entry is a
// field, every translated field names a test that exists, and the README tables are rendered from them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCrdSchema } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { envoyPatchPolicyFields } from './envoy-patch-policy.js';
import { envoyProxyFields } from './envoy-proxy.js';
import type { FieldSupport } from './field-support.js';
import { renderFieldTable } from './render-table.js';

const xdsRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

function schemaPaths(kind: string): string[] {
  const schema = findCrdSchema('gateway.envoyproxy.io/v1alpha1', kind)?.openAPIV3Schema as SchemaNode | undefined;
  if (!schema?.properties?.spec) throw new Error(`no schema for ${kind}`);
  const paths: string[] = [];
  const walk = (node: SchemaNode, path: string) => {
    if (node.items) walk(node.items, path);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, path);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      paths.push(`${path}.${key}`);
      walk(child, `${path}.${key}`);
    }
  };
  walk(schema.properties.spec, 'spec');
  return paths;
}

const tables: Array<[string, Record<string, FieldSupport>]> = [
  ['EnvoyPatchPolicy', envoyPatchPolicyFields],
  ['EnvoyProxy', envoyProxyFields],
];

describe.each(tables)('%s field table', (kind, table) => {
  const paths = schemaPaths(kind);

  it('has an entry for every field of the CRD schema, and none that is not a field', () => {
    expect(paths.filter((path) => !(path in table))).toEqual([]);
    const known = new Set(paths);
    expect(Object.keys(table).filter((path) => !known.has(path))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    const missing = Object.entries(table).flatMap(([path, support]) => (support.status === 'translated' && !existsSync(join(xdsRoot, support.test)) ? [`${path}: ${support.test}`] : []));
    expect(missing).toEqual([]);
  });

  it(`the ${kind} table in services/xds/README.md is rendered from the code`, () => {
    const readmePath = join(xdsRoot, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = `<!-- field-table:${kind} (generated from src/core/gatewayapi/field-support: pnpm -F @gatehouse/xds golden:update rewrites it) -->`;
    const end = `<!-- /field-table:${kind} -->`;
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    expect(from, `README.md needs the markers ${start} ... ${end}`).toBeGreaterThanOrEqual(0);
    const actual = readme.slice(from + start.length, to).trim();
    const expected = renderFieldTable(table);
    if (process.env.UPDATE_GOLDEN && actual !== expected) {
      writeFileSync(readmePath, `${readme.slice(0, from + start.length)}\n${expected}\n${readme.slice(to)}`);
      return;
    }
    expect(actual, 'run `pnpm -F @gatehouse/xds golden:update` and review the diff').toBe(expected);
  });
});
