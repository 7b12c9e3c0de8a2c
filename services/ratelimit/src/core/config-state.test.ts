import { describe, expect, it } from 'vitest';
import { RateLimitConfigState } from './config-state.js';
import { domainCandidates, type ConfigDocument } from './rate-limit-config.js';

const yaml = (domain: string, limit: number | string): string => `domain: ${domain}\ndescriptors:\n  - key: k\n    rate_limit: { unit: second, requests_per_unit: ${limit} }\n`;
const BROKEN_UNIT = (domain: string): string => `domain: ${domain}\ndescriptors:\n  - key: k\n    rate_limit: { unit: fortnight, requests_per_unit: 1 }\n`;

function deliver(state: RateLimitConfigState, source: string, documents: ConfigDocument[], mergeDomains = false) {
  return state.apply(source, domainCandidates(documents, { mergeDomains }));
}

const limitOf = (state: RateLimitConfigState, domain: string): number | undefined => state.config.matcher(domain)?.config.descriptors[0]?.rule?.requestsPerUnit;

describe('RateLimitConfigState: precedence', () => {
  it('merges domains from every source, the first source in precedence winning a clash', () => {
    const state = new RateLimitConfigState(['files', 'redis']);
    deliver(state, 'redis', [
      { path: 'redis:xds', text: yaml('shared', 1), key: 'shared' },
      { path: 'redis:xds', text: yaml('pushed', 2), key: 'pushed' },
    ]);
    deliver(state, 'files', [{ path: 'shared.yaml', text: yaml('shared', 3) }]);
    expect(state.config.matcher('shared')!.config.source).toBe('shared.yaml');
    expect(state.config.matcher('pushed')!.config.source).toBe('redis:xds');
  });

  it('drops a pushed domain when a new publication no longer has it', () => {
    const state = new RateLimitConfigState(['files', 'redis']);
    deliver(state, 'redis', [{ path: 'redis:x', text: yaml('a', 1), key: 'a' }]);
    deliver(state, 'redis', []);
    expect(state.config.matcher('a')).toBeUndefined();
  });
});

