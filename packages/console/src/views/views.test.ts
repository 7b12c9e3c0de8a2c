// @vitest-environment happy-dom
import { h, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health, Topology } from '../model.js';
import { HealthView } from './health-view.js';
import { TopologyView } from './topology-view.js';

const health: Health = {
  appliedAt: '2026-01-01T00:00:00.000Z',
  versions: { 'default/gateway': 'abc' },
  resources: [
    { key: 'HTTPRoute/default/api', conditions: [{ type: 'Accepted', status: 'False', reason: 'Invalid', message: 'routes.yaml:12: GH_XDS_SCHEMA: bad; generation 2 is refused, generation 1 (the last accepted version) keeps serving' }], healthy: false, servingLastGood: true },
    { key: 'Gateway/default/gateway', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }], healthy: true, servingLastGood: false },
  ],
  fileErrors: [{ code: 'GH_XDS_YAML_PARSE', message: 'unexpected end of flow map', file: 'broken.yaml', line: 3, keptPrevious: false }],
  snapshotProblems: [],
  translationError: null,
  proxies: [
    {
      nodeId: 'envoy-1',
      nodeCluster: 'default/gateway',
      variant: 'delta',
      connectedAt: '2026-01-01T00:00:00.000Z',
      types: [{ type: 'cds', ackedVersion: '0123456789abcdef', lastNack: { version: 'fedcba9876543210', message: 'cluster foo: invalid', at: '2026-01-01T00:00:00.000Z' } }],
    },
  ],
  nacks: [],
};

const topology: Topology = {
  gateways: [
    {
      key: 'default/gateway',
      accepted: true,
      listeners: [{ name: 'http', protocol: 'HTTP', port: 8080, certificates: [], attachedRoutes: 1, ready: true }],
      routes: [
        {
          route: 'HTTPRoute/default/api',
          rule: 0,
          port: 8080,
          hostnames: ['*'],
          match: { path: { type: 'Prefix', value: '/api' }, headers: [], queryParams: [] },
          backends: [
            { name: 'default/v1', weight: 90 },
            { name: 'default/v2', weight: 10 },
          ],
          policies: [{ kind: 'RateLimit', name: 'default/limit', shared: false, rules: [{ requests: 5, unit: 'minute', selectors: [{ kind: 'header', name: 'x-user-id', invert: false, distinct: true }] }] }],
        },
      ],
    },
  ],
};

afterEach(() => render(null, document.body));

describe('TopologyView', () => {
  it('draws each Gateway with its listener, route match, weighted backends and policy words', () => {
    render(h(TopologyView, { topology, health }), document.body);
    const text = document.body.textContent ?? '';
    expect(text).toContain('default/gateway');
    expect(text).toContain('1 proxy connected');
    expect(text).toContain('HTTP :8080');
    expect(text).toContain('/api/*');
    expect(text).toContain('90%');
    expect(text).toContain('5 requests/minute per x-user-id');
  });
});

describe('HealthView', () => {
  it('shows a file error with file and line, a resource serving its last good version, and a proxy NACK', () => {
    render(h(HealthView, { health }), document.body);
    const problems = document.querySelector('[data-testid="problems"]')?.textContent ?? '';
    expect(problems).toContain('broken.yaml:3');
    expect(problems).toContain('GH_XDS_YAML_PARSE: unexpected end of flow map');
    expect(problems).toContain('last good version serving');
    const proxies = document.querySelector('[data-testid="proxies"]')?.textContent ?? '';
    expect(proxies).toContain('envoy-1');
    expect(proxies).toContain('delta');
    expect(proxies).toContain('cds 01234567');
    expect(proxies).toContain('cds: cluster foo: invalid');
  });
});
