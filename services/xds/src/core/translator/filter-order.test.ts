import { describe, expect, it } from 'vitest';
import { judgeFilterOrder } from '../gatewayapi/envoy-proxy-filter-order.js';
import { isFilterOfType, orderHttpFilters } from './filter-order.js';

const chain = (...names: string[]) => names.map((name) => ({ name }));
const names = (filters: Array<{ name?: unknown }>) => filters.map((f) => f.name);

describe('EnvoyProxy filterOrder', () => {
  it('moves every filter of a type before the first of another, or after the last, entries in order', () => {
    const filters = chain('envoy.filters.http.ext_authz', 'envoy.filters.http.lua/a', 'envoy.filters.http.lua/b', 'envoy.filters.http.ratelimit', 'envoy.filters.http.wasm/x', 'envoy.filters.http.router');
    const ordered = orderHttpFilters(filters, [
      { name: 'envoy.filters.http.wasm', before: 'envoy.filters.http.ext_authz' },
      { name: 'envoy.filters.http.ext_authz', after: 'envoy.filters.http.lua' },
    ]);
    expect(names(ordered)).toEqual(['envoy.filters.http.wasm/x', 'envoy.filters.http.lua/a', 'envoy.filters.http.lua/b', 'envoy.filters.http.ext_authz', 'envoy.filters.http.ratelimit', 'envoy.filters.http.router']);
  });

  it('leaves the chain as it is when the filter or its anchor is absent', () => {
    const filters = chain('envoy.filters.http.cors', 'envoy.filters.http.router');
    expect(names(orderHttpFilters(filters, [{ name: 'envoy.filters.http.wasm', before: 'envoy.filters.http.cors' }, { name: 'envoy.filters.http.cors', after: 'envoy.filters.http.lua' }]))).toEqual(names(filters));
  });

  it('a type covers its variants ("/" and "." suffixes) and nothing that merely shares a prefix', () => {
    expect(isFilterOfType('envoy.filters.http.compressor.gzip', 'envoy.filters.http.compressor')).toBe(true);
    expect(isFilterOfType('envoy.filters.http.ext_authz/securitypolicy/a/b', 'envoy.filters.http.ext_authz')).toBe(true);
    expect(isFilterOfType('envoy.filters.http.ext_authzz', 'envoy.filters.http.ext_authz')).toBe(false);
  });

  it('refuses the router, unknown names, and an entry with both or neither of before and after', () => {
    const { problems } = judgeFilterOrder([
      { name: 'envoy.filters.http.lua', after: 'envoy.filters.http.router' },
      { name: 'envoy.filters.http.lua' },
      { name: 'envoy.filters.http.lua', before: 'envoy.filters.http.lua' },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^spec\.filterOrder\[0\]: "envoy\.filters\.http\.router": not one of/),
      'spec.filterOrder[1]: exactly one of before and after must be set',
      'spec.filterOrder[2]: a filter cannot be ordered relative to itself',
    ]);
  });
});