describe('RateLimitConfigState: last good, per domain', () => {
  it('keeps serving the last good version of a domain that turns invalid, and updates the others', () => {
    const state = new RateLimitConfigState(['files']);
    deliver(state, 'files', [
      { path: 'a.yaml', text: yaml('a', 1) },
      { path: 'b.yaml', text: yaml('b', 1) },
    ]);
    const report = deliver(state, 'files', [
      { path: 'a.yaml', text: BROKEN_UNIT('a') },
      { path: 'b.yaml', text: yaml('b', 2) },
    ]);
    expect(limitOf(state, 'a')).toBe(1);
    expect(limitOf(state, 'b')).toBe(2);
    expect(report.stale).toEqual([
      expect.objectContaining({ domain: 'a', generation: 2, servingGeneration: 1, issues: [expect.objectContaining({ code: 'GH_RATELIMIT_CONFIG_BAD_UNIT', file: 'a.yaml', line: 4, path: 'a.k' })] }),
    ]);
    expect(state.health.stale.map((e) => e.key)).toEqual(['files:a']);
  });

  it('serves the new version the moment it is valid again', () => {
    const state = new RateLimitConfigState(['files']);
    deliver(state, 'files', [{ path: 'a.yaml', text: yaml('a', 1) }]);
    deliver(state, 'files', [{ path: 'a.yaml', text: BROKEN_UNIT('a') }]);
    const report = deliver(state, 'files', [{ path: 'a.yaml', text: yaml('a', 5) }]);
    expect(limitOf(state, 'a')).toBe(5);
    expect(report.stale).toEqual([]);
  });

  it('does not serve a domain that was never valid', () => {
    const state = new RateLimitConfigState(['files']);
    const report = deliver(state, 'files', [
      { path: 'a.yaml', text: BROKEN_UNIT('a') },
      { path: 'b.yaml', text: yaml('b', 1) },
    ]);
    expect(state.config.matcher('a')).toBeUndefined();
    expect(limitOf(state, 'b')).toBe(1);
    expect(report.refused).toEqual([expect.objectContaining({ domain: 'a', issues: [expect.objectContaining({ code: 'GH_RATELIMIT_CONFIG_BAD_UNIT' })] })]);
  });

  it('keeps every domain of a file that no longer parses, and deletes the domain of a deleted file', () => {
    const state = new RateLimitConfigState(['files']);
    deliver(state, 'files', [
      { path: 'a.yaml', text: yaml('a', 1) },
      { path: 'b.yaml', text: yaml('b', 1) },
    ]);
    const report = deliver(state, 'files', [{ path: 'a.yaml', text: 'domain: [unclosed\n' }]);
    expect(limitOf(state, 'a')).toBe(1);
    expect(state.config.matcher('b')).toBeUndefined();
    expect(report.unreadable).toEqual([expect.objectContaining({ code: 'GH_RATELIMIT_CONFIG_YAML', file: 'a.yaml' })]);
    expect(report.stale.map((s) => s.domain)).toEqual(['a']);
  });

  it('keeps the last good version when a second file declares the same domain', () => {
    const state = new RateLimitConfigState(['files']);
    deliver(state, 'files', [{ path: 'a.yaml', text: yaml('a', 1) }]);
    const report = deliver(state, 'files', [
      { path: 'a.yaml', text: yaml('a', 1) },
      { path: 'z.yaml', text: yaml('a', 9) },
    ]);
    expect(limitOf(state, 'a')).toBe(1);
    expect(report.stale[0]!.issues[0]).toMatchObject({ code: 'GH_RATELIMIT_CONFIG_DUPLICATE_DOMAIN', file: 'z.yaml' });
  });

  it('keeps the last good version of a bad published domain while the other published domains update', () => {
    const state = new RateLimitConfigState(['files', 'redis']);
    deliver(state, 'redis', [
      { path: 'redis:BackendTrafficPolicy default/a', text: yaml('a', 1), key: 'a' },
      { path: 'redis:BackendTrafficPolicy default/b', text: yaml('b', 1), key: 'b' },
    ]);
    const report = deliver(state, 'redis', [
      { path: 'redis:BackendTrafficPolicy default/a', text: 'domain: a\ndescriptors:\n  - key: k\n    rate_limt: {}\n', key: 'a' },
      { path: 'redis:BackendTrafficPolicy default/b', text: yaml('b', 2), key: 'b' },
    ]);
    expect(limitOf(state, 'a')).toBe(1);
    expect(limitOf(state, 'b')).toBe(2);
    expect(report.stale).toEqual([expect.objectContaining({ domain: 'a', issues: [expect.objectContaining({ code: 'GH_RATELIMIT_CONFIG_UNKNOWN_KEY', file: 'redis:BackendTrafficPolicy default/a', line: 4 })] })]);
  });

  it('refuses a published domain whose YAML declares another domain', () => {
    const state = new RateLimitConfigState(['redis']);
    const report = deliver(state, 'redis', [{ path: 'redis:x', text: yaml('other', 1), key: 'a' }]);
    expect(state.config.domains).toEqual([]);
    expect(report.refused[0]).toMatchObject({ domain: 'a', issues: [expect.objectContaining({ code: 'GH_RATELIMIT_CONFIG_BAD_VALUE' })] });
  });

  it('keeps separate histories for a domain in files and in Redis', () => {
    const state = new RateLimitConfigState(['files', 'redis']);
    deliver(state, 'files', [{ path: 'a.yaml', text: yaml('a', 1) }]);
    deliver(state, 'redis', [{ path: 'redis:x', text: BROKEN_UNIT('a'), key: 'a' }]);
    expect(limitOf(state, 'a')).toBe(1);
    deliver(state, 'files', []);
    // The file is gone and the pushed version was never valid: nothing serves the domain.
    expect(state.config.matcher('a')).toBeUndefined();
    expect(state.health.refused.map((r) => r.key)).toEqual(['redis:a']);
  });
});

describe('domainCandidates with MERGE_DOMAIN_CONFIG', () => {
  it('merges a domain across files, and refuses it when the files repeat a descriptor', () => {
    const merged = domainCandidates(
      [
        { path: 'a.yaml', text: yaml('d', 1) },
        { path: 'b.yaml', text: 'domain: d\ndescriptors:\n  - key: k2\n    rate_limit: { unit: second, requests_per_unit: 2 }\n' },
      ],
      { mergeDomains: true },
    );
    expect(merged.candidates[0]!.value!.descriptors.map((d) => d.key)).toEqual(['k', 'k2']);
    const repeated = domainCandidates([{ path: 'a.yaml', text: yaml('d', 1) }, { path: 'b.yaml', text: yaml('d', 2) }], { mergeDomains: true });
    expect(repeated.candidates[0]!.value).toBeUndefined();
    expect(repeated.candidates[0]!.issues).toEqual([expect.objectContaining({ code: 'GH_RATELIMIT_CONFIG_DUPLICATE_DESCRIPTOR', file: 'b.yaml' })]);
  });
});
