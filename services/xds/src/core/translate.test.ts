// Properties the server side relies on: versions are content hashes of the output, so translation
// must be deterministic, independent of input order, and must not touch its input.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateResource } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { goldenOutput, GOLDEN_OPTIONS } from './golden-output.js';
import { loadResourcesFromFiles } from './provider/load-files.js';
import type { GatewayResource } from './provider/resource-types.js';
import { translateAll } from './translate.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'end-to-end');
const inputs = readdirSync(testdata)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => ({ path: f, text: readFileSync(join(testdata, f), 'utf8') }));

// Loaded once while collecting: the first load compiles the CRD schemas, which takes seconds.
const loaded = loadResourcesFromFiles(inputs).resources;

const serialise = (result: ReturnType<typeof translateAll>) =>
  JSON.stringify({ ...result, snapshots: [...result.snapshots].sort(), statuses: [...result.statuses].sort(), authzSecrets: [...result.authzSecrets].sort() });

describe('translateAll', () => {
  it('gives the same output for the same input, whatever the document order', () => {
    const resources = loaded;
    const reversed = [...resources].reverse();
    const rotated = [...resources.slice(7), ...resources.slice(0, 7)];
    const expected = serialise(translateAll(resources, GOLDEN_OPTIONS));
    expect(serialise(translateAll(reversed, GOLDEN_OPTIONS))).toBe(expected);
    expect(serialise(translateAll(rotated, GOLDEN_OPTIONS))).toBe(expected);
  });

  it('does not modify the resources it is given', () => {
    const resources = loadResourcesFromFiles(inputs).resources;
    const before = JSON.stringify(resources);
    translateAll(resources, GOLDEN_OPTIONS);
    expect(JSON.stringify(resources)).toBe(before);
  });

  it('keeps serving the valid part of a config next to a broken resource', () => {
    const valid = inputs.find((i) => i.path === 'httproute-basic.in.yaml')!;
    const broken = `${valid.text}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: broken }\nspec:\n  parentRefs: [{ name: web }]\n  rules: [{ matches: [{ path: { type: Nope } }] }]\n`;
    const good = goldenOutput(valid.path, valid.text, GOLDEN_OPTIONS) as { snapshots: unknown };
    const mixed = goldenOutput(valid.path, broken, GOLDEN_OPTIONS) as { snapshots: unknown; statuses: Record<string, { parents: Array<{ conditions: Array<{ status: string; reason: string }> }> }> };
    expect(mixed.snapshots).toEqual(good.snapshots);
    expect(mixed.statuses['HTTPRoute/default/broken']?.parents[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
  });

  it('serves no Gateway of a class it does not control', () => {
    const text = inputs.find((i) => i.path === 'httproute-basic.in.yaml')!.text.replace('gatehouse.dev/gateway-controller', 'example.com/other');
    const result = translateAll(loadResourcesFromFiles([{ path: 'x.yaml', text }]).resources, GOLDEN_OPTIONS);
    expect([...result.snapshots.keys()]).toEqual([]);
    expect(result.statuses.get('Gateway/default/web')).toMatchObject({ conditions: [{ type: 'Accepted', status: 'False', reason: 'InvalidParameters' }, { type: 'Programmed', status: 'False' }] });
  });

  it('stamps conditions with the generation of the resource they describe', () => {
    const text = inputs.find((i) => i.path === 'httproute-basic.in.yaml')!.text.replace('  name: api\nspec:\n  parentRefs', '  name: api\n  generation: 7\nspec:\n  parentRefs');
    const result = translateAll(loadResourcesFromFiles([{ path: 'x.yaml', text }]).resources, GOLDEN_OPTIONS);
    const route = result.statuses.get('HTTPRoute/default/api') as { parents: Array<{ conditions: Array<{ observedGeneration?: number }> }> };
    expect(route.parents[0]!.conditions.map((c) => c.observedGeneration)).toEqual([7, 7]);
    const gateway = result.statuses.get('Gateway/default/web') as { conditions: Array<{ observedGeneration?: number }> };
    expect(gateway.conditions[0]!.observedGeneration).toBeUndefined();
  });

  it('never throws on resources that failed their schema, whatever their shape', () => {
    // Invalid resources stay in the set to get a status, so no step may trip over their fields.
    // Seeded corruption of every golden input, validated the way the provider validates.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const junk: unknown[] = [null, 'x', 42, -1, true, [], {}, [1], { a: 1 }, ''];
    const corrupt = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map((v) => (random() < 0.1 ? junk[Math.floor(random() * junk.length)] : corrupt(v)));
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, random() < 0.1 ? junk[Math.floor(random() * junk.length)] : corrupt(v)]));
    };
    let translations = 0;
    for (const input of inputs) {
      const base = loadResourcesFromFiles([input], { validate: false }).resources;
      for (let round = 0; round < 15; round++) {
        const resources = base.map((resource) => {
          const { issues: _issues, source: _source, ...document } = resource;
          const damaged = { ...(corrupt(document) as object), apiVersion: resource.apiVersion, kind: resource.kind, metadata: resource.metadata } as GatewayResource;
          const issues = validateResource(damaged);
          return issues.length > 0 ? { ...damaged, issues } : damaged;
        });
        expect(() => translateAll(resources, GOLDEN_OPTIONS)).not.toThrow();
        translations++;
      }
    }
    expect(translations).toBe(inputs.length * 15);
  });
});

