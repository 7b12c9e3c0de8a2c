// Shape B golden files: testdata/in/<case>.yaml (the IR of one Gateway) -> testdata/out/<case>.
// <type>.yaml for each Envoy resource type the case produces (listeners, routes, clusters,
// endpoints, secrets). One case per translator behaviour, per HTTP filter in particular, so a diff
// names the filter that changed. Inputs are checked against the IR types when loaded (see
// ../ir/validate.ts); outputs against the Envoy protos, as the end-to-end set is. Rewrite with
// `pnpm -F @gatehouse/xds golden:update`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEnvoyResource } from '@gatehouse/envoy-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { caseNames, expectedGolden, outdatedOutputs, toGoldenYaml, UPDATE_HINT } from '../../testing/golden-files.js';
import { GOLDEN_OPTIONS } from '../golden-output.js';
import type { EnvoyResources } from '../ir/envoy-resources.js';
import type { GatewayIR } from '../ir/types.js';
import { checkGatewayIR } from '../ir/validate.js';
import { translateGateway } from './translate.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const inputs = join(testdata, 'in');
const outputs = join(testdata, 'out');
const TYPES = {
  listeners: 'envoy.config.listener.v3.Listener',
  routes: 'envoy.config.route.v3.RouteConfiguration',
  clusters: 'envoy.config.cluster.v3.Cluster',
  endpoints: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  secrets: 'envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;
const TYPE_NAMES = Object.keys(TYPES) as Array<keyof typeof TYPES>;

/** One case's IR, or an error naming the file and every field that does not fit the IR types. */
function parseIrCase(file: string, text: string): GatewayIR {
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    throw new Error(`${file}: not YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problems = checkGatewayIR(document);
  if (problems.length > 0) throw new Error(`${file} is not a valid GatewayIR:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return document as GatewayIR;
}

interface CaseResult {
  resources: EnvoyResources;
  /** "<case>.<type>.yaml" -> text, for the non-empty types only. */
  files: Map<string, string>;
}

function translateCase(name: string): CaseResult {
  const ir = parseIrCase(`in/${name}.yaml`, readFileSync(join(inputs, `${name}.yaml`), 'utf8'));
  const { resources } = translateGateway(ir, GOLDEN_OPTIONS);
  const files = new Map(TYPE_NAMES.filter((type) => resources[type].length > 0).map((type) => [`${name}.${type}.yaml`, toGoldenYaml(resources[type])]));
  return { resources, files };
}

const cases = caseNames(inputs, '.yaml');
/** Per case: its outputs, or why it could not be translated (reported by that case's test). */
const results = new Map<string, CaseResult | Error>();
for (const name of cases) {
  try {
    results.set(name, translateCase(name));
  } catch (err) {
    results.set(name, err instanceof Error ? err : new Error(String(err)));
  }
}

describe('translator golden files (IR -> Envoy resources)', () => {
  it('has no output that no case produces', () => {
    const wanted = (file: string) => {
      const name = cases.find((c) => TYPE_NAMES.some((type) => file === `${c}.${type}.yaml`));
      const result = name === undefined ? undefined : results.get(name);
      // A case that does not load keeps its outputs until it is fixed.
      return result instanceof Error || (result?.files.has(file) ?? false);
    };
    expect(outdatedOutputs(outputs, '.yaml', wanted), `outputs without an input or of a type the case no longer produces; ${UPDATE_HINT}`).toEqual([]);
  });

  for (const name of cases) {
    it(name, () => {
      const result = results.get(name)!;
      if (result instanceof Error) throw result;
      expect(result.files.size, `${name} produces no Envoy resources`).toBeGreaterThan(0);
      for (const [file, actual] of result.files) {
        const expected = expectedGolden(join(outputs, file), actual);
        expect(expected, `out/${file} is missing; ${UPDATE_HINT}`).toBeDefined();
        expect(actual, `out/${file} differs; ${UPDATE_HINT}`).toBe(expected);
      }
      // Known fields only, right types, the protos' protoc-gen-validate rules satisfied.
      const problems = TYPE_NAMES.flatMap((type) =>
        result.resources[type].flatMap((resource) => checkEnvoyResource(TYPES[type], resource).map((p) => `${type} ${String(resource.name ?? resource.cluster_name)}: ${p.path}: ${p.message}`)),
      );
      expect(problems, `${name}: not valid Envoy resources`).toEqual([]);
    });
  }

  it('names the file and the field when a case is not valid IR', () => {
    const broken = 'key: default/edge\nports: [{ name: p, port: 0, protocol: HTTP, chains: [] }]\nproxyless: []\nclusters: [{ name: c, endpoint: [], http2: false }]\n';
    expect(() => parseIrCase('in/broken.yaml', broken)).toThrow(
      [
        'in/broken.yaml is not a valid GatewayIR:',
        '  - ports[0].port: expected an integer from 1 to 65535, got 0',
        '  - clusters[0].endpoints: is required',
        '  - clusters[0].endpoint: is not a field here (expected name, endpoints, http2, grpc, policy, tls, dynamicResolver, fallback)',
        '  - secrets: is required',
      ].join('\n'),
    );
  });
});
