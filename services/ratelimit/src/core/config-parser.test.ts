import { describe, expect, it } from 'vitest';
import { RateLimitConfigError, type ConfigIssue } from '../errors.js';
import { parseDomainConfig, parseDomainDocument } from './config-parser.js';
import { loadDomainConfigs } from './rate-limit-config.js';

function issuesOf(text: string, file = 'limits.yaml'): ConfigIssue[] {
  try {
    parseDomainConfig(text, file);
  } catch (err) {
    if (err instanceof RateLimitConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseDomainConfig', () => {
  it('reads every reference field', () => {
    const config = parseDomainConfig(
      `domain: test-domain
descriptors:
  - key: key1
    value: value1
    shadow_mode: true
    detailed_metric: true
    quota_mode: false
    value_to_metric: true
    share_threshold: false
    rate_limit:
      unit: MINUTE
      requests_per_unit: 20
      unit_multiplier: 5
      name: first
      replaces:
        - name: other
    descriptors:
      - key: subkey
        rate_limit:
          unlimited: true
`,
      'limits.yaml',
    );
    expect(config.domain).toBe('test-domain');
    const d = config.descriptors[0]!;
    expect(d).toMatchObject({ key: 'key1', value: 'value1', valueToMetric: true, shareThreshold: false, path: 'test-domain.key1_value1', line: 3 });
    expect(d.rule).toMatchObject({
      fullKey: 'test-domain.key1_value1',
      unit: 'minute',
      requestsPerUnit: 20,
      unitMultiplier: 5,
      windowSeconds: 300,
      name: 'first',
      replaces: ['other'],
      shadowMode: true,
      detailedMetric: true,
      algorithm: 'fixed_window',
    });
    expect(d.children[0]!.rule).toMatchObject({ unlimited: true, unit: undefined, fullKey: 'test-domain.key1_value1.subkey' });
  });

  it('keeps scalar values as written, like the reference', () => {
    const config = parseDomainConfig('domain: d\ndescriptors:\n  - key: v\n    value: 1.0\n  - key: w\n    value: 010\n', 'f.yaml');
    expect(config.descriptors.map((d) => d.value)).toEqual(['1.0', '010']);
  });

  it('accepts week, month and year units and Gatehouse algorithms', () => {
    const config = parseDomainConfig(
      `domain: d
descriptors:
  - key: a
    rate_limit: { unit: week, requests_per_unit: 1 }
  - key: b
    rate_limit: { unit: year, requests_per_unit: 1, algorithm: sliding_window }
  - key: c
    rate_limit: { unit: second, unit_multiplier: 30, requests_per_unit: 10, algorithm: gcra, burst: 3 }
`,
      'f.yaml',
    );
    expect(config.descriptors.map((d) => d.rule!.windowSeconds)).toEqual([604_800, 31_536_000, 30]);
    expect(config.descriptors[2]!.rule).toMatchObject({ algorithm: 'gcra', burst: 3 });
  });

  it('rejects an unknown key, naming file, line and descriptor path', () => {
    const [issue] = issuesOf('domain: d\ndescriptors:\n  - key: k\n    value: v\n    rate_limt:\n      unit: second\n');
    expect(issue).toMatchObject({ code: 'GH_RATELIMIT_CONFIG_UNKNOWN_KEY', file: 'limits.yaml', line: 5, path: 'd.k_v' });
    expect(issue!.message).toContain("unknown key 'rate_limt'");
  });

  it('rejects an unknown key inside rate_limit', () => {
    const [issue] = issuesOf('domain: d\ndescriptors:\n  - key: k\n    rate_limit:\n      unit: second\n      requests_per_unit: 1\n      burst_size: 3\n');
    expect(issue).toMatchObject({ code: 'GH_RATELIMIT_CONFIG_UNKNOWN_KEY', line: 7, path: 'd.k.rate_limit' });
  });

  it('rejects duplicate descriptors with the composite key', () => {
    const [issue] = issuesOf('domain: d\ndescriptors:\n  - key: k\n    value: v\n  - key: k\n    value: v\n');
    expect(issue).toMatchObject({ code: 'GH_RATELIMIT_CONFIG_DUPLICATE_DESCRIPTOR', line: 5, path: 'd.k_v' });
    expect(issue!.message).toBe("duplicate descriptor composite key 'd.k_v'");
  });

  it('rejects a bad unit', () => {
    const [issue] = issuesOf('domain: d\ndescriptors:\n  - key: k\n    descriptors:\n      - key: s\n        rate_limit:\n          unit: fortnight\n          requests_per_unit: 1\n');
    expect(issue).toMatchObject({ code: 'GH_RATELIMIT_CONFIG_BAD_UNIT', line: 7, path: 'd.k.s' });
    expect(issue!.message).toContain("invalid rate limit unit 'fortnight'");
  });

  it('rejects a rate_limit without a unit', () => {
    expect(issuesOf('domain: d\ndescriptors:\n  - key: k\n    rate_limit:\n      requests_per_unit: 1\n')[0]!.code).toBe('GH_RATELIMIT_CONFIG_BAD_UNIT');
  });

  it('rejects unlimited together with a unit', () => {
    const [issue] = issuesOf('domain: d\ndescriptors:\n  - key: k\n    rate_limit:\n      unlimited: true\n      unit: second\n');
    expect(issue).toMatchObject({ code: 'GH_RATELIMIT_CONFIG_UNLIMITED_WITH_UNIT', path: 'd.k', line: 6 });
  });

  it('rejects an empty domain and an empty key', () => {
    expect(issuesOf('descriptors: []\n')[0]!.code).toBe('GH_RATELIMIT_CONFIG_EMPTY_DOMAIN');
    expect(issuesOf('domain: d\ndescriptors:\n  - value: v\n')[0]!.code).toBe('GH_RATELIMIT_CONFIG_EMPTY_KEY');
  });

  it('rejects empty and self-referencing replaces', () => {
    expect(issuesOf('domain: d\ndescriptors:\n  - key: k\n    rate_limit:\n      unit: second\n      requests_per_unit: 1\n      replaces:\n        - name: ""\n')[0]!.code).toBe(
      'GH_RATELIMIT_CONFIG_BAD_REPLACES',
    );
    expect(
      issuesOf('domain: d\ndescriptors:\n  - key: k\n    rate_limit:\n      unit: second\n      requests_per_unit: 1\n      name: me\n      replaces:\n        - name: me\n')[0]!.message,
    ).toBe('replaces should not contain name of same descriptor');
  });

  it('rejects bad scalar types and invalid YAML', () => {
    expect(issuesOf('domain: d\ndescriptors:\n  - key: k\n    rate_limit:\n      unit: second\n      requests_per_unit: -1\n')[0]!.code).toBe('GH_RATELIMIT_CONFIG_BAD_VALUE');
    expect(issuesOf('domain: d\ndescriptors:\n  - key: k\n    shadow_mode: maybe\n')[0]!.code).toBe('GH_RATELIMIT_CONFIG_BAD_VALUE');
    expect(issuesOf('domain: [unclosed\n')[0]!.code).toBe('GH_RATELIMIT_CONFIG_YAML');
    expect(issuesOf('domain: d\ndescriptors:\n  - key: k\n    rate_limit: { unit: second, requests_per_unit: 1, burst: 2 }\n')[0]!.message).toContain('gcra');
  });

  it('names the domain of an invalid document, but not of one that is not YAML', () => {
    const invalid = parseDomainDocument('domain: d\ndescriptors:\n  - key: k\n    rate_limt: {}\n', 'f.yaml');
    expect(invalid.domain).toBe('d');
    expect(invalid.config).toBeUndefined();
    expect(parseDomainDocument('domain: [unclosed\n', 'f.yaml').domain).toBeUndefined();
    expect(parseDomainDocument('domain: ""\n', 'f.yaml').domain).toBeUndefined();
  });

  it('reports every problem of a document at once', () => {
    const issues = issuesOf('domain: d\nextra: 1\ndescriptors:\n  - key: k\n    rate_limit:\n      unit: eon\n');
    expect(issues.map((i) => i.code).sort()).toEqual(['GH_RATELIMIT_CONFIG_BAD_UNIT', 'GH_RATELIMIT_CONFIG_UNKNOWN_KEY']);
  });
});

describe('loadDomainConfigs', () => {
  const a = { path: 'a.yaml', text: 'domain: d\ndescriptors:\n  - key: k1\n    rate_limit: { unit: second, requests_per_unit: 1 }\n' };
  const b = { path: 'b.yaml', text: 'domain: d\ndescriptors:\n  - key: k2\n    rate_limit: { unit: second, requests_per_unit: 2 }\n' };

  it('rejects a domain defined in two files', () => {
    expect(() => loadDomainConfigs([a, b], { mergeDomains: false })).toThrow(/b\.yaml:1: d: GH_RATELIMIT_CONFIG_DUPLICATE_DOMAIN: duplicate domain 'd'/);
  });

  it('merges a domain across files when asked (MERGE_DOMAIN_CONFIG)', () => {
    const [domain] = loadDomainConfigs([a, b], { mergeDomains: true });
    expect(domain!.descriptors.map((d) => d.key)).toEqual(['k1', 'k2']);
    expect(() => loadDomainConfigs([a, a], { mergeDomains: true })).toThrow(/GH_RATELIMIT_CONFIG_DUPLICATE_DESCRIPTOR/);
  });

  it('rejects the whole set when one document is bad', () => {
    const bad = { path: 'bad.yaml', text: 'domain: e\ndescriptors:\n  - key: k\n    rate_limit: { unit: eon }\n' };
    expect(() => loadDomainConfigs([a, bad], { mergeDomains: false })).toThrow(/bad\.yaml:4: e\.k/);
  });
});
