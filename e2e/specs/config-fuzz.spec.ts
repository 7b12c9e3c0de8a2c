// Fuzzes every config loader with thousands of mutated configs. None may crash (an untyped exception),
// hang, or reject without naming the file and the path of the problem.
import { describe, expect, it } from 'vitest';
import { mutants } from '../fuzz/mutate-yaml.js';
import { parseDomainConfig } from '../../services/ratelimit/src/core/config-parser.js';
import { RateLimitConfigError } from '../../services/ratelimit/src/core/config-error.js';

const CASES_PER_SEED = Number(process.env.FUZZ_CASES ?? 2500);

interface Loader {
  readonly name: string;
  readonly seeds: readonly string[];
  /** Loads the text; throws the loader's typed error on bad input. */
  load(text: string, file: string): void;
  /** The typed rejection this loader promises, and the message it shows the user. */
  rejection(err: unknown): string | undefined;
}

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
    load: (text, file) => void parseDomainConfig(text, file),
    rejection: (err) => (err instanceof RateLimitConfigError ? err.message : undefined),
  },
];

describe.each(LOADERS)('$name', (loader) => {
  it(`survives ${CASES_PER_SEED} mutants per seed, rejecting each bad one with its file and path`, () => {
    const outcome = { accepted: 0, rejected: 0 };
    loader.seeds.forEach((seedText, seedIndex) => {
      expect(() => loader.load(seedText, 'seed.yaml'), 'the seed itself must load').not.toThrow();
      let index = 0;
      for (const text of mutants(seedText, 1000 + seedIndex, CASES_PER_SEED)) {
        const file = `case-${seedIndex}-${index++}.yaml`;
        try {
          loader.load(text, file);
          outcome.accepted++;
        } catch (err) {
          const message = loader.rejection(err);
          if (message === undefined) {
            throw new Error(`${file}: untyped ${(err as Error)?.name ?? typeof err} for input:\n${text.slice(0, 2000)}\n${(err as Error)?.stack ?? String(err)}`);
          }
          expect(message, `${file} must name the file`).toContain(file);
          outcome.rejected++;
        }
      }
    });
    // Most mutants break the config; if none did, the mutator is not doing its job.
    expect(outcome.rejected).toBeGreaterThan(outcome.accepted / 4);
    console.info(`${loader.name}: ${outcome.rejected} rejected, ${outcome.accepted} accepted`);
  });
});
