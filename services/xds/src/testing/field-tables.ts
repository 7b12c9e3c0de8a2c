// Shared checks of an Envoy Gateway kind's field table (core/gatewayapi/field-support) against its CRD,
// the repository and the xds README, so each kind's test holds only what is its own.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCrdSchema } from '@gatehouse/schemas';
import { expect } from 'vitest';
import type { FieldSupport } from '../core/gatewayapi/field-support/field-support.js';
import { markedSection, renderFieldTable } from '../core/gatewayapi/field-support/render-table.js';
import { UPDATE_GOLDEN, UPDATE_HINT } from './golden-files.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const readme = join(repoRoot, 'services', 'xds', 'README.md');

/** Dotted paths (no array indices, no duplicates) of every field under `spec` in a structural schema. */
function schemaFields(node: unknown, path: string, out: Set<string>): Set<string> {
  if (node === null || typeof node !== 'object') return out;
  const schema = node as { properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown; oneOf?: unknown[]; anyOf?: unknown[]; allOf?: unknown[] };
  for (const [field, child] of Object.entries(schema.properties ?? {})) {
    out.add(`${path}.${field}`);
    schemaFields(child, `${path}.${field}`, out);
  }
  if (schema.items) schemaFields(schema.items, path, out);
  // A map's values (additionalProperties) are fields of the map's own path, as list items are.
  schemaFields(schema.additionalProperties, path, out);
  for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) schemaFields(branch, path, out);
  return out;
}

/** The spec field paths of gateway.envoyproxy.io/v1alpha1 `kind`'s CRD (empty when the CRD is missing). */
export function crdSpecFields(kind: string): string[] {
  const crd = findCrdSchema('gateway.envoyproxy.io/v1alpha1', kind);
  const spec = (crd?.openAPIV3Schema as { properties?: { spec?: unknown } } | undefined)?.properties?.spec;
  return [...schemaFields(spec, 'spec', new Set())];
}

/** services/xds: the folder some tables' test paths are relative to (the older tables; the newer name paths from the repository root). */
export const xdsRoot = join(repoRoot, 'services', 'xds');

/** Entries of translated fields whose named tests (comma-separated paths from `root`, the repository root by default) do not exist. */
export function missingTests(table: Record<string, FieldSupport>, root = repoRoot): string[] {
  return Object.entries(table).flatMap(([field, support]) =>
    support.status === 'translated' && !support.test.split(', ').every((test) => existsSync(join(root, test))) ? [`${field}: ${support.test}`] : [],
  );
}

/** The README section between `<!-- marker:start -->` and `<!-- marker:end -->` is the rendered table (UPDATE_GOLDEN=1 rewrites it). */
export function expectReadmeTable(marker: string, kind: string, table: Record<string, FieldSupport>): void {
  const text = readFileSync(readme, 'utf8');
  const section = markedSection(text, marker);
  expect(section, `README lacks the ${marker} markers`).toBeDefined();
  const rendered = renderFieldTable(table);
  if (UPDATE_GOLDEN && section && section.inside !== rendered) writeFileSync(readme, `${section.before}${rendered}${section.after}`);
  else expect(section?.inside, `the README's ${kind} table differs; ${UPDATE_HINT}`).toBe(rendered);
}
