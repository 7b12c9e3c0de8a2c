// Every served apiVersion translates as the storage version; a deprecated one says so in its status.
import { describe, expect, it } from 'vitest';
import { loadResourcesFromFiles } from '../provider/load-files.js';
import { SUPPORTED_KINDS } from '../provider/supported-kinds.js';
import { translateGatewayApi, DEFAULT_CONTROLLER_NAME } from './translate.js';

const docs = (version: string) => `
apiVersion: gateway.networking.k8s.io/${version}
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/${version}
kind: Gateway
metadata: { name: web }
spec:
  gatewayClassName: gatehouse
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
---
apiVersion: gateway.networking.k8s.io/${version}
kind: HTTPRoute
metadata: { name: demo }
spec:
  parentRefs: [{ name: web }]
  rules: [{ backendRefs: [{ name: demo-upstream, port: 8080 }] }]
`;

describe('served apiVersions', () => {
  it('accepts every version the vendored CRDs serve, and no other', () => {
    expect(SUPPORTED_KINDS.get('Gateway')).toEqual(['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1']);
    expect(SUPPORTED_KINDS.get('TCPRoute')).toEqual(['gateway.networking.k8s.io/v1']);
  });

  it('translates v1beta1 documents exactly as their v1 twins', () => {
    const translate = (version: string) => {
      const { resources, fileErrors } = loadResourcesFromFiles([{ path: 'in.yaml', text: docs(version) }]);
      expect(fileErrors).toEqual([]);
      const result = translateGatewayApi(resources, DEFAULT_CONTROLLER_NAME);
      return { statuses: [...result.statuses], gateways: result.gateways };
    };
    expect(translate('v1beta1')).toEqual(translate('v1'));
  });

  it('puts a deprecated version\'s warning on the status, and still translates the resource', () => {
    const { resources } = loadResourcesFromFiles([{ path: 'in.yaml', text: docs('v1') }]);
    // No served v1.6.1 version is deprecated: stand in for the provider's note on one that would be.
    resources.find((r) => r.kind === 'HTTPRoute')!.warnings = ['gateway.networking.k8s.io/v1 HTTPRoute is deprecated'];
    const status = translateGatewayApi(resources, DEFAULT_CONTROLLER_NAME).statuses.get('HTTPRoute/default/demo');
    expect(status?.warnings).toEqual(['gateway.networking.k8s.io/v1 HTTPRoute is deprecated']);
    expect(status && 'parents' in status && status.parents[0]!.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True' });
  });
});
