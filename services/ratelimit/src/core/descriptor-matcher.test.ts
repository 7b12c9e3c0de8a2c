import { describe, expect, it } from 'vitest';
import { parseDomainConfig } from './config-parser.js';
import { createHash } from 'node:crypto';
import { DomainMatcher, globToRegExp, keyValue, MAX_KEY_VALUE_BYTES, type RequestDescriptor } from './descriptor-matcher.js';

const matcher = new DomainMatcher(
  parseDomainConfig(
    `domain: test
descriptors:
  - key: remote_address
    rate_limit: { unit: second, requests_per_unit: 10 }
  - key: remote_address
    value: 50.0.0.5
    rate_limit: { unit: second, requests_per_unit: 0 }
  - key: path
    value: /api/*
    rate_limit: { unit: minute, requests_per_unit: 30 }
  - key: path
    value: /api/v1*
    rate_limit: { unit: minute, requests_per_unit: 31 }
  - key: path
    value: /files/*/raw
    rate_limit: { unit: minute, requests_per_unit: 32 }
  - key: path
    rate_limit: { unit: minute, requests_per_unit: 33 }
  - key: message_type
    value: marketing
    descriptors:
      - key: to_number
        rate_limit: { unit: day, requests_per_unit: 5 }
  - key: to_number
    rate_limit: { unit: day, requests_per_unit: 100 }
  - key: parent
    rate_limit: { unit: hour, requests_per_unit: 7 }
    descriptors:
      - key: child
        value: x
        rate_limit: { unit: hour, requests_per_unit: 8 }
  - key: nolimit
    value: deep
    descriptors:
      - key: sub
        rate_limit: { unit: hour, requests_per_unit: 9 }
  - key: detailed
    detailed_metric: true
    rate_limit: { unit: minute, requests_per_unit: 70 }
  - key: route
    value: api/*
    value_to_metric: true
    descriptors:
      - key: method
        rate_limit: { unit: minute, requests_per_unit: 60 }
  - key: files
    value: files/*
    share_threshold: true
    value_to_metric: true
    rate_limit: { unit: minute, requests_per_unit: 100 }
  - key: free
    rate_limit: { unlimited: true }
`,
    'test.yaml',
  ),
);

const d = (...pairs: Array<[string, string]>): RequestDescriptor => ({ entries: pairs.map(([key, value]) => ({ key, value })) });
const limitOf = (desc: RequestDescriptor): number | undefined => matcher.match(desc)?.rule.requestsPerUnit;

