import { describe, expect, it } from 'vitest';
import { describeMatch, describePolicies, describeRateLimitRule, describeRouteMatch, describeTimeFrom } from './describe.js';

describe('describePolicies', () => {
  it('words a JWT provider with its issuer and the claims it copies to headers', () => {
    const badges = describePolicies([{ kind: 'SecurityPolicy', name: 'default/api-jwt', jwt: [{ issuer: 'https://idp.example.com', claimToHeaders: [{ claim: 'sub', header: 'x-user-id' }] }] }]);
    expect(badges).toEqual([{ text: 'JWT from https://idp.example.com, sub → x-user-id', tone: 'auth', source: 'SecurityPolicy default/api-jwt' }]);
  });

  it('words a per-header rate limit as requests per unit per header', () => {
    const badges = describePolicies([
      { kind: 'RateLimit', name: 'default/per-user', shared: false, rules: [{ requests: 5, unit: 'minute', selectors: [{ kind: 'header', name: 'x-user-id', invert: false, distinct: true }] }] },
    ]);
    expect(badges.map((b) => b.text)).toEqual(['5 requests/minute per x-user-id']);
  });

  it('words selectors that only pick requests, and a shared limit', () => {
    const badges = describePolicies([
      {
        kind: 'RateLimit',
        name: 'default/writes',
        shared: true,
        rules: [
          { requests: 1, unit: 'second', selectors: [{ kind: 'method', methods: ['POST', 'PUT'], invert: false }] },
          { requests: 100, unit: 'hour', selectors: [] },
        ],
      },
    ]);
    expect(badges.map((b) => b.text)).toEqual(['1 request/second when method POST/PUT', '100 requests/hour shared by all routes']);
  });

  it('words CORS origins, API keys and OIDC', () => {
    const badges = describePolicies([{ kind: 'SecurityPolicy', name: 'default/web', cors: { allowOrigins: ['https://app.example.com'] }, apiKeyAuth: { header: 'x-api-key' }, oidc: { issuer: 'https://login.example.com' } }]);
    expect(badges.map((b) => b.text)).toEqual(['OIDC login with https://login.example.com', 'API key in x-api-key', 'CORS: https://app.example.com']);
  });

  it('says a security policy with nothing valid keeps its routes failing closed', () => {
    expect(describePolicies([{ kind: 'SecurityPolicy', name: 'default/broken' }])).toEqual([
      { text: 'Security policy (no valid version: requests fail closed)', tone: 'deny', source: 'SecurityPolicy default/broken' },
    ]);
  });
});

describe('describeRouteMatch', () => {
  it('reads a prefix as a path glob, with method, headers and query parameters', () => {
    expect(describeRouteMatch({ path: { type: 'Prefix', value: '/api' }, headers: [{ name: 'x-env', match: { type: 'Exact', value: 'prod' } }], queryParams: [], method: 'GET' })).toBe('GET /api/* header x-env = prod');
    expect(describeRouteMatch({ path: { type: 'Prefix', value: '/' }, headers: [], queryParams: [{ name: 'v', match: { type: 'RegularExpression', value: '\\d+' }, invert: true }] })).toBe('/* ?v not ~ /\\d+/');
  });

  it('words each kind of string match', () => {
    expect([describeMatch({ type: 'Exact', value: 'a' }), describeMatch({ type: 'Prefix', value: 'b' }), describeMatch({ type: 'RegularExpression', value: 'c.*' })]).toEqual(['= a', 'starts with b', '~ /c.*/']);
  });
});

describe('describeTimeFrom', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('says how far ahead or behind a time is, in its largest unit', () => {
    expect(describeTimeFrom('2026-01-13T05:00:00Z', now)).toBe('in 12 days');
    expect(describeTimeFrom('2025-12-31T21:00:00Z', now)).toBe('3 hours ago');
    expect(describeTimeFrom('2026-01-01T00:01:00Z', now)).toBe('in 1 minute');
  });
});

describe('describeRateLimitRule', () => {
  it('names the route rule a ratelimit rule label limits, and leaves other labels alone', () => {
    expect(describeRateLimitRule('default/gateway/http.httproute/default/api/rule/0/match/0/*_httproute/default/api/rule/0/match/0/*.rule-0-match-0')).toBe('default/api rule 0, limit 1');
    expect(describeRateLimitRule('messaging.message_type_marketing')).toBe('messaging.message_type_marketing');
  });
});
