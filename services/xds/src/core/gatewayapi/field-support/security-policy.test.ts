// The SecurityPolicy field table is complete (every field of the v1.9 CRD has an entry, or sits under
// a refused one), a refused field in a policy makes it Accepted=False naming the field, and the xds
// README's SecurityPolicy table is the table rendered (UPDATE_GOLDEN=1 rewrites it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCrdSchema } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { UPDATE_GOLDEN, UPDATE_HINT } from '../../../testing/golden-files.js';
import { loadResourcesFromFiles } from '../../provider/load-files.js';
import { DEFAULT_CONTROLLER_NAME, translateGatewayApi } from '../translate.js';
import { findRefusedFields, supportOf } from './refused-fields.js';
import { markedSection, renderFieldTable } from './render-table.js';
import { securityPolicyFields } from './security-policy.js';

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

const crd = findCrdSchema('gateway.envoyproxy.io/v1alpha1', 'SecurityPolicy');
const spec = (crd?.openAPIV3Schema as { properties: { spec: unknown } } | undefined)?.properties.spec;

describe('SecurityPolicy field table', () => {
  it('has an entry for every field of the v1.9 CRD (its own, or a refused ancestor)', () => {
    expect(spec).toBeDefined();
    const fields = [...new Set(schemaFields(spec, 'spec', []))];
    expect(fields.length).toBeGreaterThan(100);
    expect(fields.filter((field) => supportOf(securityPolicyFields, field) === undefined)).toEqual([]);
  });

  it('names only fields the CRD has', () => {
    const fields = new Set(schemaFields(spec, 'spec', []));
    expect(Object.keys(securityPolicyFields).filter((field) => !fields.has(field))).toEqual([]);
  });

  it('finds the outermost refused field present in a spec, under arrays too', () => {
    const found = findRefusedFields({ extAuth: { http: { backendSettings: {} } }, jwt: { providers: [{ name: 'a', remoteJWKS: { uri: 'https://i/j', backendSettings: {} } }] }, cors: {} }, securityPolicyFields);
    expect(found.map((f) => f.split(':')[0])).toEqual(['spec.extAuth.http.backendSettings', 'spec.jwt.providers[0].remoteJWKS.backendSettings']);
  });

  it('makes a SecurityPolicy using every refused top-level field Accepted=False, naming each', () => {
    const refused = Object.entries(securityPolicyFields).filter(([field, support]) => support.status === 'refused' && field.split('.').length === 2);
    expect(refused.length).toBeGreaterThan(0);
    for (const [field] of refused) {
      const name = field.split('.')[1]!;
      const value = name === 'mergeType' ? 'StrategicMerge' : name === 'targetSelectors' ? [{ kind: 'HTTPRoute', matchLabels: { app: 'x' } }] : { additionalOrigins: ['https://example.com'] };
      const text = [
        'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: gc }\nspec: { controllerName: gatehouse.dev/gateway-controller }',
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: gw }\nspec: { gatewayClassName: gc, listeners: [{ name: http, protocol: HTTP, port: 8080 }] }',
        `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata: { name: p }\nspec:\n  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]\n  ${name}: ${JSON.stringify(value)}`,
      ].join('\n---\n');
      const { resources } = loadResourcesFromFiles([{ path: 'p.yaml', text }]);
      const status = translateGatewayApi(resources, DEFAULT_CONTROLLER_NAME).statuses.get('SecurityPolicy/default/p');
      const accepted = status && 'ancestors' in status ? status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted') : undefined;
      expect(accepted?.status, field).toBe('False');
      expect(accepted?.message, field).toContain(`${field}: `);
    }
  });

  it('is the SecurityPolicy table of the xds README', () => {
    const text = readFileSync(readme, 'utf8');
    const section = markedSection(text, 'security-policy-fields');
    expect(section, 'README lacks the security-policy-fields markers').toBeDefined();
    const rendered = `${renderFieldTable(securityPolicyFields)}`;
    if (UPDATE_GOLDEN && section && section.inside !== rendered) writeFileSync(readme, `${section.before}${rendered}${section.after}`);
    else expect(section?.inside, `the README's SecurityPolicy table differs; ${UPDATE_HINT}`).toBe(rendered);
    expect(existsSync(readme)).toBe(true);
  });
});