describe('DomainMatcher', () => {
  it('prefers an exact key_value over a bare key', () => {
    expect(limitOf(d(['remote_address', '50.0.0.5']))).toBe(0);
    expect(limitOf(d(['remote_address', '10.0.0.1']))).toBe(10);
  });

  it('prefers a wildcard over a bare key, and the first wildcard in config order', () => {
    expect(limitOf(d(['path', '/api/v1/users']))).toBe(30);
    expect(limitOf(d(['path', '/other']))).toBe(33);
  });

  it('matches a wildcard inside a value', () => {
    expect(limitOf(d(['path', '/files/abc/raw']))).toBe(32);
    expect(limitOf(d(['path', '/files/abc/cooked']))).toBe(33);
  });

  it('matches nested descriptors level by level', () => {
    expect(limitOf(d(['message_type', 'marketing'], ['to_number', '2061111111']))).toBe(5);
    expect(limitOf(d(['to_number', '2061111111']))).toBe(100);
  });

  it('applies a limit only at the node matched by the last entry', () => {
    expect(limitOf(d(['parent', 'p']))).toBe(7);
    expect(limitOf(d(['parent', 'p'], ['child', 'x']))).toBe(8);
    // More entries than the config has levels: no limit, even though the first level has one.
    expect(limitOf(d(['remote_address', '10.0.0.1'], ['extra', 'y']))).toBeUndefined();
    // A placeholder level without a limit.
    expect(limitOf(d(['message_type', 'marketing']))).toBeUndefined();
  });

  it('does not backtrack to a bare key after an exact match fails deeper', () => {
    // (nolimit, deep) matches the exact node, whose children have no "other" key; the walk
    // must not retry with a bare "nolimit" key (there is none) or any other branch.
    expect(limitOf(d(['nolimit', 'deep'], ['other', 'z']))).toBeUndefined();
    expect(limitOf(d(['nolimit', 'deep'], ['sub', 'z']))).toBe(9);
    expect(limitOf(d(['parent', 'p'], ['child', 'not-x']))).toBeUndefined();
  });

  it('returns nothing for an empty descriptor', () => {
    expect(matcher.match({ entries: [] })).toBeUndefined();
  });

  it('builds the reference cache key base from request values', () => {
    expect(matcher.match(d(['message_type', 'marketing'], ['to_number', '206']))!.cacheKeyBase).toBe('test_message_type_marketing_to_number_206_');
  });

  it('key layout (security: long values): keeps the reference layout up to 64 bytes, hashes longer values as sha256:<hex>', () => {
    const sha = (v: string) => `sha256:${createHash('sha256').update(v).digest('hex')}`;
    const at = 'a'.repeat(MAX_KEY_VALUE_BYTES);
    const over = 'a'.repeat(MAX_KEY_VALUE_BYTES + 1);
    expect(keyValue('206')).toBe('206');
    expect(keyValue(at)).toBe(at);
    expect(keyValue(over)).toBe(sha(over));
    // 33 two-byte characters are 66 bytes although 33 UTF-16 units.
    expect(keyValue('é'.repeat(33))).toBe(sha('é'.repeat(33)));
    expect(keyValue('é'.repeat(32))).toBe('é'.repeat(32));
    expect(matcher.match(d(['message_type', 'marketing'], ['to_number', over]))!.cacheKeyBase).toBe(`test_message_type_marketing_to_number_${sha(over)}_`);
    const override = matcher.match({ entries: [{ key: 'unknown', value: over }], limit: { requestsPerUnit: 1, unit: 'hour' } })!;
    expect(override.cacheKeyBase).toBe(`test_unknown_${sha(over)}_`);
  });

  it('shares one counter across wildcard values with share_threshold', () => {
    const a = matcher.match(d(['files', 'files/a.txt']))!;
    const b = matcher.match(d(['files', 'files/b.txt']))!;
    expect(a.cacheKeyBase).toBe('test_files_files/*_');
    expect(b.cacheKeyBase).toBe(a.cacheKeyBase);
    // share_threshold wins over value_to_metric: the metric keeps the pattern.
    expect(a.metricKey).toBe('test.files_files/*');
    // Without share_threshold each value has its own counter.
    expect(matcher.match(d(['path', '/api/x']))!.cacheKeyBase).not.toBe(matcher.match(d(['path', '/api/y']))!.cacheKeyBase);
  });

  it('names metrics by config path, with request values only where asked', () => {
    expect(matcher.match(d(['remote_address', '10.0.0.1']))!.metricKey).toBe('test.remote_address');
    expect(matcher.match(d(['detailed', 'abc']))!.metricKey).toBe('test.detailed_abc');
    expect(matcher.match(d(['route', 'api/users'], ['method', 'GET']))!.metricKey).toBe('test.route_api/users.method');
  });

  it('uses the per-request override instead of the config, keyed by the full descriptor', () => {
    const m = matcher.match({ entries: [{ key: 'unknown', value: 'v' }, { key: 'k2', value: 'v2' }], limit: { requestsPerUnit: 42, unit: 'hour' } })!;
    expect(m.rule).toMatchObject({ requestsPerUnit: 42, unit: 'hour', windowSeconds: 3600, shadowMode: false });
    expect(m.metricKey).toBe('test.unknown_v.k2_v2');
    expect(m.cacheKeyBase).toBe('test_unknown_v_k2_v2_');
  });

  it('exposes unlimited rules as such', () => {
    expect(matcher.match(d(['free', 'x']))!.rule.unlimited).toBe(true);
  });
});

describe('globToRegExp', () => {
  it('treats only * as special', () => {
    expect(globToRegExp('a.b*').test('a.bc')).toBe(true);
    expect(globToRegExp('a.b*').test('axbc')).toBe(false);
    expect(globToRegExp('svc*ep*rpc').test('svc1ep2rpc')).toBe(true);
    expect(globToRegExp('svc*ep*rpc').test('svc1ep2rpcx')).toBe(false);
  });
});
