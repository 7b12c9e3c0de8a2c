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
