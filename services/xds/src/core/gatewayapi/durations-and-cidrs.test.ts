import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './durations.js';
import { parseCidr } from './traffic-policy.js';

describe('parseDurationMs', () => {
  it('reads Gateway API durations, compound ones included', () => {
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('0s')).toBe(0);
  });
  it('rejects what the Gateway API does not allow', () => {
    for (const bad of ['1.5s', '10', '1d', '-1s', '']) expect(parseDurationMs(bad)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('normalises to the network address, as Envoy masked_remote_address reports it', () => {
    expect(parseCidr('10.1.2.3/16')).toEqual({ cidr: '10.1.0.0/16', maskLen: 16, ipv6: false });
    expect(parseCidr('192.168.1.77/32')).toEqual({ cidr: '192.168.1.77/32', maskLen: 32, ipv6: false });
    expect(parseCidr('0.0.0.0/0')).toEqual({ cidr: '0.0.0.0/0', maskLen: 0, ipv6: false });
  });
  it('rejects malformed CIDRs', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', 'nope/8']) expect(parseCidr(bad)).toBeUndefined();
  });
});
