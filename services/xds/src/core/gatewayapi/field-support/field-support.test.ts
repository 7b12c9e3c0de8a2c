// The field tables against the CRD schemas: every field of BackendTrafficPolicy and
// ClientTrafficPolicy has an entry (a new Envoy Gateway field fails here until it is decided), every
// entry is a field, every translated field names a test that exists, and a refused field in an input
// is reported by path, and the README's tables are rendered from these ones.
import { describe, expect, it } from 'vitest';
import { crdSpecFields, expectReadmeTable, missingTests, xdsRoot } from '../../../testing/field-tables.js';
import { backendTrafficPolicyFields } from './backend-traffic-policy.js';
import { clientTrafficPolicyFields } from './client-traffic-policy.js';
import type { FieldSupport } from './field-support.js';
import { findRefusedFields } from './refused-fields.js';

const COST_REASON =
  "a local rate limit cost is not translated: Envoy's local_ratelimit spends a per-request cost through the route's hits_addend, which the Envoy API Gatehouse validates against (@grpc/grpc-js-xds deps/envoy-api) does not have; global rules take cost.request";

const tables: Array<[string, Record<string, FieldSupport>, string]> = [
  ['BackendTrafficPolicy', backendTrafficPolicyFields, 'backend-traffic-policy-fields'],
  ['ClientTrafficPolicy', clientTrafficPolicyFields, 'client-traffic-policy-fields'],
];

describe.each(tables)('%s field table', (kind, table) => {
  const paths = crdSpecFields(kind);

  it('has an entry for every field of the CRD schema', () => {
    expect(paths.filter((path) => !(path in table))).toEqual([]);
  });

  it('has no entry that is not a field', () => {
    const known = new Set(paths);
    expect(Object.keys(table).filter((path) => !known.has(path))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    expect(missingTests(table, xdsRoot)).toEqual([]);
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
  it.each(tables)('the %s table in services/xds/README.md is rendered from the code', (kind, table, marker) => {
    expectReadmeTable(marker, kind, table);
  });
});
