import { describe, expect, it } from 'vitest';
import { lookupMessage, toObjectOptions } from '@gatehouse/contracts';
import { emulateRequest, type CheckResponseLike, type RateLimitResponseLike } from './emulate-request.js';
import { buildDescriptors } from './ratelimit-request.js';
import { selectRoute, selectVirtualHost, type EmulatedRequest } from './route-matching.js';
import { buildCheckRequest, httpStatusOf } from './ext-authz-request.js';
import type { EnvoySnapshot, RouteConfiguration } from './types.js';

const request = (over: Partial<EmulatedRequest> = {}): EmulatedRequest => ({
  method: 'GET', path: '/api/items?x=1', host: 'api.example.com', headers: {}, clientAddress: '10.1.2.3', ...over,
});

const routes: RouteConfiguration = {
  name: 'rc',
  virtual_hosts: [
    { name: 'wild', domains: ['*.example.com'], routes: [{ name: 'wild-all', match: { prefix: '/' }, route: { cluster: 'wild' } }] },
    {
      name: 'api',
      domains: ['api.example.com', 'api.example.com:8080'],
      routes: [
        { name: 'exact', match: { path: '/api/items' , headers: [{ name: 'x-version', string_match: { exact: 'v2' } }] }, route: { cluster: 'v2' } },
        { name: 'regex', match: { safe_regex: { regex: '/api/items/[0-9]+' } }, route: { cluster: 'item' } },
        { name: 'query', match: { path_separated_prefix: '/api', query_parameters: [{ name: 'debug', present_match: true }] }, route: { cluster: 'debug' } },
        { name: 'prefix', match: { path_separated_prefix: '/api' }, route: { cluster: 'api' } },
      ],
    },
    { name: 'any', domains: ['*'], routes: [{ name: 'any', match: { prefix: '/' }, route: { cluster: 'default' } }] },
  ],
};

describe('route selection', () => {
  it('picks virtual hosts by exact domain, then wildcard suffix, then "*"', () => {
    expect(selectVirtualHost(routes, 'api.example.com')?.name).toBe('api');
    expect(selectVirtualHost(routes, 'API.example.com:8080')?.name).toBe('api');
    expect(selectVirtualHost(routes, 'www.example.com')?.name).toBe('wild');
    expect(selectVirtualHost(routes, 'example.org')?.name).toBe('any');
  });

  it('takes the first matching route in order, honouring headers, regex, query and segment prefixes', () => {
    const api = routes.virtual_hosts[1]!;
    expect(selectRoute(api, request({ path: '/api/items', headers: { 'x-version': 'v2' } }))?.name).toBe('exact');
    expect(selectRoute(api, request({ path: '/api/items' }))?.name).toBe('prefix');
    expect(selectRoute(api, request({ path: '/api/items/42' }))?.name).toBe('regex');
    expect(selectRoute(api, request({ path: '/api/items/4x2' }))?.name).toBe('prefix');
    expect(selectRoute(api, request({ path: '/api?debug' }))?.name).toBe('query');
    expect(selectRoute(api, request({ path: '/apiary' }))).toBeUndefined();
  });
});

describe('rate limit descriptors', () => {
  const req = request({ headers: { 'x-user': 'alice' } });

  it('builds one descriptor per policy from its actions', () => {
    expect(
      buildDescriptors(
        [
          { actions: [{ generic_key: { descriptor_value: 'api' } }, { request_headers: { header_name: 'x-user', descriptor_key: 'user' } }] },
          { actions: [{ masked_remote_address: { v4_prefix_mask_len: { value: 16 } } }, { remote_address: {} }] },
          { actions: [{ header_value_match: { descriptor_value: 'get', headers: [{ name: ':method', string_match: { exact: 'GET' } }] } }] },
        ],
        req,
        'c',
      ),
    ).toEqual([
      { entries: [{ key: 'generic_key', value: 'api' }, { key: 'user', value: 'alice' }] },
      { entries: [{ key: 'masked_remote_address', value: '10.1.0.0/16' }, { key: 'remote_address', value: '10.1.2.3' }] },
      { entries: [{ key: 'header_match', value: 'get' }] },
    ]);
  });

  it('drops the whole descriptor when a header is missing, unless skip_if_absent', () => {
    const missing = { request_headers: { header_name: 'x-tenant', descriptor_key: 'tenant' } };
    expect(buildDescriptors([{ actions: [{ generic_key: { descriptor_value: 'a' } }, missing] }], req, 'c')).toEqual([]);
    expect(
      buildDescriptors([{ actions: [{ generic_key: { descriptor_value: 'a' } }, { request_headers: { ...missing.request_headers, skip_if_absent: true } }] }], req, 'c'),
    ).toEqual([{ entries: [{ key: 'generic_key', value: 'a' }] }]);
    expect(
      buildDescriptors([{ actions: [{ header_value_match: { descriptor_value: 'x', expect_match: { value: false }, headers: [{ name: 'x-user', present_match: true }] } }] }], req, 'c'),
    ).toEqual([]);
  });
});

