// EnvoyPatchPolicy on a translated Gateway under the last-good rule: off unless XDS_ENABLE_ENVOY_PATCH_POLICY,
// a patch Envoy would refuse is never served (Programmed=False), and a policy's bad new version leaves its
// last good version patching.
import { describe, expect, it } from 'vitest';
import { loadResourcesFromFiles, translateAll, type TranslateOptions, type TranslateResult } from '../core/index.js';
import { LastGoodResources } from './last-good-resources.js';

const OPTIONS: TranslateOptions = {
  authz: { clusterName: 'gatehouse/authz', host: 'authz', port: 9001 },
  rateLimit: { clusterName: 'gatehouse/ratelimit', host: 'ratelimit', port: 9002 },
  certs: { clusterName: 'gatehouse/certs', host: 'certs', port: 8089 },
  enableEnvoyPatchPolicy: true,
};

const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge }
spec:
  gatewayClassName: gatehouse
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;
const policy = (limit: number) => `
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyPatchPolicy
metadata: { name: buffer }
spec:
  targetRef: { group: gateway.networking.k8s.io, kind: Gateway, name: edge }
  type: JSONPatch
  jsonPatches:
    - type: type.googleapis.com/envoy.config.listener.v3.Listener
      name: default/edge/port/8080
      operation: { op: add, path: /per_connection_buffer_limit_bytes, value: ${limit} }
`;
const KEY = 'EnvoyPatchPolicy/default/buffer';
const load = (text: string) => loadResourcesFromFiles([{ path: 'gateway.yaml', text }]).resources;
const translate = (options: TranslateOptions) => (resources: Parameters<typeof translateAll>[0]): TranslateResult => translateAll(resources, options);
const bufferLimit = (result: TranslateResult) => result.snapshots.get('default/edge')!.listeners[0]!.per_connection_buffer_limit_bytes;
const conditions = (result: TranslateResult) => {
  const status = result.statuses.get(KEY);
  return status && 'ancestors' in status ? status.ancestors[0]!.conditions : [];
};

describe('EnvoyPatchPolicy', () => {
  it('is Accepted=False, reason Disabled, naming the variable, unless XDS_ENABLE_ENVOY_PATCH_POLICY is on', () => {
    const result = translateAll(load(GATEWAY + policy(1024)), { ...OPTIONS, enableEnvoyPatchPolicy: false });
    expect(bufferLimit(result)).toBeUndefined();
    expect(conditions(result)).toEqual([expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'Disabled', message: expect.stringContaining('XDS_ENABLE_ENVOY_PATCH_POLICY=true') })]);
  });

  it('keeps its last good version patching when a new version would produce a resource Envoy refuses', () => {
    const lastGood = new LastGoodResources();
    const good = lastGood.translate(load(GATEWAY + policy(1024)), translate(OPTIONS));
    expect(bufferLimit(good.result)).toBe(1024);
    expect(conditions(good.result).map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'Programmed=True']);

    // per_connection_buffer_limit_bytes is a UInt32Value: -1 is not a value Envoy takes.
    const bad = lastGood.translate(load(GATEWAY + policy(-1)), translate(OPTIONS));
    expect(bufferLimit(bad.result)).toBe(1024);
    const accepted = conditions(bad.result).find((c) => c.type === 'Accepted')!;
    expect(accepted).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(accepted.message).toContain('generation 2 is refused, generation 1 (the last accepted version) keeps serving');
    expect(accepted.message).toContain('Validation failed for xds resource Listener default/edge/port/8080');

    const fixed = lastGood.translate(load(GATEWAY + policy(2048)), translate(OPTIONS));
    expect(bufferLimit(fixed.result)).toBe(2048);
  });

  it('a never-good version patches nothing that Envoy would refuse and says Programmed=False', () => {
    const result = translateAll(load(GATEWAY + policy(-1)), OPTIONS);
    expect(bufferLimit(result)).toBeUndefined();
    expect(conditions(result).find((c) => c.type === 'Programmed')).toMatchObject({ status: 'False', reason: 'Invalid' });
  });
});
