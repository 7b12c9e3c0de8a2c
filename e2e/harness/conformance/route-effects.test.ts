// The router's route effects the conformance replay adds to the emulator, against Envoy's documented behaviour.
import { describe, expect, it } from 'vitest';
import type { EmulatedRequest, EnvoySnapshot } from '../envoy/index.js';
import { findRoute, redirectLocation, responseHeaders, upstreamRequest } from './route-effects.js';

const request = (over: Partial<EmulatedRequest> = {}): EmulatedRequest => ({ method: 'GET', path: '/api/items?x=1', host: 'gw.example.com', headers: {}, clientAddress: '10.0.0.1', ...over });

describe('route effects', () => {
  it('replaces the matched prefix, keeps the query, and rewrites the host', () => {
    const route = { name: 'r', match: { path_separated_prefix: '/api' }, route: { cluster: 'c', prefix_rewrite: '/v2', host_rewrite_literal: 'internal.example' } };
    expect(upstreamRequest(route, request(), {})).toEqual({ path: '/v2/items?x=1', host: 'internal.example', headers: {} });
  });

  it('applies a regex rewrite to the path only', () => {
    const route = { name: 'r', match: { path_separated_prefix: '/strip' }, route: { cluster: 'c', regex_rewrite: { pattern: { regex: '^/strip/*' }, substitution: '/' } } };
    expect(upstreamRequest(route, request({ path: '/strip/three?y=2' }), {}).path).toBe('/three?y=2');
  });

  it('appends to a header the client sent when the action says so, and overwrites otherwise', () => {
    const route = {
      name: 'r',
      match: { prefix: '/' },
      request_headers_to_add: [
        { header: { key: 'X-Add', value: 'b' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
        { header: { key: 'X-Set', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      ],
    };
    const got = upstreamRequest(route, request({ headers: { 'x-add': 'a', 'x-set': 'old' } }), { 'x-add': 'b', 'x-set': 'new' });
    expect(got.headers).toEqual({ 'x-add': 'a,b', 'x-set': 'new' });
  });

  it('changes response headers: removals first, then sets and appends', () => {
    const route = {
      name: 'r',
      match: { prefix: '/' },
      response_headers_to_remove: ['x-gone'],
      response_headers_to_add: [{ header: { key: 'X-New', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
    };
    expect(responseHeaders(route, { 'x-gone': 'v', server: 'echo' })).toEqual({ server: 'echo', 'x-new': '1' });
  });

  it('composes a redirect Location as Envoy does', () => {
    const base = { name: 'r', match: { path_separated_prefix: '/old' } };
    expect(redirectLocation({ ...base, redirect: { host_redirect: 'example.org' } }, request({ path: '/old/a' }))).toBe('http://example.org/old/a');
    expect(redirectLocation({ ...base, redirect: { prefix_rewrite: '/new' } }, request({ path: '/old/a' }))).toBe('http://gw.example.com/new/a');
    expect(redirectLocation({ ...base, redirect: { scheme_redirect: 'https' } }, request({ host: 'gw.example.com:8080', path: '/old' }))).toBe('https://gw.example.com/old');
    expect(redirectLocation({ ...base, redirect: { port_redirect: 8443 } }, request({ path: '/old' }))).toBe('http://gw.example.com:8443/old');
  });

  it('finds a served route by name', () => {
    const snapshot = { listeners: [], routes: [{ name: 'rc', virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ name: 'wanted', match: { prefix: '/' } }] }] }] } as unknown as EnvoySnapshot;
    expect(findRoute(snapshot, 'wanted')?.name).toBe('wanted');
    expect(findRoute(snapshot, 'other')).toBeUndefined();
  });
});
