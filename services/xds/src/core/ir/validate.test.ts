// The IR shape check names each field that does not fit, so a malformed translator golden case
// fails with the field to fix rather than a crash deep in the translator.
import { describe, expect, it } from 'vitest';
import { checkGatewayIR, isGatewayIR } from './validate.js';

const route = { name: 'r', match: { path: { type: 'Prefix', value: '/' }, headers: [], queryParams: [] }, mirrors: [] };
const chain = { name: 'c', serverNames: [], tlsSecrets: [], acmeChallenge: false, virtualHosts: [{ name: 'vh', domains: ['*'], routes: [route] }] };
const gateway = {
  key: 'default/edge',
  ports: [{ name: 'p', port: 8080, protocol: 'HTTP', chains: [chain] }],
  proxyless: [],
  clusters: [{ name: 'backend/default/api', endpoints: [{ kind: 'ip', address: '10.0.0.10', port: 3000, zone: 'a' }], http2: false }],
  secrets: [],
  identityHeaders: ['x-gatehouse-subject'],
};

describe('checkGatewayIR', () => {
  it('accepts a well-formed GatewayIR', () => {
    expect(checkGatewayIR(gateway)).toEqual([]);
    expect(isGatewayIR(gateway)).toBe(true);
  });

  it('names a missing required field by its path', () => {
    const { mirrors: _, ...withoutMirrors } = route;
    const broken = { ...gateway, ports: [{ ...gateway.ports[0], chains: [{ ...chain, virtualHosts: [{ name: 'vh', domains: ['*'], routes: [withoutMirrors] }] }] }] };
    expect(checkGatewayIR(broken)).toEqual(['ports[0].chains[0].virtualHosts[0].routes[0].mirrors: is required']);
  });

  it('reports a misspelt field instead of reading it as absent', () => {
    const { secrets: _, ...withoutSecrets } = gateway;
    expect(checkGatewayIR({ ...withoutSecrets, secret: [] })).toEqual(['secrets: is required', 'secret: is not a field here (expected key, ports, l4Ports, proxyless, clusters, secrets, identityHeaders)']);
  });

  it('checks the tag of a union and the fields of the variant it names', () => {
    const endpoints = [{ kind: 'dns', hostname: 'a' }, { kind: 'fqdn', hostname: 'a', port: 'http' }];
    expect(checkGatewayIR({ ...gateway, clusters: [{ name: 'c', endpoints, http2: false }] })).toEqual([
      'clusters[0].endpoints[0].kind: expected one of ip, fqdn, unix, got "dns"',
      'clusters[0].endpoints[1].port: expected an integer from 1 to 65535, got "http"',
    ]);
  });

  it('checks scalars and enumerations', () => {
    const port = { name: 'p', port: 8080, protocol: 'TCP', chains: [{ ...chain, acmeChallenge: 'no' }] };
    expect(checkGatewayIR({ ...gateway, ports: [port] })).toEqual([
      'ports[0].protocol: expected one of HTTP, HTTPS, got "TCP"',
      'ports[0].chains[0].acmeChallenge: expected true or false, got "no"',
    ]);
    expect(checkGatewayIR([])).toEqual(['(top): expected a mapping, got a list']);
  });
});
