import { describe, expect, it } from 'vitest';
import { formatIdentity, gatewayNodeCluster, parseIdentity } from './identity.js';

describe('identities of the deployment PKI', () => {
  it('round-trips each kind', () => {
    for (const identity of [
      { kind: 'service', name: 'xds' },
      { kind: 'gateway', namespace: 'default', name: 'eg' },
      { kind: 'gatewayclass', name: 'shared' },
      { kind: 'client', name: 'gatehouse-cli' },
    ] as const) {
      expect(parseIdentity(formatIdentity(identity))).toEqual(identity);
    }
    expect(formatIdentity({ kind: 'gateway', namespace: 'apps', name: 'web' })).toBe('spiffe://gatehouse/gateway/apps/web');
    expect(formatIdentity({ kind: 'gatewayclass', name: 'shared' })).toBe('spiffe://gatehouse/gatewayclass/shared');
    expect(gatewayNodeCluster({ kind: 'gateway', namespace: 'apps', name: 'web' })).toBe('apps/web');
  });

  it('ignores foreign and malformed URIs rather than trusting a part of them', () => {
    for (const uri of [
      'spiffe://other/gateway/a/b',
      'spiffe://gatehouse/gateway/a',
      'spiffe://gatehouse/gateway/a/b/c',
      'spiffe://gatehouse/gateway/../b',
      'spiffe://gatehouse/gateway/A/b',
      'spiffe://gatehouse/service/',
      'spiffe://gatehouse/gatewayclass/a/b',
      'spiffe://gatehouse/admin/x',
      'https://gatehouse/service/xds',
    ]) {
      expect(parseIdentity(uri), uri).toBeUndefined();
    }
  });

  it('refuses to write an identity that would not parse back', () => {
    expect(() => formatIdentity({ kind: 'gateway', namespace: 'a/b', name: 'c' })).toThrow(/not a valid name/);
  });
});
