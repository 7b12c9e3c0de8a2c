import { describe, expect, it } from 'vitest';
import type { GatewayResource } from '../provider/resource-types.js';
import { checkRouteCelRules } from './route-cel-rules.js';

const route = (spec: Record<string, unknown>): GatewayResource => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec });
const messages = (spec: Record<string, unknown>) => checkRouteCelRules(route(spec)).map((i) => `${i.path}: ${i.message}`);
const backend = { group: 'gateway.envoyproxy.io', kind: 'Backend', name: 'api' };

describe('checkRouteCelRules', () => {
  it('passes a well-formed route', () => {
    expect(messages({ parentRefs: [{ name: 'gw', sectionName: 'a' }, { name: 'gw', sectionName: 'b' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [backend] }] })).toEqual([]);
  });

  it('needs distinct sectionNames for two refs to one parent', () => {
    expect(messages({ parentRefs: [{ name: 'gw' }, { name: 'gw', sectionName: 'b' }] })).toEqual(['/spec/parentRefs: sectionName must be specified when parentRefs includes 2 or more references to the same parent']);
    expect(messages({ parentRefs: [{ name: 'gw', sectionName: 'b' }, { name: 'gw', sectionName: 'b' }] })).toEqual(['/spec/parentRefs: sectionName must be unique when parentRefs includes 2 or more references to the same parent']);
  });

  it('refuses a redirect together with backends, and redirect together with rewrite', () => {
    const redirect = { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } };
    expect(messages({ rules: [{ filters: [redirect], backendRefs: [backend] }] })).toEqual(['/spec/rules/0: RequestRedirect filter must not be used together with backendRefs']);
    expect(messages({ rules: [{ filters: [redirect, { type: 'URLRewrite', urlRewrite: { hostname: 'x' } }] }] })).toEqual([
      '/spec/rules/0/filters: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
    ]);
  });

  it('refuses repeated filters and filters without their configuration', () => {
    const modifier = { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [] } };
    expect(messages({ rules: [{ filters: [modifier, modifier], backendRefs: [backend] }] })).toEqual(['/spec/rules/0/filters: RequestHeaderModifier filter cannot be repeated']);
    expect(messages({ rules: [{ filters: [{ type: 'URLRewrite' }], backendRefs: [backend] }] })).toEqual(['/spec/rules/0/filters/0: filter.urlRewrite must be specified for URLRewrite filter.type']);
  });

  it('refuses paths Envoy would normalise into something else', () => {
    const path = (value: string) => messages({ rules: [{ matches: [{ path: { type: 'Exact', value } }], backendRefs: [backend] }] });
    expect(path('api')).toEqual(["/spec/rules/0/matches/0/path: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"]);
    expect(path('/a/../b')).toEqual(["/spec/rules/0/matches/0/path: must not contain '/../' when type one of ['Exact', 'PathPrefix']"]);
    expect(path('/a%2Fb')).toEqual(["/spec/rules/0/matches/0/path: must not contain '%2F' when type one of ['Exact', 'PathPrefix']"]);
  });

  it('refuses a backend timeout longer than the request timeout', () => {
    expect(messages({ rules: [{ timeouts: { request: '1s', backendRequest: '2s' }, backendRefs: [backend] }] })).toEqual(['/spec/rules/0/timeouts: backendRequest timeout cannot be longer than request timeout']);
    expect(messages({ rules: [{ timeouts: { request: '0s', backendRequest: '2s' }, backendRefs: [backend] }] })).toEqual([]);
  });

  it('needs exactly one PathPrefix match for a prefix replacement', () => {
    const rewrite = { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } };
    expect(messages({ rules: [{ matches: [{ path: { type: 'Exact', value: '/a' } }], filters: [rewrite], backendRefs: [backend] }] })).toEqual([
      '/spec/rules/0: When using RequestRedirect or URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
    ]);
  });
});
