// The HTTPRouteFilter field table is complete (every field of the vendored v1.9 CRD has an entry), names
// tests that exist, and is the xds README's HTTPRouteFilter table (UPDATE_GOLDEN=1 rewrites it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCrdSchema } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { UPDATE_GOLDEN, UPDATE_HINT } from '../../../testing/golden-files.js';
import { supportOf } from './refused-fields.js';
import { markedSection, renderFieldTable } from './render-table.js';
import { httpRouteFilterFields } from './http-route-filter.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', '..');
const readme = join(repoRoot, 'services', 'xds', 'README.md');

/** Dotted paths (no array indices) of every field under `spec` in a structural schema. */
function schemaFields(node: unknown, path: string, out: string[]): string[] {
  if (node === null || typeof node !== 'object') return out;
  const schema = node as { properties?: Record<string, unknown>; items?: unknown; oneOf?: unknown[]; anyOf?: unknown[]; allOf?: unknown[] };
  for (const [field, child] of Object.entries(schema.properties ?? {})) {
    out.push(`${path}.${field}`);
    schemaFields(child, `${path}.${field}`, out);
  }
  if (schema.items) schemaFields(schema.items, path, out);
  for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) schemaFields(branch, path, out);
  return out;
}

const crd = findCrdSchema('gateway.envoyproxy.io/v1alpha1', 'HTTPRouteFilter');
const spec = (crd?.openAPIV3Schema as { properties: { spec: unknown } } | undefined)?.properties.spec;

describe('HTTPRouteFilter field table', () => {
  it('has an entry for every field of the v1.9 CRD (its own, or a refused ancestor)', () => {
    expect(spec).toBeDefined();
    const fields = [...new Set(schemaFields(spec, 'spec', []))];
    expect(fields.length).toBeGreaterThan(40);
    expect(fields.filter((field) => supportOf(httpRouteFilterFields, field) === undefined)).toEqual([]);
  });

  it('names only fields the CRD has', () => {
    const fields = new Set(schemaFields(spec, 'spec', []));
    expect(Object.keys(httpRouteFilterFields).filter((field) => !fields.has(field))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    const missing = Object.entries(httpRouteFilterFields).flatMap(([field, support]) =>
      support.status === 'translated' && !support.test.split(', ').every((test) => existsSync(join(repoRoot, test))) ? [`${field}: ${support.test}`] : [],
    );
    expect(missing).toEqual([]);
  });

  it('is the HTTPRouteFilter table of the xds README', () => {
    const text = readFileSync(readme, 'utf8');
    const section = markedSection(text, 'http-route-filter-fields');
    expect(section, 'README lacks the http-route-filter-fields markers').toBeDefined();
    const rendered = renderFieldTable(httpRouteFilterFields);
    if (UPDATE_GOLDEN && section && section.inside !== rendered) writeFileSync(readme, `${section.before}${rendered}${section.after}`);
    else expect(section?.inside, `the README's HTTPRouteFilter table differs; ${UPDATE_HINT}`).toBe(rendered);
  });
});
