// What translation publishes for the other services must load in their own loaders: every rate
// limit domain in the ratelimit service's parser (the envoyproxy/ratelimit format), every
// SecurityPolicy, with the Secrets it names, in the authz service's policy loader. Reading their
// source here catches drift between the two sides of a contract in one test run.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, loadPolicies } from '../../../authz/src/core/load-policies.js';
import { parseDomainConfig } from '../../../ratelimit/src/core/config-parser.js';

interface Output {
  rateLimitDomains: Array<{ domain: string; yaml: string }>;
  authzPolicies: Array<{ namespace: string; name: string; yaml: string }>;
  authzSecrets: Record<string, Record<string, string>>;
}

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'end-to-end');
const outputs = readdirSync(testdata)
  .filter((f) => f.endsWith('.out.json'))
  .map((file) => ({ file, output: JSON.parse(readFileSync(join(testdata, file), 'utf8')) as Output }));

describe('published configuration loads in the consuming services', () => {
  it('every rate limit domain parses in the ratelimit service, under its own domain name', () => {
    const domains = outputs.flatMap(({ file, output }) => output.rateLimitDomains.map((d) => ({ file, ...d })));
    expect(domains.length).toBeGreaterThan(0);
    for (const { file, domain, yaml } of domains) expect(parseDomainConfig(yaml, `${file}:${domain}`).domain).toBe(domain);
  });

  it('every accepted SecurityPolicy loads in the authz service with the Secrets published beside it', () => {
    const withPolicies = outputs.filter(({ output }) => output.authzPolicies.length > 0);
    expect(withPolicies.length).toBeGreaterThan(0);
    for (const { file, output } of withPolicies) {
      const extraData = new Map(
        Object.entries(output.authzSecrets).map(([key, data]) => [key, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)]))]),
      );
      const files = output.authzPolicies.map((p) => ({ file: `${file}:${p.namespace}/${p.name}`, text: p.yaml }));
      const result = loadPolicies(files, 'golden', { extraData, partial: true });
      expect(result.issues.map(formatConfigIssue)).toEqual([]);
      expect(result.rejected ?? []).toEqual([]);
    }
  }, 30_000);
});
