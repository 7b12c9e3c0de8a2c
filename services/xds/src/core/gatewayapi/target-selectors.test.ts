// targetSelectors.namespaces as Envoy Gateway v1.9 resolves it: Same (the default) stays in the
// policy's namespace, All and Selector (by the Namespace document's labels) reach further, and a
// target in another namespace is selected only with a ReferenceGrant there for the policy's kind.
import { describe, expect, it } from 'vitest';
import type { GatewayResource } from '../provider/resource-types.js';
import { ResourceIndex } from './resource-index.js';
import { withSelectedTargets } from './target-selectors.js';

const resource = (kind: string, namespace: string, name: string, extra: Partial<GatewayResource> = {}): GatewayResource =>
  ({ apiVersion: 'v1', kind, metadata: { name, namespace }, ...extra }) as GatewayResource;
const route = (namespace: string, name: string) => resource('HTTPRoute', namespace, name, { apiVersion: 'gateway.networking.k8s.io/v1', metadata: { name, namespace, labels: { exposure: 'public' } }, spec: {} });
const grant = (namespace: string, kind: string) =>
  resource('ReferenceGrant', namespace, `allow-${kind}`, {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    spec: { from: [{ group: 'gateway.envoyproxy.io', kind, namespace: 'platform' }], to: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] },
  });
const policy = (namespaces: unknown) =>
  resource('BackendTrafficPolicy', 'platform', 'p', { apiVersion: 'gateway.envoyproxy.io/v1alpha1', spec: { targetSelectors: [{ kind: 'HTTPRoute', matchLabels: { exposure: 'public' }, ...(namespaces ? { namespaces } : {}) }] } });

const index = new ResourceIndex([
  resource('Namespace', 'default', 'shop', { metadata: { name: 'shop', namespace: 'default', labels: { team: 'shop' } } }),
  resource('Namespace', 'default', 'blog', { metadata: { name: 'blog', namespace: 'default', labels: { team: 'content' } } }),
  route('platform', 'local'),
  route('shop', 'cart'),
  route('blog', 'posts'),
  grant('shop', 'BackendTrafficPolicy'),
  grant('blog', 'EnvoyExtensionPolicy'),
]);
const selected = (namespaces: unknown) => (withSelectedTargets(policy(namespaces), index).policy.spec as { targetRefs: unknown[] }).targetRefs;

describe('targetSelectors.namespaces', () => {
  it('selects in the policy namespace only by default (Same)', () => {
    expect(selected(undefined)).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'local' }]);
    expect(selected({ from: 'Same' })).toEqual(selected(undefined));
  });

  it('selects across namespaces with All, but only where a ReferenceGrant allows this policy kind', () => {
    expect(selected({ from: 'All' })).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'local' },
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'cart', namespace: 'shop' },
    ]);
  });

  it("selects by the Namespace document's labels with Selector (and its kubernetes.io/metadata.name)", () => {
    expect(selected({ from: 'Selector', selector: { matchLabels: { team: 'shop' } } })).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'cart', namespace: 'shop' }]);
    expect(selected({ from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['platform'] }] } })).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'local' },
    ]);
  });
});
