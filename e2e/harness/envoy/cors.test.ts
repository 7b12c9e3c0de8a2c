import { describe, expect, it } from 'vitest';
import { runCors } from './cors.js';

const policy = { allow_origin_string_match: [{ exact: 'https://a.example' }, { safe_regex: { regex: 'https://.*\\.b\\.example' } }], allow_methods: 'GET', max_age: '60', allow_credentials: true };

describe('emulated cors filter', () => {
  it('answers an allowed preflight with the CORS headers', () => {
    expect(runCors(policy, 'OPTIONS', { origin: 'https://x.b.example', 'access-control-request-method': 'GET' })).toEqual({
      kind: 'reply',
      status: 200,
      headers: { 'access-control-allow-origin': 'https://x.b.example', 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'GET', 'access-control-max-age': '60' },
    });
  });

  it('answers a preflight from another origin without CORS headers, and leaves plain requests alone', () => {
    expect(runCors(policy, 'OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'GET' })).toEqual({ kind: 'reply', status: 200, headers: {} });
    expect(runCors(policy, 'GET', {})).toEqual({ kind: 'continue', responseHeaders: {} });
    expect(runCors(policy, 'GET', { origin: 'https://a.example' })).toEqual({ kind: 'continue', responseHeaders: { 'access-control-allow-origin': 'https://a.example', 'access-control-allow-credentials': 'true' } });
  });
});

describe('emulated csrf filter', () => {
  const csrf = { filter_enabled: { default_value: { numerator: 1_000_000, denominator: 'MILLION' } }, additional_origins: [{ exact: 'www.a.example' }] };
  it('lets safe methods and same-origin or allowed writes through, and answers 403 to the others', async () => {
    const { runCsrf } = await import('./csrf.js');
    expect(runCsrf(csrf, 'GET', 'api.a.example', {})).toBeUndefined();
    expect(runCsrf(csrf, 'POST', 'api.a.example', { origin: 'https://api.a.example' })).toBeUndefined();
    expect(runCsrf(csrf, 'POST', 'api.a.example', { origin: 'https://www.a.example' })).toBeUndefined();
    expect(runCsrf(csrf, 'POST', 'api.a.example', { origin: 'https://evil.example' })).toBe(403);
    expect(runCsrf(csrf, 'DELETE', 'api.a.example', {})).toBe(403);
    expect(runCsrf({ ...csrf, filter_enabled: { default_value: { numerator: 0, denominator: 'HUNDRED' } } }, 'POST', 'api.a.example', {})).toBeUndefined();
  });
});
