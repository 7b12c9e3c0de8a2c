// EnvoyProxy under the last-good rule: an edit that Gatehouse cannot honour (a refused field) keeps the
// last accepted EnvoyProxy serving, so its Gateway keeps its access logs instead of going dark or
// losing them; a fixed edit serves at once.
import { describe, expect, it } from 'vitest';
import { loadResourcesFromFiles, translateAll, type TranslateOptions, type TranslateResult } from '../core/index.js';
import { LastGoodResources } from './last-good-resources.js';

const OPTIONS: TranslateOptions = {
  authz: { clusterName: 'gatehouse/authz', host: 'authz', port: 9001 },
  rateLimit: { clusterName: 'gatehouse/ratelimit', host: 'ratelimit', port: 9002 },
  certs: { clusterName: 'gatehouse/certs', host: 'certs', port: 8089 },
};

const config = (proxySpec: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: logs }
spec:
${proxySpec}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge }
spec:
  gatewayClassName: gatehouse
  infrastructure: { parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: logs } }
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;
const fileLog = (path: string) => `  telemetry:
    accessLog:
      settings:
        - sinks: [{ type: File, file: { path: ${path} } }]`;

const load = (text: string) => loadResourcesFromFiles([{ path: 'gateway.yaml', text }]).resources;
const translate = (resources: Parameters<typeof translateAll>[0]): TranslateResult => translateAll(resources, OPTIONS);
/** The access log paths on the Gateway's connection manager, or undefined when the Gateway is not served. */
function logPaths(result: TranslateResult): string[] | undefined {
  const listener = result.snapshots.get('default/edge')?.listeners[0] as { filter_chains: Array<{ filters: Array<{ typed_config: { access_log?: Array<{ typed_config: { path: string } }> } }> }> } | undefined;
  return listener?.filter_chains[0]!.filters[0]!.typed_config.access_log?.map((l) => l.typed_config.path);
}

describe('EnvoyProxy, last good', () => {
  it('keeps the last accepted EnvoyProxy serving when an edit asks for what Gatehouse cannot honour', () => {
    const lastGood = new LastGoodResources();
    const good = lastGood.translate(load(config(fileLog('/var/log/envoy/a.log'))), translate);
    expect(logPaths(good.result)).toEqual(['/var/log/envoy/a.log']);

    const refused = lastGood.translate(load(config(`  routingType: Endpoint\n${fileLog('/var/log/envoy/b.log')}`)), translate);
    expect(logPaths(refused.result)).toEqual(['/var/log/envoy/a.log']);
    const status = refused.result.statuses.get('EnvoyProxy/default/logs');
    const accepted = status && 'ancestors' in status ? status.ancestors[0]!.conditions[0]! : undefined;
    expect(accepted).toMatchObject({ type: 'Accepted', status: 'False', reason: 'Invalid' });
    expect(accepted!.message).toContain('spec.routingType: Endpoint routing needs the Service\'s EndpointSlices');
    expect(accepted!.message).toContain('generation 2 is refused, generation 1 (the last accepted version) keeps serving');

    const fixed = lastGood.translate(load(config(fileLog('/var/log/envoy/c.log'))), translate);
    expect(logPaths(fixed.result)).toEqual(['/var/log/envoy/c.log']);
  });

  it('a never-accepted EnvoyProxy leaves its Gateway unserved (InvalidParameters), not served without it', () => {
    const result = translate(load(config('  mergeGateways: true')));
    expect(result.snapshots.has('default/edge')).toBe(false);
    const gateway = result.statuses.get('Gateway/default/edge');
    expect(gateway && 'conditions' in gateway ? gateway.conditions[0] : undefined).toMatchObject({ type: 'Accepted', status: 'False', reason: 'InvalidParameters' });
  });
});
