// The validators generated at build time (dist/validators) validate exactly as the schemas compiled at
// run time do: same issues, same document afterwards, on every resource of the repository's examples
// and golden inputs, and on broken variants of each. Needs `pnpm build` (like the catalog test).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCatalogHash, knownKinds } from '../dist/crd-catalog.js';
import { precompiledValidator } from '../dist/precompiled-validators.js';
import { validateResource as validatePrecompiled } from '../dist/validate-resource.js';
import { validateResource as validateCompiledHere } from './validate-resource.js';
import { parseYamlFile } from './yaml-documents.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const CORPUS = ['deploy/examples', 'services/xds/testdata/end-to-end', 'services/xds/src/core/gatewayapi/testdata'];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
}

/** Every document of the corpus, and for each a copy with an unknown field, one without spec and one with a wrongly typed spec. */
function corpus(): unknown[] {
  const docs = CORPUS.flatMap((dir) => yamlFiles(join(repo, dir))).flatMap((file) =>
    parseYamlFile(readFileSync(file, 'utf8'), file).documents.map((d) => d.value as Record<string, unknown>),
  );
  const objects = docs.filter((d) => d !== null && typeof d === 'object' && typeof d.kind === 'string');
  return [
    ...objects,
    ...objects.map((d) => ({ ...d, spec: { ...(d.spec as object), unknownField: 1 } })),
    ...objects.map(({ spec: _spec, ...rest }) => rest),
    ...objects.map((d) => ({ ...d, spec: 'x' })),
  ];
}

describe('precompiled validators', () => {
  it('exist for every kind of the catalog in use, and for the core kinds', () => {
    const hash = builtCatalogHash();
    expect(hash).toBeDefined();
    for (const key of [...knownKinds(), 'v1/Secret', 'v1/ConfigMap', 'v1/Namespace', 'v1/Service']) expect(precompiledValidator(key, hash), key).toBeTypeOf('function');
  });

  it('are not used for another catalog (a CRD edited after the build)', () => {
    expect(precompiledValidator('gateway.networking.k8s.io/v1/HTTPRoute', 'another hash')).toBeUndefined();
    expect(precompiledValidator('gateway.networking.k8s.io/v1/HTTPRoute', undefined)).toBeUndefined();
  });

  it('fill CRD defaults on a copy before checking required fields, like the run-time compiled ones', () => {
    const policy = {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'BackendTrafficPolicy',
      metadata: { name: 'override' },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'api' }],
        responseOverride: [{ match: { statusCodes: [{ value: 500 }] }, response: { contentType: 'text/plain', body: { inline: 'oops' } } }],
      },
    };
    expect(validatePrecompiled(policy)).toEqual([]);
    expect(policy.spec.responseOverride[0]!.match.statusCodes[0]).toEqual({ value: 500 });
    const noEnd = structuredClone(policy) as unknown as { spec: { responseOverride: Array<{ match: { statusCodes: unknown[] } }> } };
    noEnd.spec.responseOverride[0]!.match.statusCodes = [{ type: 'Range', range: { start: 500 } }];
    expect(validatePrecompiled(noEnd)).toEqual([{ path: '/spec/responseOverride/0/match/statusCodes/0/range/end', message: 'required field is missing' }]);
  });

  it('report what the run-time compiled schemas report and leave the document alike', () => {
    const docs = corpus();
    expect(docs.length).toBeGreaterThan(400);
    let invalid = 0;
    for (const doc of docs) {
      const a = structuredClone(doc);
      const b = structuredClone(doc);
      const issues = validatePrecompiled(a);
      expect(issues).toEqual(validateCompiledHere(b));
      expect(a).toEqual(b);
      if (issues.length > 0) invalid++;
    }
    expect(invalid).toBeGreaterThan(docs.length / 2);
  }, 120_000);
});
