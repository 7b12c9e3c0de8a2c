import { describe, expect, it } from 'vitest';
import { applyUnderscoreHeaderPolicy, sanitizeEdgeHeaders } from './edge-headers.js';
import type { HttpConnectionManager } from './types.js';

const hcm = (fields: Record<string, unknown>): HttpConnectionManager => ({ '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', ...fields });
const request = { method: 'GET', path: '/', host: 'app.example.test', headers: {}, clientAddress: '192.0.2.1', scheme: 'https' as const };

describe('edge request headers', () => {
  it('overwrites a client x-forwarded-proto with the connection scheme on an edge listener (either BoolValue form)', () => {
    for (const use of [true, { value: true }]) {
      const headers = { 'x-forwarded-proto': 'http' };
      sanitizeEdgeHeaders(hcm({ use_remote_address: use }), request, headers);
      expect(headers['x-forwarded-proto']).toBe('https');
    }
  });

  it('keeps x-forwarded-proto from trusted hops', () => {
    const headers = { 'x-forwarded-proto': 'http' };
    sanitizeEdgeHeaders(hcm({ use_remote_address: true, xff_num_trusted_hops: 1 }), request, headers);
    expect(headers['x-forwarded-proto']).toBe('http');
  });
});

describe('header names with underscores', () => {
  const policy = (action?: string): HttpConnectionManager => hcm(action ? { common_http_protocol_options: { headers_with_underscores_action: action } } : {});
  it('rejects the request under REJECT_REQUEST, drops the header under DROP_HEADER, keeps it otherwise', () => {
    const headers = { x_user_id: 'mallory', accept: '*/*' };
    expect(applyUnderscoreHeaderPolicy(policy('REJECT_REQUEST'), headers)).toBeUndefined();
    expect(applyUnderscoreHeaderPolicy(policy('DROP_HEADER'), headers)).toEqual({ accept: '*/*' });
    expect(applyUnderscoreHeaderPolicy(policy(), headers)).toEqual(headers);
    expect(applyUnderscoreHeaderPolicy(policy('REJECT_REQUEST'), { accept: '*/*' })).toEqual({ accept: '*/*' });
  });
});
