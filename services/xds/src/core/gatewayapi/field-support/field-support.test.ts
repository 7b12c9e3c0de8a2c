// The field tables against the CRD schemas: every field of BackendTrafficPolicy and
// ClientTrafficPolicy has an entry (a new Envoy Gateway field fails here until it is decided), every
// entry is a field, every translated field names a test that exists, and a refused field in an input
// is reported by path, and the README's tables are rendered from these ones.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCrdSchema } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { backendTrafficPolicyFields } from './backend-traffic-policy.js';
import { clientTrafficPolicyFields } from './client-traffic-policy.js';
import type { FieldSupport } from './field-support.js';
import { findRefusedFields } from './refused-fields.js';
import { renderFieldTable } from './render-table.js';

const COST_REASON =
  "a local rate limit cost is not translated: Envoy's local_ratelimit spends a per-request cost through the route's hits_addend, which the Envoy API Gatehouse validates against (@grpc/grpc-js-xds deps/envoy-api) does not have; global rules take cost.request";

const xdsRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

/** Dotted paths of every field under spec, without array indices. */
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
  ['BackendTrafficPolicy', backendTrafficPolicyFields],
  ['ClientTrafficPolicy', clientTrafficPolicyFields],
];

describe.each(tables)('%s field table', (kind, table) => {
  const paths = schemaPaths(kind);

  it('has an entry for every field of the CRD schema', () => {
    expect(paths.filter((path) => !(path in table))).toEqual([]);
  });

  it('has no entry that is not a field', () => {
    const known = new Set(paths);
    expect(Object.keys(table).filter((path) => !known.has(path))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    const missing = Object.entries(table).flatMap(([path, support]) => (support.status === 'translated' && !existsSync(join(xdsRoot, support.test)) ? [`${path}: ${support.test}`] : []));
    expect(missing).toEqual([]);
  });

  it('refuses no field whose parent is refused while translating a child (the walk stops at the parent)', () => {
    const inconsistent = Object.entries(table).filter(([path, support]) => {
      if (support.status !== 'translated') return false;
      const parents = path.split('.').map((_, i, parts) => parts.slice(0, i).join('.')).filter((p) => p.includes('.'));
      return parents.some((parent) => table[parent]?.status === 'refused');
    });
    expect(inconsistent.map(([path]) => path)).toEqual([]);
  });
});

describe('findRefusedFields', () => {
  it('names each refused field with the input array indices, once, and not its children', () => {
    const spec = {
      loadBalancer: { type: 'RoundRobin', zoneAware: { weightedZones: [{ zone: 'a', weight: 1 }], preferLocal: { minEndpointsThreshold: 3, force: {} } } },
      rateLimit: { local: { rules: [{ limit: { requests: 1, unit: 'Second' } }, { cost: { request: { from: 'Number', number: 2 } }, limit: { requests: 1, unit: 'Second' } }] } },
      telemetry: { tracing: { samplingFraction: { numerator: 1 }, spanName: { server: 'checkout' } } },
    };
    expect(findRefusedFields(spec, backendTrafficPolicyFields)).toEqual([
      "spec.loadBalancer.zoneAware.preferLocal.force: zoneAware preferLocal force is not translated: ZoneAwareLbConfig.force_local_zone is newer than the Envoy API Gatehouse validates against (@grpc/grpc-js-xds deps/envoy-api)",
      `spec.rateLimit.local.rules[1].cost: ${COST_REASON}`,
      "spec.telemetry.tracing.spanName: telemetry.tracing.spanName is not translated: the route's Tracing operation and upstream_operation are newer than the Envoy API Gatehouse validates against (@grpc/grpc-js-xds deps/envoy-api)",
    ]);
  });

  it('takes a null as absent, as the API server prunes it', () => {
    expect(findRefusedFields({ compression: null, retry: { numRetries: 1 } }, backendTrafficPolicyFields)).toEqual([]);
  });
});

describe('README tables', () => {
  const readmePath = join(xdsRoot, 'README.md');
  it.each(tables)('the %s table in services/xds/README.md is rendered from the code', (kind, table) => {
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
