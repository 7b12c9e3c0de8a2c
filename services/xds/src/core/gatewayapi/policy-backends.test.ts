// A policy service's backends merged into one cluster: weights spread over endpoints (weight 0 serves
// nothing), fallbacks at priority 1, and what one cluster cannot hold refused with the reason; a single
// plain backendRef keeps the shared Backend cluster.
import { describe, expect, it } from 'vitest';
import { loadResourcesFromFiles } from '../provider/load-files.js';
import { ClusterRegistry } from './backends.js';
import { planPolicyBackends, resolvePolicyBackends, type PolicyBackendRef, type PolicyBackends } from './policy-backends.js';
import { ResourceIndex } from './resource-index.js';

const yaml = `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: a }
spec: { endpoints: [{ ip: { address: 10.0.0.1, port: 9000 } }, { ip: { address: 10.0.0.2, port: 9000 } }] }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: b }
spec: { endpoints: [{ ip: { address: 10.0.1.1, port: 9000 } }] }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: tls }
spec:
  endpoints: [{ ip: { address: 10.0.2.1, port: 9443 } }]
  tls: { insecureSkipVerify: true }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: socket }
spec: { endpoints: [{ unix: { path: /run/auth.sock } }] }
`;
const index = new ResourceIndex(loadResourcesFromFiles([{ path: 'in.yaml', text: yaml }]).resources);
const from = { kind: 'SecurityPolicy', namespace: 'default' };
const ref = (name: string, extra: Partial<PolicyBackendRef> = {}): PolicyBackendRef => ({ group: 'gateway.envoyproxy.io', kind: 'Backend', name, ...extra });

function plan(refs: PolicyBackendRef[], settings?: unknown): PolicyBackends | string[] {
  return planPolicyBackends({ refs, settings, at: 'spec.extAuth.grpc', label: 'ExtAuth', name: 'securitypolicy/default/p/0', policy: 'default/p', from, grpc: true }, index);
}

function resolve(refs: PolicyBackendRef[], settings?: unknown) {
  const planned = plan(refs, settings);
  if (Array.isArray(planned)) throw new Error(planned.join('; '));
  const registry = new ClusterRegistry();
  const resolved = resolvePolicyBackends(planned, from, index, registry);
  return { resolved, registry };
}

describe('policy service backends', () => {
  it('keeps the shared Backend cluster for one backendRef without settings', () => {
    const { resolved, registry } = resolve([ref('a')]);
    expect(resolved).toEqual({ ok: true, cluster: 'backend/default/a' });
    expect(registry.list().map((c) => c.name)).toEqual(['backend/default/a']);
  });

  it("spreads each backend's weight over its endpoints, leaves weight 0 out and puts fallbacks at priority 1, in one cluster only", () => {
    const { resolved, registry } = resolve([ref('a', { weight: 1 }), ref('b', { weight: 1 }), ref('socket', { weight: 0 })]);
    expect(resolved).toEqual({ ok: true, cluster: 'securitypolicy/default/p/0' });
    expect(registry.list().map((c) => c.name)).toEqual(['securitypolicy/default/p/0']);
    const endpoints = registry.get('securitypolicy/default/p/0')!.endpoints.map((e) => [e.kind === 'ip' ? e.address : '', e.weight, e.priority ?? 0]);
    // a: 1 * 2 / 2 endpoints each; b: 1 * 2 / 1 — the two backends get equal shares.
    expect(endpoints).toEqual([['10.0.0.1', 1, 0], ['10.0.0.2', 1, 0], ['10.0.1.1', 2, 0]]);
    const failover = resolve([ref('a'), ref('b', { fallback: true })]).registry.get('securitypolicy/default/p/0')!;
    expect(failover.endpoints.map((e) => e.priority ?? 0)).toEqual([0, 0, 1]);
  });

  it('gives a single backendRef with backendSettings a cluster of its own carrying them', () => {
    const { resolved, registry } = resolve([ref('a')], { circuitBreaker: { maxConnections: 5 } });
    expect(resolved).toEqual({ ok: true, cluster: 'securitypolicy/default/p/0' });
    expect(registry.get('securitypolicy/default/p/0')!.policy?.circuitBreaker).toMatchObject({ maxConnections: 5 });
  });

  it('refuses what one cluster cannot hold, and weights that serve nothing', () => {
    expect(plan([ref('a'), ref('tls')])).toEqual(['backendRefs: every backend must have the same upstream TLS settings (one cluster holds them all)']);
    expect(plan([ref('a', { weight: 0 }), ref('b', { weight: 0 })])).toEqual(['backendRefs: every backendRef has weight 0, so the service would get no request']);
    expect(plan([ref('a'), ref('missing')])).toEqual(['backendRefs[1]: Backend default/missing does not exist']);
  });

  it("keeps Envoy Gateway's default retry_on unless triggers are named", () => {
    const retryOn = (retry: unknown) => (plan([ref('a')], { retry }) as PolicyBackends).retry?.retryOn;
    expect(retryOn({ retryOn: {} })).toEqual(['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes']);
    expect(retryOn({ retryOn: { triggers: ['unavailable'] } })).toEqual(['unavailable']);
  });

  it('names the field of a backendSettings value Envoy would refuse', () => {
    expect(plan([ref('a')], { retry: { perRetry: { backOff: { baseInterval: '2s', maxInterval: '1s' } } }, loadBalancer: { type: 'ConsistentHash' } })).toEqual([
      'spec.extAuth.grpc.backendSettings.loadBalancer.type: ConsistentHash needs a hash key from the route, and calls to a policy service have none',
      'spec.extAuth.grpc.backendSettings.retry.perRetry.backOff.maxInterval: 1s is less than baseInterval 2s',
    ]);
  });
});