describe('ext_authz check request', () => {
  it('is a valid envoy.service.auth.v3.CheckRequest carrying the per-route context extensions', () => {
    const built = buildCheckRequest(request({ headers: { authorization: 'Bearer t' } }), { check_settings: { context_extensions: { policy: 'default/jwt' } } }, 'id-1');
    const CheckRequest = lookupMessage('envoy.service.auth.v3.CheckRequest');
    const decoded = CheckRequest.toObject(CheckRequest.decode(CheckRequest.encode(CheckRequest.fromObject(built)).finish()), toObjectOptions);
    // Every field survived the round trip through the official proto: nothing was unknown to it.
    expect(decoded).toMatchObject(built);
    expect(decoded).toMatchObject({ attributes: { context_extensions: { policy: 'default/jwt' }, request: { http: { headers: { ':authority': 'api.example.com', authorization: 'Bearer t' } } } } });
  });

  it('maps envoy.type.v3.StatusCode names to HTTP statuses', () => {
    expect(httpStatusOf('Unauthorized', 403)).toBe(401);
    expect(httpStatusOf('TooManyRequests', 403)).toBe(429);
    expect(httpStatusOf(undefined, 403)).toBe(403);
  });
});

describe('emulateRequest', () => {
  const hcm = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    rds: { route_config_name: 'rc' },
    http_filters: [
      { name: 'envoy.filters.http.ext_authz', typed_config: { '@type': 'x', failure_mode_allow: false } },
      { name: 'envoy.filters.http.ratelimit', typed_config: { '@type': 'y', domain: 'd', enable_x_ratelimit_headers: 'DRAFT_VERSION_03' } },
      { name: 'envoy.filters.http.router', typed_config: { '@type': 'z' } },
    ],
  };
  const snapshot: EnvoySnapshot = {
    listeners: [{ name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 80 } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }] }],
    routes: [
      {
        name: 'rc',
        virtual_hosts: [
          {
            name: 'vh',
            domains: ['*'],
            routes: [
              { name: 'open', match: { prefix: '/open' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.ext_authz': { '@type': 'p', disabled: true } } },
              {
                name: 'guarded',
                match: { prefix: '/' },
                route: { cluster: 'c', rate_limits: [{ actions: [{ request_headers: { header_name: 'x-user', descriptor_key: 'user' } }] }] },
                typed_per_filter_config: { 'envoy.filters.http.ext_authz': { '@type': 'p', check_settings: { context_extensions: { policy: 'default/p' } } } },
              },
            ],
          },
        ],
      },
    ],
  };
  const allow: CheckResponseLike = { status: { code: 0 }, ok_response: { headers: [{ header: { key: 'x-user', value: 'alice' } }], headers_to_remove: ['authorization'] } };
  const under: RateLimitResponseLike = { overall_code: 'OK', statuses: [{ code: 'OK', current_limit: { requests_per_unit: 2, unit: 'MINUTE' }, limit_remaining: 1, duration_until_reset: { seconds: 30 } }] };

  it('authorizes, forwards identity headers, rate limits on them and reports x-ratelimit headers', async () => {
    const result = await emulateRequest(snapshot, 80, request({ path: '/x', headers: { authorization: 'Bearer t', 'x-user': 'mallory' } }), {
      check: async () => allow,
      shouldRateLimit: async () => under,
    });
    expect(result.status).toBe(200);
    expect(result.upstream).toEqual({ cluster: 'c', headers: { 'x-user': 'alice' } });
    expect(result.sent.rateLimit).toEqual({ domain: 'd', descriptors: [{ entries: [{ key: 'user', value: 'alice' }] }] });
    expect(result.headers).toMatchObject({ 'x-ratelimit-limit': '2, 2;w=60', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '30' });
  });

  it('returns the denied response, and 429 when over the limit', async () => {
    const denied = await emulateRequest(snapshot, 80, request({ path: '/x' }), {
      check: async () => ({ status: { code: 16 }, denied_response: { status: { code: 'Unauthorized' }, headers: [{ header: { key: 'www-authenticate', value: 'Bearer' } }], body: 'no' } }),
      shouldRateLimit: async () => under,
    });
    expect(denied).toMatchObject({ status: 401, body: 'no', headers: { 'www-authenticate': 'Bearer' } });
    const limited = await emulateRequest(snapshot, 80, request({ path: '/x' }), {
      check: async () => allow,
      shouldRateLimit: async () => ({ ...under, overall_code: 'OVER_LIMIT' }),
    });
    expect(limited).toMatchObject({ status: 429, headers: { 'x-envoy-ratelimited': 'true' } });
  });

  it('skips ext_authz where the route disables it, and fails closed when the authorizer is down', async () => {
    const open = await emulateRequest(snapshot, 80, request({ path: '/open' }), {
      check: () => Promise.reject(new Error('must not be called')),
      shouldRateLimit: async () => under,
    });
    expect(open.status).toBe(200);
    const down = await emulateRequest(snapshot, 80, request({ path: '/x' }), {
      check: () => Promise.reject(new Error('unavailable')),
      shouldRateLimit: async () => under,
    });
    expect(down.status).toBe(403);
  });
});
