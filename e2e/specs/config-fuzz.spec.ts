// Fuzzes every config loader with thousands of mutated configs. None may crash (an untyped exception),
// hang, or reject without naming the file and the path of the problem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue as formatCertsIssue, validateResource } from '@gatehouse/schemas';
import { mutants } from '../fuzz/mutate-yaml.js';
import { repoRoot } from '../harness/index.js';
import { parseDomainConfig } from '../../services/ratelimit/src/core/config-parser.js';
import { formatConfigIssue as formatRateLimitIssue, RateLimitConfigError } from '../../services/ratelimit/src/errors.js';
import { formatConfigIssue, loadPolicies } from '../../services/authz/src/core/load-policies.js';
import { loadResourcesFromFiles, translateAll } from '../../services/xds/src/core/index.js';
import { ConfigIntake as CertsConfigIntake } from '../../services/certs/src/workflow/config-intake.js';

const CASES_PER_SEED = Number(process.env.FUZZ_CASES ?? 2500);

interface Loader {
  readonly name: string;
  readonly seeds: readonly string[];
  /** Loads the text the way the service does and returns every problem it reports; an exception is a crash. */
  problems(text: string, file: string): string[];
}

const example = (name: string): string => readFileSync(join(repoRoot, 'deploy', 'examples', name), 'utf8');
const endpoint = (clusterName: string, port: number) => ({ clusterName, host: '127.0.0.1', port });

const ratelimitSeed = `domain: api
descriptors:
  - key: remote_address
    rate_limit: { unit: second, requests_per_unit: 10 }
  - key: user
    value: "premium*"
    rate_limit: { unit: minute, requests_per_unit: 1000, name: premium }
    shadow_mode: true
    descriptors:
      - key: path
        value: /upload
        rate_limit: { unit: hour, requests_per_unit: 5 }
        detailed_metric: true
  - key: header_match
    value: internal
    rate_limit: { unlimited: true }
  - key: tenant
    descriptors:
      - key: plan
        value: free
        rate_limit: { unit: day, requests_per_unit: 100, replaces: [{ name: premium }] }
`;

const LOADERS: Loader[] = [
  {
    name: 'ratelimit config (envoyproxy/ratelimit YAML)',
    seeds: [ratelimitSeed],
    problems(text, file) {
      try {
        parseDomainConfig(text, file);
        return [];
      } catch (err) {
        if (err instanceof RateLimitConfigError) return err.issues.map(formatRateLimitIssue);
        throw err;
      }
    },
  },
  {
    name: 'authz policies (SecurityPolicy YAML)',
    seeds: [example('jwt-api.yaml'), example('oidc-app.yaml')],
    problems: (text, file) => loadPolicies([{ file, text }], 'fuzz').issues.map(formatConfigIssue),
  },
  {
    name: 'xds gateway config (Gateway API + Envoy Gateway YAML), translated',
    seeds: [[example('gateway.yaml'), example('jwt-api.yaml'), example('oidc-app.yaml')].join('\n---\n')],
    problems(text, file) {
      const loaded = loadResourcesFromFiles([{ path: file, text }]);
      // Whatever loads must also translate without throwing; problems become status conditions.
      translateAll(loaded.resources, { authz: endpoint('authz', 9001), rateLimit: endpoint('ratelimit', 8081), certs: endpoint('certs', 8089) });
      return [
        ...loaded.fileErrors.map((e) => `${e.file}:${e.line}: ${e.message}`),
        ...loaded.resources.flatMap((r) => (r.issues ?? []).map((i) => i.formatted ?? `${file}: ${i.path}: ${i.message}`)),
      ];
    },
  },
  {
    name: 'certs config (cert-manager YAML)',
    seeds: [readFileSync(join(repoRoot, 'deploy', 'acme', 'cluster-issuer.yaml'), 'utf8')],
    problems(text, file) {
      return new CertsConfigIntake(validateResource).apply([{ path: file, text }]).issues.map(formatCertsIssue);
    },
  },
];

describe.each(LOADERS)('$name', (loader) => {
  it(`survives ${CASES_PER_SEED} mutants per seed, rejecting each bad one with its file and path`, () => {
    const outcome = { accepted: 0, rejected: 0 };
    loader.seeds.forEach((seedText, seedIndex) => {
      expect(loader.problems(seedText, 'seed.yaml'), 'the seed itself must load cleanly').toEqual([]);
      let index = 0;
      for (const text of mutants(seedText, 1000 + seedIndex, CASES_PER_SEED)) {
        const file = `case-${seedIndex}-${index++}.yaml`;
        let problems: string[];
        try {
          problems = loader.problems(text, file);
        } catch (err) {
          throw new Error(`${file}: crashed with ${(err as Error)?.name ?? typeof err} for input:\n${text.slice(0, 2000)}\n${(err as Error)?.stack ?? String(err)}`);
        }
        for (const problem of problems) expect(problem, `${file}: every problem names its file`).toContain(file);
        if (problems.length) outcome.rejected++;
        else outcome.accepted++;
      }
    });
    // Most mutants break the config; if none did, the mutator is not doing its job.
    expect(outcome.rejected).toBeGreaterThan(outcome.accepted / 4);
    console.info(`${loader.name}: ${outcome.rejected} rejected, ${outcome.accepted} accepted`);
  });
});
