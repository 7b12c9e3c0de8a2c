// Golden files: testdata/end-to-end/<case>.in.yaml -> <case>.out.json (snapshots, statuses, rate
// limit domains, authz policies, certificates). Regenerate with
//   pnpm --filter @gatehouse/xds golden:update   (UPDATE_GOLDEN=1)
// and review the diff. An output without input (an orphan) fails the run; the update deletes it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedGolden, outdatedOutputs, UPDATE_HINT } from '../testing/golden-files.js';
import { goldenOptionsFor, goldenOutput } from './golden-output.js';
import { loadResourcesFromFiles } from './provider/load-files.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'end-to-end');
const cases = readdirSync(testdata).filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length));

describe('golden translation', () => {
  // The first validation compiles the CRD schemas (seconds on a busy machine): do it before the cases.
  beforeAll(() => void loadResourcesFromFiles(cases.map((name) => ({ path: name, text: readFileSync(join(testdata, `${name}.in.yaml`), 'utf8') }))), 60_000);

  it('has no orphaned outputs', () => {
    const wanted = (file: string) => cases.includes(file.slice(0, -'.out.json'.length));
    expect(outdatedOutputs(testdata, '.out.json', wanted), `outputs without an input; ${UPDATE_HINT}`).toEqual([]);
  });

  for (const name of cases) {
    it(name, () => {
      const input = readFileSync(join(testdata, `${name}.in.yaml`), 'utf8');
      const actual = `${JSON.stringify(goldenOutput(`${name}.in.yaml`, input, goldenOptionsFor(name)), null, 2)}\n`;
      const expected = expectedGolden(join(testdata, `${name}.out.json`), actual);
      expect(expected, `${name}.out.json is missing; ${UPDATE_HINT}`).toBeDefined();
      expect(actual, `${name}.out.json differs; ${UPDATE_HINT}`).toBe(expected);
    });
  }
});
