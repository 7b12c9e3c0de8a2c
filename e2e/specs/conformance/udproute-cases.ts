// The suite's UDPRoute tests (provisional in Gateway API v1.6), re-created in our own words: a UDP
// listener with a UDPRoute to one backend, a route attaching by parentRef port, by sectionName or by
// both, weighted backends, and a cross-namespace backendRef without a ReferenceGrant. Datagrams play through the emulated
// Envoy's udp_proxy (e2e/harness/envoy/udp-proxy.ts) to stand-in echo backends that answer with their
// Service's "<namespace>/<name>", as the suite's echo-basic answers with its SERVICE_NAME. UDPRoute is
// written as v1: the v1.6.1 CRDs serve v1 only (the suite's older manifests say v1alpha2).
import type { ConformanceCase } from './cases.js';

const INFRA = 'gateway-conformance-infra';

const udpRoute = (name: string, parentRef: string, backend: string, port: number, backendNamespace?: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: { name: ${name}, namespace: ${INFRA} }
spec:
  parentRefs: [${parentRef}]
  rules: [{ backendRefs: [{ name: ${backend}, port: ${port}${backendNamespace ? `, namespace: ${backendNamespace}` : ''} }] }]
`;

export const UDPROUTE_CASES: ConformanceCase[] = [
  {
    test: 'UDPRoute',
    feature: 'UDPRoute',
    manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: udp-gateway, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - { name: l4-echo, protocol: UDP, port: 5300, allowedRoutes: { kinds: [{ kind: UDPRoute }] } }
---${udpRoute('udp-l4-backend', '{ name: udp-gateway, sectionName: l4-echo }', 'l4-backend', 53)}`,
    gateway: `${INFRA}/udp-gateway`,
    datagrams: [{ port: 5300, backend: `${INFRA}/l4-backend` }],
    statuses: [
      { resource: `Gateway/${INFRA}/udp-gateway`, listener: 'l4-echo', type: 'Programmed', status: 'True' },
      { resource: `UDPRoute/${INFRA}/udp-l4-backend`, parent: 'udp-gateway', type: 'Accepted', status: 'True' },
      { resource: `UDPRoute/${INFRA}/udp-l4-backend`, parent: 'udp-gateway', type: 'ResolvedRefs', status: 'True' },
    ],
  },
  {
    test: 'UDPRouteParentRefPortAndSectionName',
    feature: 'UDPRoute',
    manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: udp-multi-listener-gateway, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - { name: by-port, protocol: UDP, port: 5300, allowedRoutes: { kinds: [{ kind: UDPRoute }] } }
    - { name: by-section, protocol: UDP, port: 5301, allowedRoutes: { kinds: [{ kind: UDPRoute }] } }
    - { name: by-section-and-port, protocol: UDP, port: 5302, allowedRoutes: { kinds: [{ kind: UDPRoute }] } }
---${udpRoute('udp-route-by-port', '{ name: udp-multi-listener-gateway, port: 5300 }', 'udp-echo-by-port', 8080)}---${udpRoute(
      'udp-route-by-section',
      '{ name: udp-multi-listener-gateway, sectionName: by-section }',
      'udp-echo-by-section',
      8080,
    )}---${udpRoute('udp-route-by-section-and-port', '{ name: udp-multi-listener-gateway, sectionName: by-section-and-port, port: 5302 }', 'udp-echo-by-section-and-port', 8080)}`,
    gateway: `${INFRA}/udp-multi-listener-gateway`,
    datagrams: [
      { port: 5300, backend: `${INFRA}/udp-echo-by-port` },
      { port: 5301, backend: `${INFRA}/udp-echo-by-section` },
      { port: 5302, backend: `${INFRA}/udp-echo-by-section-and-port` },
    ],
    statuses: [
      { resource: `UDPRoute/${INFRA}/udp-route-by-port`, parent: 'udp-multi-listener-gateway', type: 'Accepted', status: 'True', reason: 'Accepted' },
      { resource: `UDPRoute/${INFRA}/udp-route-by-section`, parent: 'udp-multi-listener-gateway', type: 'Accepted', status: 'True', reason: 'Accepted' },
      { resource: `UDPRoute/${INFRA}/udp-route-by-section-and-port`, parent: 'udp-multi-listener-gateway', type: 'Accepted', status: 'True', reason: 'Accepted' },
    ],
    attachedRoutes: [
      { resource: `Gateway/${INFRA}/udp-multi-listener-gateway`, listener: 'by-port', count: 1 },
      { resource: `Gateway/${INFRA}/udp-multi-listener-gateway`, listener: 'by-section', count: 1 },
      { resource: `Gateway/${INFRA}/udp-multi-listener-gateway`, listener: 'by-section-and-port', count: 1 },
    ],
  },
  {
    test: 'UDPRouteWeightedRouting',
    feature: 'UDPRoute',
    manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: udp-weighted-gateway, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - { name: udp, protocol: UDP, port: 5300, allowedRoutes: { kinds: [{ kind: UDPRoute }] } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: { name: udp-weighted-route, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: udp-weighted-gateway, sectionName: udp }]
  rules:
    - backendRefs:
        - { name: udp-backend-v1, port: 8080, weight: 70 }
        - { name: udp-backend-v2, port: 8080, weight: 30 }
        - { name: udp-backend-v3, port: 8080, weight: 0 }
`,
    gateway: `${INFRA}/udp-weighted-gateway`,
    // Each datagram from a new socket is a new session, whose endpoint the load balancer draws (seeded here).
    udpDistribution: { port: 5300, count: 500, tolerance: 0.05, shares: { [`${INFRA}/udp-backend-v1`]: 0.7, [`${INFRA}/udp-backend-v2`]: 0.3, [`${INFRA}/udp-backend-v3`]: 0 } },
    statuses: [{ resource: `UDPRoute/${INFRA}/udp-weighted-route`, parent: 'udp-weighted-gateway', type: 'Accepted', status: 'True' }],
  },
  {
    test: 'UDPRouteInvalidCrossNamespaceBackendRef',
    feature: 'UDPRoute',
    manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: udp-gateway-cross-namespace, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - { name: udp, protocol: UDP, port: 5300, allowedRoutes: { kinds: [{ kind: UDPRoute }] } }
---${udpRoute('udp-invalid-cross-namespace-backend-ref', '{ name: udp-gateway-cross-namespace }', 'web-backend', 8080, 'gateway-conformance-web-backend')}`,
    statuses: [
      { resource: `UDPRoute/${INFRA}/udp-invalid-cross-namespace-backend-ref`, parent: 'udp-gateway-cross-namespace', type: 'Accepted', status: 'True' },
      { resource: `UDPRoute/${INFRA}/udp-invalid-cross-namespace-backend-ref`, parent: 'udp-gateway-cross-namespace', type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' },
    ],
  },
];
