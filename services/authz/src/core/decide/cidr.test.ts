import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr } from './cidr.js';

describe('cidr', () => {
  it('matches IPv4 ranges and single addresses', () => {
    const net = parseCidr('10.1.0.0/16')!;
    expect(cidrContains(net, '10.1.200.3')).toBe(true);
    expect(cidrContains(net, '10.2.0.1')).toBe(false);
    expect(cidrContains(parseCidr('192.168.1.7')!, '192.168.1.7')).toBe(true);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, '8.8.8.8')).toBe(true);
  });
  it('matches IPv6 ranges and IPv4-mapped addresses against IPv4 ranges', () => {
    expect(cidrContains(parseCidr('2001:db8::/32')!, '2001:db8:1::5')).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/32')!, '2001:db9::5')).toBe(false);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, '::ffff:10.3.4.5')).toBe(true);
  });
  it('rejects malformed ranges and never matches garbage addresses', () => {
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0/8')).toBeUndefined();
    expect(parseCidr('1.2.3.4/8/1')).toBeUndefined();
    expect(cidrContains(parseCidr('10.0.0.0/8')!, '10.0.0.256')).toBe(false);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, '')).toBe(false);
  });
});
