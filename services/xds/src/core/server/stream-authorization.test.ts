import { describe, expect, it } from 'vitest';
import type { Identity } from '@gatehouse/contracts';
import { authorizeStream, parseProxylessClients, type StreamPeer } from './stream-authorization.js';

const gatewayA: Identity = { kind: 'gateway', namespace: 'default', name: 'a' };
const gatewayB: Identity = { kind: 'gateway', namespace: 'default', name: 'b' };
const billing: Identity = { kind: 'client', name: 'billing' };
const authz: Identity = { kind: 'service', name: 'authz' };
const sharedClass: Identity = { kind: 'gatewayclass', name: 'shared' };

const mtls = (...identities: Identity[]): StreamPeer => ({ transport: 'mtls', identities });

describe('authorizeStream', () => {
  it("a proxy with Gateway A's certificate gets Gateway A's node cluster, all of it", () => {
    expect(authorizeStream(mtls(gatewayA), 'default/a')).toEqual({ allowed: true, view: 'gateway', bound: true, identity: 'spiffe://gatehouse/gateway/default/a' });
  });

  it("a proxy with Gateway A's certificate asking for Gateway B's config is refused", () => {
    const grant = authorizeStream(mtls(gatewayA), 'default/b');
    expect(grant).toMatchObject({ allowed: false, reason: 'other_gateway' });
    expect(grant.allowed === false && grant.message).toBe('spiffe://gatehouse/gateway/default/a may open ADS only as node.cluster "default/a", not "default/b"');
  });

  it('a Gateway identity cannot reach another namespace, a prefix, or a look-alike of its node cluster', () => {
    for (const cluster of ['other/a', 'default/a ', 'default/a/x', 'default/ab', 'default', 'Default/a', '*', 'default/*']) {
      expect(authorizeStream(mtls(gatewayA), cluster), cluster).toMatchObject({ allowed: false, reason: 'other_gateway' });
    }
  });

  it("a merged GatewayClass's fleet gets exactly the class's node cluster, and no Gateway's", () => {
    expect(authorizeStream(mtls(sharedClass), 'shared')).toEqual({ allowed: true, view: 'gateway', bound: true, identity: 'spiffe://gatehouse/gatewayclass/shared' });
    for (const cluster of ['default/a', 'default/shared', 'shared/a', 'other', 'shared ', '*']) {
      expect(authorizeStream(mtls(sharedClass), cluster), cluster).toMatchObject({ allowed: false, reason: 'other_gateway' });
    }
    const grant = authorizeStream(mtls(sharedClass), 'default/a');
    expect(grant.allowed === false && grant.message).toBe('spiffe://gatehouse/gatewayclass/shared may open ADS only as node.cluster "shared" (the GatewayClass\'s merged Gateways), not "default/a"');
  });

  it("a Gateway's certificate never opens its merged GatewayClass's node cluster (the other Gateways' keys are there)", () => {
    expect(authorizeStream(mtls(gatewayA), 'shared')).toMatchObject({ allowed: false, reason: 'other_gateway' });
  });

  it('a service certificate (authz, ratelimit, certs) gets no xDS configuration', () => {
    expect(authorizeStream(mtls(authz), 'default/a')).toMatchObject({ allowed: false, reason: 'service_identity' });
  });

  it('a certificate from the CA without a Gatehouse identity gets nothing', () => {
    const grant = authorizeStream(mtls(), 'default/a');
    expect(grant).toMatchObject({ allowed: false, reason: 'no_identity' });
    expect(grant.allowed === false && grant.message).toContain('node cluster "default/a" is not served');
  });

  it('a certificate naming two identities (two Gateways, or a Gateway and a client) gets nothing', () => {
    expect(authorizeStream(mtls(gatewayA, gatewayB), 'default/a')).toMatchObject({ allowed: false, reason: 'several_identities' });
    expect(authorizeStream(mtls(gatewayA, billing), 'default/a')).toMatchObject({ allowed: false, reason: 'several_identities' });
  });

  it('the same identity listed twice counts once', () => {
    expect(authorizeStream(mtls(gatewayA, { ...gatewayA }), 'default/a')).toMatchObject({ allowed: true, view: 'gateway' });
  });

  it('a proxyless client gets only the proxyless view, of any Gateway when no allow-list is configured', () => {
    expect(authorizeStream(mtls(billing), 'default/mesh')).toEqual({ allowed: true, view: 'proxyless', bound: true, identity: 'spiffe://gatehouse/client/billing' });
    expect(authorizeStream(mtls(billing), 'other/mesh')).toMatchObject({ allowed: true, view: 'proxyless' });
  });

  it('with XDS_PROXYLESS_CLIENTS, a proxyless client opens only the Gateways listed for it', () => {
    const policy = { proxylessClients: new Map([['billing', new Set(['default/mesh'])]]) };
    expect(authorizeStream(mtls(billing), 'default/mesh', policy)).toMatchObject({ allowed: true, view: 'proxyless' });
    const other = authorizeStream(mtls(billing), 'default/a', policy);
    expect(other).toMatchObject({ allowed: false, reason: 'client_not_allowed' });
    expect(other.allowed === false && other.message).toBe('spiffe://gatehouse/client/billing may open only "default/mesh", not "default/a"');
    const unlisted = authorizeStream(mtls({ kind: 'client', name: 'tool' }), 'default/mesh', policy);
    expect(unlisted).toMatchObject({ allowed: false, reason: 'client_not_allowed' });
    expect(unlisted.allowed === false && unlisted.message).toContain('not in XDS_PROXYLESS_CLIENTS');
  });

  it('an allow-list never widens what a Gateway identity gets', () => {
    const policy = { proxylessClients: new Map([['billing', new Set(['default/b'])]]) };
    expect(authorizeStream(mtls(gatewayA), 'default/b', policy)).toMatchObject({ allowed: false, reason: 'other_gateway' });
  });

  it('with plaintext nobody is identified: every node cluster is served whole, unbound', () => {
    expect(authorizeStream({ transport: 'plaintext' }, 'default/b')).toEqual({ allowed: true, view: 'gateway', bound: false });
  });
});

describe('parseProxylessClients', () => {
  it('reads <client>=<namespace>/<gateway> entries, a client once per Gateway', () => {
    const parsed = parseProxylessClients('billing=default/mesh, billing=prod/mesh\ntool=default/mesh');
    expect(parsed).toEqual(new Map([['billing', new Set(['default/mesh', 'prod/mesh'])], ['tool', new Set(['default/mesh'])]]));
  });

  it('reads <client>=<gatewayclass> as the merged Gateways of a class (their fleet\'s node cluster)', () => {
    const parsed = parseProxylessClients('billing=shared');
    expect(parsed).toEqual(new Map([['billing', new Set(['shared'])]]));
    expect(authorizeStream(mtls(billing), 'shared', { proxylessClients: parsed as ReadonlyMap<string, ReadonlySet<string>> })).toMatchObject({ allowed: true, view: 'proxyless' });
  });

  it('names an entry that is not <client>=<namespace>/<gateway>', () => {
    for (const bad of ['billing', 'billing=Mesh', 'billing=default/mesh/x', 'Billing=default/mesh', '=default/mesh', 'billing=default/*']) {
      expect(parseProxylessClients(bad), bad).toEqual({ error: expect.stringContaining(`"${bad}"`) });
    }
  });
});
