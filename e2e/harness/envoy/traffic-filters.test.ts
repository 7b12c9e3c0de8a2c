// The emulator's fault, local rate limit, client address and consistent-hash parts against the
// behaviour Envoy documents for them.
import { describe, expect, it } from 'vitest';
import { detectClientAddress, durationMs, faultAbort, pickHashedEndpoint, takeLocalToken, takeSharedLocalTokens } from './traffic-filters.js';
import type { EmulatedRequest } from './route-matching.js';
import type { HttpConnectionManager } from './types.js';

const request = (headers: Record<string, string> = {}, over: Partial<EmulatedRequest> = {}): EmulatedRequest => ({ method: 'GET', path: '/', host: 'a', headers, clientAddress: '192.0.2.1', ...over });
const hcm = (fields: Record<string, unknown>): HttpConnectionManager => ({ '@type': 'hcm', ...fields }) as unknown as HttpConnectionManager;

describe('emulated traffic filters', () => {
  it('reads durations in JSON and protobufjs object form', () => {
    expect(durationMs('1.500s')).toBe(1500);
    expect(durationMs({ seconds: '60' })).toBe(60_000);
  });

  it('aborts with the HTTP status of a fault that applies to every request, and not without an abort', () => {
    expect(faultAbort({ abort: { http_status: 503, percentage: { numerator: 1_000_000, denominator: 'MILLION' } } })?.status).toBe(503);
    expect(faultAbort({ abort: { http_status: 503, percentage: { numerator: 0, denominator: 'MILLION' } } })).toBeUndefined();
    expect(faultAbort({ delay: { fixed_delay: '1s' } })).toBeUndefined();
  });

  it('gives a route its bucket of tokens and refuses the request after them', () => {
    const config = { token_bucket: { max_tokens: 2, tokens_per_fill: 2, fill_interval: '3600s' } };
    expect([1, 2, 3].map(() => takeLocalToken('emulator-test-route', config))).toEqual([true, true, false]);
    expect(takeLocalToken('emulator-other-route', config)).toBe(true);
  });

  it('spends one shared bucket per HCM-level descriptor whatever the route, and passes a request no descriptor matches', () => {
    const always = { default_value: { numerator: 100, denominator: 'HUNDRED' } };
    const entries = [{ key: 'emulator-policy', value: 'default' }, { key: 'rule-0-match--1', value: 'rule-0-match--1' }];
    const config = { filter_enabled: always, filter_enforced: always, descriptors: [{ entries, token_bucket: { max_tokens: 2, tokens_per_fill: 2, fill_interval: '3600s' } }] };
    const fromRoute = [{ entries: entries.map((e) => ({ ...e })) }];
    expect([1, 2, 3].map(() => takeSharedLocalTokens('emulator-shared', config, fromRoute))).toEqual([true, true, false]);
    expect(takeSharedLocalTokens('emulator-shared', config, [{ entries: [{ key: 'other', value: 'x' }] }])).toBe(true);
    expect(takeSharedLocalTokens('emulator-shared', { ...config, filter_enforced: { default_value: { numerator: 0, denominator: 'HUNDRED' } } }, fromRoute)).toBe(true);
  });

  it('takes the client address from the Nth X-Forwarded-For entry from the right with N trusted hops, else the peer', () => {
    const edge = hcm({ use_remote_address: true, xff_num_trusted_hops: 1 });
    expect(detectClientAddress(edge, request({ 'x-forwarded-for': '203.0.113.9, 198.51.100.7' }))).toEqual({ address: '198.51.100.7' });
    expect(detectClientAddress(edge, request())).toEqual({ address: '192.0.2.1' });
    expect(detectClientAddress(hcm({ use_remote_address: true, xff_num_trusted_hops: 0 }), request({ 'x-forwarded-for': '198.51.100.7' }))).toEqual({ address: '192.0.2.1' });
  });

  it('takes the client address from a custom header, and rejects a request without one when told to', () => {
    const custom = hcm({ original_ip_detection_extensions: [{ name: 'x', typed_config: { header_name: 'X-Client-IP', reject_with_status: { code: 'Forbidden' } } }] });
    expect(detectClientAddress(custom, request({ 'x-client-ip': '198.51.100.8' }))).toEqual({ address: '198.51.100.8' });
    expect(detectClientAddress(custom, request())).toEqual({ rejectCode: 'Forbidden' });
  });

  it('sends the same hash key to the same endpoint', () => {
    const endpoints = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];
    const policies = [{ header: { header_name: 'x-user' } }];
    const pick = (user: string) => pickHashedEndpoint(policies, request({ 'x-user': user }), endpoints);
    expect(new Set([1, 2, 3, 4].map(() => pick('alice'))).size).toBe(1);
    expect(new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(pick)).size).toBeGreaterThan(1);
  });
});
