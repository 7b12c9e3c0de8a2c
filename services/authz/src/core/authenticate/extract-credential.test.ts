import { describe, expect, it } from 'vitest';
import { extractCredential } from './extract-credential.js';
import type { RequestView } from '../decide/request-view.js';

const request = (headers: Record<string, string>, query = ''): RequestView => ({
  method: 'GET', path: '/', query, host: 'app.example', scheme: 'https', headers, clientIp: '10.0.0.1',
});
const bearer = { headers: [{ name: 'authorization', valuePrefix: 'Bearer ' }], cookies: [], params: [] };

describe('extractCredential', () => {
  it('reads a bearer token case-insensitively and ignores other schemes', () => {
    expect(extractCredential(request({ authorization: 'bearer abc.def.ghi' }), bearer)?.value).toBe('abc.def.ghi');
    expect(extractCredential(request({ authorization: 'Basic YTpi' }), bearer)).toBeUndefined();
    expect(extractCredential(request({ authorization: 'Bearer ' }), bearer)).toBeUndefined();
  });
  it('reads cookies (first value wins) and query parameters', () => {
    const from = { headers: [], cookies: ['tok'], params: ['access_token'] };
    expect(extractCredential(request({ cookie: 'a=1; tok=first; tok=second' }), from)).toEqual({ value: 'first', source: 'cookie:tok' });
    expect(extractCredential(request({}, 'x=1&access_token=q.r.s'), from)).toEqual({ value: 'q.r.s', source: 'param:access_token' });
    expect(extractCredential(request({}, 'x=1'), from)).toBeUndefined();
  });
});
