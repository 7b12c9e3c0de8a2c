// Shape A golden files: testdata/<case>.in.yaml (Gateway API resources) -> testdata/<case>.out.yaml:
// every resource's status, the IR of each Gateway, and the side effects (rate limit domains, authz
// policies and the Secrets they read, certificates wanted). One case per story, bad input above all:
// a diff here names the gatewayapi step that changed. The IR is also checked against the IR types
// (../ir/validate.ts). Rewrite with `pnpm -F @gatehouse/xds golden:update`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseNames, expectedGolden, outdatedOutputs, sortedObject, toGoldenYaml, UPDATE_HINT } from '../../testing/golden-files.js';
import type { GatewayIR } from '../ir/types.js';
import { checkGatewayIR } from '../ir/validate.js';
import { loadResourcesFromFiles } from '../provider/load-files.js';
import { buildRateLimitDomain } from '../translator/ratelimit-config.js';
import { DEFAULT_CONTROLLER_NAME, translateGatewayApi } from './translate.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const cases = caseNames(testdata, '.in.yaml');
const read = (name: string) => ({ path: `${name}.in.yaml`, text: readFileSync(join(testdata, `${name}.in.yaml`), 'utf8') });

/** What one input case records, as plain data, and the IR it checks against the IR types. */
function translateCase(name: string): { output: Record<string, unknown>; gateways: GatewayIR[] } {
  const loaded = loadResourcesFromFiles([read(name)]);
  // Lua is off by default (XDS_ENABLE_LUA); these cases show it translated, but for `*lua-disabled*`.
  const result = translateGatewayApi(loaded.resources, DEFAULT_CONTROLLER_NAME, { enableLua: !name.includes('lua-disabled') });
  const output = {
    ...(loaded.fileErrors.length > 0 ? { fileErrors: loaded.fileErrors } : {}),
    statuses: sortedObject(result.statuses),
    gateways: sortedObject(new Map(result.gateways.map((gateway) => [gateway.key, gateway]))),
    sideEffects: {
      // Derived from the IR by the translator's half of the rate limit plan; recorded here because
      // it is what the policies of this input publish to the ratelimit service.
      rateLimitDomains: result.gateways.flatMap((gateway) => gateway.ports.flatMap((port) => port.chains.flatMap((chain) => buildRateLimitDomain(chain) ?? []))),
      authzPolicies: result.authzPolicies,
      authzSecrets: sortedObject(result.authzSecrets, (secret) => sortedObject(new Map(Object.entries(secret.data)), (value) => value.toString('utf8'))),
      certificatesWanted: result.certificatesWanted,
    },
  };
  return { output, gateways: result.gateways };
}

describe('gatewayapi golden files (resources -> statuses, IR, side effects)', () => {
  // The first validation compiles the CRD schemas (seconds on a busy machine): do it before the cases.
  beforeAll(() => void loadResourcesFromFiles(cases.map(read)), 60_000);

  it('has no output without an input', () => {
    const wanted = (file: string) => cases.includes(file.slice(0, -'.out.yaml'.length));
    expect(outdatedOutputs(testdata, '.out.yaml', wanted), `outputs without an input; ${UPDATE_HINT}`).toEqual([]);
  });

  for (const name of cases) {
    it(name, () => {
      const { output, gateways } = translateCase(name);
      const actual = toGoldenYaml(output);
      const expected = expectedGolden(join(testdata, `${name}.out.yaml`), actual);
      expect(expected, `${name}.out.yaml is missing; ${UPDATE_HINT}`).toBeDefined();
      expect(actual, `${name}.out.yaml differs; ${UPDATE_HINT}`).toBe(expected);
      // The stage's IR fits the IR types, so any Gateway here could be a translator case as it is.
      expect(gateways.flatMap((gateway) => checkGatewayIR(gateway).map((problem) => `${gateway.key}: ${problem}`)), `${name}: IR outside the IR types`).toEqual([]);
    });
  }
});
