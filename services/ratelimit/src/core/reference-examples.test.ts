// Golden cases: the examples of envoyproxy/ratelimit's README (testdata/reference-examples.yaml)
// and the answers the reference gives for them.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDomainConfig } from './config-parser.js';
import { DomainMatcher } from './descriptor-matcher.js';

interface Expectation {
  descriptor: Array<[string, string]>;
  limit?: number | null;
  unit?: string;
  unlimited?: boolean;
  shadow?: boolean;
  metric?: string;
  cacheKeyBase?: string;
}

const cases = parse(readFileSync(new URL('./testdata/reference-examples.yaml', import.meta.url), 'utf8')) as Array<{
  name: string;
  config: string;
  expect: Expectation[];
}>;

describe.each(cases)('$name', ({ name, config, expect: expectations }) => {
  const matcher = new DomainMatcher(parseDomainConfig(config, `${name}.yaml`));
  it.each(expectations.map((e) => [e.descriptor.map(([k, v]) => `(${k}, ${v})`).join(', '), e] as const))('%s', (_label, e) => {
    const matched = matcher.match({ entries: e.descriptor.map(([key, value]) => ({ key, value: String(value) })) });
    if (e.limit === null) {
      expect(matched).toBeUndefined();
      return;
    }
    expect(matched).toBeDefined();
    if (e.unlimited !== undefined) expect(matched!.rule.unlimited).toBe(e.unlimited);
    if (e.limit !== undefined) expect(matched!.rule.requestsPerUnit).toBe(e.limit);
    if (e.unit !== undefined) expect(matched!.rule.unit?.toUpperCase()).toBe(e.unit);
    if (e.shadow !== undefined) expect(matched!.rule.shadowMode).toBe(e.shadow);
    if (e.metric !== undefined) expect(matched!.metricKey).toBe(e.metric);
    if (e.cacheKeyBase !== undefined) expect(matched!.cacheKeyBase).toBe(e.cacheKeyBase);
  });
});
