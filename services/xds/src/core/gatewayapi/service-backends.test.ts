// The Service DNS template: "{name}" by default (compose), the Kubernetes form when configured.
import { describe, expect, it } from 'vitest';
import { loadResourcesFromFiles } from '../provider/load-files.js';
import { translateAll } from '../translate.js';
import { GOLDEN_OPTIONS } from '../golden-output.js';
import { serviceHostname } from './service-backends.js';

const yaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web, namespace: shop }
spec:
  gatewayClassName: gatehouse
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: demo, namespace: shop }
spec:
  parentRefs: [{ name: web }]
  rules: [{ backendRefs: [{ name: demo-upstream, port: 8080 }] }]
`;

function clusterAddress(serviceDnsTemplate?: string): unknown {
  const { resources } = loadResourcesFromFiles([{ path: 'in.yaml', text: yaml }]);
  const result = translateAll(resources, { ...GOLDEN_OPTIONS, ...(serviceDnsTemplate ? { serviceDnsTemplate } : {}) });
  const cluster = result.snapshots.get('shop/web')!.clusters.find((c) => c.name === 'service/shop/demo-upstream/8080') as {
    type: string;
    load_assignment: { endpoints: Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: unknown } } }> }> };
  };
  return { type: cluster.type, address: cluster.load_assignment.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address };
}

describe('Service backendRefs by DNS', () => {
  it('resolve the bare name by default, so compose service names work as they are', () => {
    expect(clusterAddress()).toEqual({ type: 'STRICT_DNS', address: { address: 'demo-upstream', port_value: 8080 } });
  });

  it('resolve the Kubernetes name with the k8s manifests template', () => {
    expect(clusterAddress('{name}.{namespace}.svc.cluster.local')).toEqual({
      type: 'STRICT_DNS',
      address: { address: 'demo-upstream.shop.svc.cluster.local', port_value: 8080 },
    });
  });

  it('replace every placeholder', () => {
    expect(serviceHostname('{name}.{namespace}.{name}', 'a', 'b')).toBe('a.b.a');
  });
});
