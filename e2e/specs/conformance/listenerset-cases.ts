// The suite's ListenerSet tests (Gateway API v1.5/v1.6, ListenerSet* ShortNames), re-created in our own
// words: which sets a Gateway admits (allowedListeners: none by default, Same, Selector), a set whose
// parent is not accepted, listener precedence on hostname conflicts (the Gateway's own first, then older
// sets), certificate references from a set (ReferenceGrant from kind ListenerSet), the route kinds a set's
// listener allows, routes on a Gateway, on its sets and on single listeners of either reaching exactly those
// listeners, a route with both a Gateway and a ListenerSet parent judged per parent, and a set listener's
// hostname edited to the route's (the translation before and after the edit).
import type { ConformanceCase } from './cases.js';

const INFRA = 'gateway-conformance-infra';
const v1 = `${INFRA}/infra-backend-v1`;
const v2 = `${INFRA}/infra-backend-v2`;

/** The golden cases' throwaway listener certificate, as a Secret in `namespace`. */
const CERTIFICATE = (name: string, namespace: string) => `
apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: ${namespace} }
type: kubernetes.io/tls
data:
  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJsRENDQVR1Z0F3SUJBZ0lVT3lhVTNVZ25RbmpMUzBYYWpDOUR4VmwvZnNzd0NnWUlLb1pJemowRUF3SXcKSHpFZE1Cc0dBMVVFQXd3VVoyOXNaR1Z1TFdFdVpYaGhiWEJzWlM1amIyMHdJQmNOTWpZeE1qQTJNRFV3TnpBegpXaGdQTWpFeU5qRXhNVEl3TlRBM01ETmFNQjh4SFRBYkJnTlZCQU1NRkdkdmJHUmxiaTFoTG1WNFlXMXdiR1V1ClkyOXRNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUVDa0R4YmJwSVdDU1BKV1V0UVh0dW10bFkKNzJRMGlFd2k5dDNKSE5iK09pTC9sa3dyWVhqWU5BdW1xYjNOK1dSL0U0SW1YNlEzVUoyMVdaVkJwNTF3U3FOVApNRkV3SFFZRFZSME9CQllFRktVQm5xUGJaVExyL0d5ZEZmVUdtRUl4amYrSE1COEdBMVVkSXdRWU1CYUFGS1VCCm5xUGJaVExyL0d5ZEZmVUdtRUl4amYrSE1BOEdBMVVkRXdFQi93UUZNQU1CQWY4d0NnWUlLb1pJemowRUF3SUQKUndBd1JBSWdVZVpZYUdYek9MN0NsY3doNlBsWVhwZm0vYmd3aVAzTjNnYlNZcmZqSHZFQ0lDZnJKRjRRVjhRcQpHTnhSeGpmTHFiTWd6bHhDYzdJeVFuNzFBazMyWHpndQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==
  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJNR0J5cUdTTTQ5QWdFR0NDcUdTTTQ5QXdFSEJHMHdhd0lCQVFRZ1htdUNGUnJoVm5RZUdDTGEKNm15YndFRis2eUV2Q1pJbXRVOVZjVGdtdU9TaFJBTkNBQVFLUVBGdHVraFlKSThsWlMxQmUyNmEyVmp2WkRTSQpUQ0wyM2NrYzF2NDZJditXVEN0aGVOZzBDNmFwdmMzNVpIOFRnaVpmcERkUW5iVlpsVUdublhCSwotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==
`;

/** A Gateway with one HTTP listener on port 80 (hostname given, or none) and the allowedListeners given. */
const gateway = (name: string, listener: string, hostname: string | undefined, allowedListeners = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - { name: ${listener}, port: 80, protocol: HTTP, ${hostname ? `hostname: ${hostname}, ` : ''}allowedRoutes: { namespaces: { from: All } } }
${allowedListeners ? `  allowedListeners: { namespaces: ${allowedListeners} }\n` : ''}`;

/** A ListenerSet in `namespace` under Gateway `parent` (in the infra namespace), HTTP listeners on port 80 by hostname. */
const listenerSet = (name: string, namespace: string, parent: string, listeners: Array<[string, string]>) => `
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  parentRef: { group: gateway.networking.k8s.io, kind: Gateway, name: ${parent}, namespace: ${INFRA} }
  listeners:
${listeners.map(([listener, hostname]) => `    - { name: ${listener}, port: 80, protocol: HTTP, hostname: ${hostname}, allowedRoutes: { namespaces: { from: All } } }`).join('\n')}
`;

const namespace = (name: string, labels = '') => `
apiVersion: v1
kind: Namespace
metadata: { name: ${name}${labels ? `, labels: ${labels}` : ''} }
`;

/** An HTTPRoute in the infra namespace to infra-backend-<backend> on /route-ish paths, with the parentRefs given (YAML flow items). */
const httpRoute = (name: string, parentRefs: string[], path: string, backend = 'infra-backend-v1', routeNamespace = INFRA) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${routeNamespace} }
spec:
  parentRefs:
${parentRefs.map((p) => `    - ${p}`).join('\n')}
  rules:
    - matches: [{ path: { type: PathPrefix, value: ${path} } }]
      backendRefs: [{ name: ${backend}, namespace: ${INFRA}, port: 8080 }]
`;

const gatewayParent = (name: string, extra = '') => `{ name: ${name}, namespace: ${INFRA}${extra} }`;
const setParent = (name: string, ns = INFRA, extra = '') => `{ group: gateway.networking.k8s.io, kind: ListenerSet, name: ${name}, namespace: ${ns}${extra} }`;

const accepted = (resource: string) => [
  { resource, type: 'Accepted', status: 'True' as const },
  { resource, type: 'Programmed', status: 'True' as const, reason: 'Programmed' },
];
const refused = (resource: string, reason: string) => [
  { resource, type: 'Accepted', status: 'False' as const, reason },
  { resource, type: 'Programmed', status: 'False' as const, reason },
];
/** A set's listener that lost a hostname clash to an earlier one. */
const hostnameConflicted = (resource: string, listener: string) => [
  { resource, listener, type: 'Accepted', status: 'False' as const, reason: 'HostnameConflict' },
  { resource, listener, type: 'Programmed', status: 'False' as const, reason: 'HostnameConflict' },
  { resource, listener, type: 'Conflicted', status: 'True' as const, reason: 'HostnameConflict' },
];

/** ListenerSetHTTPRouting: each path answers on exactly the listeners its route attaches to, 404 on the others. */
const ROUTING_GATEWAY = 'gateway-with-listener-sets-http-routing';
const ROUTING_HOSTS = {
  gw1: 'gateway-listener-1.com',
  gw2: 'gateway-listener-2.com',
  ls1a: 'listener-set-http-routing-1-listener-1.com',
  ls1b: 'listener-set-http-routing-1-listener-2.com',
  ls2a: 'listener-set-http-routing-2-listener-1.com',
  ls2b: 'listener-set-http-routing-2-listener-2.com',
};
const ROUTING_PATHS: Array<[string, string, Array<keyof typeof ROUTING_HOSTS>]> = [
  ['/route', v1, ['gw1', 'gw2', 'ls1a', 'ls1b', 'ls2a', 'ls2b']],
  ['/gateway-route', v2, ['gw1', 'gw2']],
  ['/gateway-section-route', `${INFRA}/infra-backend-v3`, ['gw1']],
  ['/listener-set-http-routing-1-route', v2, ['ls1a', 'ls1b']],
  ['/listener-set-http-routing-1-section-route', `${INFRA}/infra-backend-v3`, ['ls1a']],
  ['/listener-set-http-routing-2-route', v2, ['ls2a', 'ls2b']],
];

export const LISTENERSET_CASES: ConformanceCase[] = [
  {
    test: 'ListenerSetDefaultNotAllowed',
    feature: 'ListenerSet',
    manifests:
      gateway('gateway-default-does-not-allow-listenerset', 'gateway-listener-1', 'gateway-listener-1.com') +
      '---' +
      listenerSet('listenerset-default-not-allowed', INFRA, 'gateway-default-does-not-allow-listenerset', [
        ['listener-set-1-listener-1', 'listener-set-1-listener-1.com'],
        ['listener-set-1-listener-2', 'listener-set-1-listener-2.com'],
      ]) +
      '---' +
      httpRoute('attaches-to-all-listeners', [gatewayParent('gateway-default-does-not-allow-listenerset'), setParent('listenerset-default-not-allowed')], '/route'),
    gateway: `${INFRA}/gateway-default-does-not-allow-listenerset`,
    port: 80,
    gatewayStatus: { attachedListenerSets: 0 },
    requests: [
      { host: 'gateway-listener-1.com', path: '/route', expect: { status: 200, backend: v1 } },
      { host: 'listener-set-1-listener-1.com', path: '/route', expect: { status: 404 } },
    ],
    statuses: [
      { resource: `Gateway/${INFRA}/gateway-default-does-not-allow-listenerset`, type: 'Accepted', status: 'True' },
      ...refused(`ListenerSet/${INFRA}/listenerset-default-not-allowed`, 'NotAllowed'),
    ],
  },
  {
    test: 'ListenerSetAllowedNamespaceSame',
    feature: 'ListenerSet',
    manifests:
      gateway('gateway-allows-listenerset-in-same-namespace', 'gateway-listener-1', 'gateway-listener-1.com', '{ from: Same }') +
      '---' +
      listenerSet('listenerset-in-same-namespace', INFRA, 'gateway-allows-listenerset-in-same-namespace', [
        ['listener-set-1-listener-1', 'listener-set-1-listener-1.com'],
        ['listener-set-1-listener-2', 'listener-set-1-listener-2.com'],
      ]) +
      '---' +
      namespace('gateway-api-example-not-allowed-ns') +
      '---' +
      listenerSet('listenerset-in-different-namespace', 'gateway-api-example-not-allowed-ns', 'gateway-allows-listenerset-in-same-namespace', [
        ['listener-set-2-listener-1', 'listener-set-2-listener-1.com'],
        ['listener-set-2-listener-2', 'listener-set-2-listener-2.com'],
      ]) +
      '---' +
      httpRoute(
        'attaches-to-all-listeners',
        [gatewayParent('gateway-allows-listenerset-in-same-namespace'), setParent('listenerset-in-same-namespace'), setParent('listenerset-in-different-namespace', 'gateway-api-example-not-allowed-ns')],
        '/route',
      ),
    gateway: `${INFRA}/gateway-allows-listenerset-in-same-namespace`,
    port: 80,
    gatewayStatus: { attachedListenerSets: 1 },
    requests: [
      { host: 'gateway-listener-1.com', path: '/route', expect: { status: 200, backend: v1 } },
      { host: 'listener-set-1-listener-1.com', path: '/route', expect: { status: 200, backend: v1 } },
      { host: 'listener-set-1-listener-2.com', path: '/route', expect: { status: 200, backend: v1 } },
      { host: 'listener-set-2-listener-1.com', path: '/route', expect: { status: 404 } },
      { host: 'listener-set-2-listener-2.com', path: '/route', expect: { status: 404 } },
    ],
    statuses: [
      ...accepted(`ListenerSet/${INFRA}/listenerset-in-same-namespace`),
      ...refused('ListenerSet/gateway-api-example-not-allowed-ns/listenerset-in-different-namespace', 'NotAllowed'),
      { resource: `HTTPRoute/${INFRA}/attaches-to-all-listeners`, parent: 'gateway-allows-listenerset-in-same-namespace', type: 'Accepted', status: 'True' },
      { resource: `HTTPRoute/${INFRA}/attaches-to-all-listeners`, parent: 'gateway-allows-listenerset-in-same-namespace', type: 'ResolvedRefs', status: 'True' },
      { resource: `HTTPRoute/${INFRA}/attaches-to-all-listeners`, parent: 'listenerset-in-same-namespace', type: 'Accepted', status: 'True' },
      { resource: `HTTPRoute/${INFRA}/attaches-to-all-listeners`, parent: 'listenerset-in-same-namespace', type: 'ResolvedRefs', status: 'True' },
    ],
  },
  {
    test: 'ListenerSetAllowedNamespaceSelector',
    feature: 'ListenerSet',
    manifests:
      gateway('gateway-allows-listenerset-by-selector', 'gateway-listener-1', 'gateway-listener-1.com', '{ from: Selector, selector: { matchLabels: { allowed-listenersets: "true" } } }') +
      '---' +
      namespace('gateway-api-example-allowed-ns', '{ allowed-listenersets: "true" }') +
      '---' +
      namespace('gateway-api-example-not-allowed-ns') +
      '---' +
      listenerSet('listenerset-in-selected-namespace', 'gateway-api-example-allowed-ns', 'gateway-allows-listenerset-by-selector', [['listener-set-1-listener-1', 'listener-set-1-listener-1.com']]) +
      '---' +
      listenerSet('listenerset-in-other-namespace', 'gateway-api-example-not-allowed-ns', 'gateway-allows-listenerset-by-selector', [['listener-set-2-listener-1', 'listener-set-2-listener-1.com']]) +
      '---' +
      listenerSet('listenerset-in-gateway-namespace', INFRA, 'gateway-allows-listenerset-by-selector', [['listener-set-3-listener-1', 'listener-set-3-listener-1.com']]) +
      '---' +
      httpRoute(
        'attaches-to-all-listeners',
        [
          gatewayParent('gateway-allows-listenerset-by-selector'),
          setParent('listenerset-in-selected-namespace', 'gateway-api-example-allowed-ns'),
          setParent('listenerset-in-other-namespace', 'gateway-api-example-not-allowed-ns'),
          setParent('listenerset-in-gateway-namespace'),
        ],
        '/route',
      ),
    gateway: `${INFRA}/gateway-allows-listenerset-by-selector`,
    port: 80,
    gatewayStatus: { attachedListenerSets: 1 },
    requests: [
      { host: 'gateway-listener-1.com', path: '/route', expect: { status: 200, backend: v1 } },
      { host: 'listener-set-1-listener-1.com', path: '/route', expect: { status: 200, backend: v1 } },
      { host: 'listener-set-2-listener-1.com', path: '/route', expect: { status: 404 } },
      { host: 'listener-set-3-listener-1.com', path: '/route', expect: { status: 404 } },
    ],
    statuses: [
      ...accepted('ListenerSet/gateway-api-example-allowed-ns/listenerset-in-selected-namespace'),
      ...refused('ListenerSet/gateway-api-example-not-allowed-ns/listenerset-in-other-namespace', 'NotAllowed'),
      // The Gateway's own namespace carries no matching label: a selector admits by labels only.
      ...refused(`ListenerSet/${INFRA}/listenerset-in-gateway-namespace`, 'NotAllowed'),
    ],
  },
  {
    test: 'ListenerSetHTTPRouting',
    feature: 'ListenerSet',
    manifests:
      `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${ROUTING_GATEWAY}, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  allowedListeners: { namespaces: { from: All } }
  listeners:
    - { name: gateway-listener-1, port: 80, protocol: HTTP, hostname: ${ROUTING_HOSTS.gw1}, allowedRoutes: { namespaces: { from: All } } }
    - { name: gateway-listener-2, port: 80, protocol: HTTP, hostname: ${ROUTING_HOSTS.gw2}, allowedRoutes: { namespaces: { from: All } } }
---` +
      listenerSet('listener-set-http-routing-1', INFRA, ROUTING_GATEWAY, [
        ['listener-set-http-routing-1-listener-1', ROUTING_HOSTS.ls1a],
        ['listener-set-http-routing-1-listener-2', ROUTING_HOSTS.ls1b],
      ]) +
      '---' +
      listenerSet('listener-set-http-routing-2', INFRA, ROUTING_GATEWAY, [
        ['listener-set-http-routing-2-listener-1', ROUTING_HOSTS.ls2a],
        ['listener-set-http-routing-2-listener-2', ROUTING_HOSTS.ls2b],
      ]) +
      '---' +
      httpRoute('attaches-to-all-listeners', [gatewayParent(ROUTING_GATEWAY), setParent('listener-set-http-routing-1'), setParent('listener-set-http-routing-2')], '/route') +
      '---' +
      httpRoute('gateway-route', [gatewayParent(ROUTING_GATEWAY)], '/gateway-route', 'infra-backend-v2') +
      '---' +
      httpRoute('gateway-section-route', [gatewayParent(ROUTING_GATEWAY, ', sectionName: gateway-listener-1')], '/gateway-section-route', 'infra-backend-v3') +
      '---' +
      httpRoute('listener-set-http-routing-1-route', [setParent('listener-set-http-routing-1')], '/listener-set-http-routing-1-route', 'infra-backend-v2') +
      '---' +
      httpRoute(
        'listener-set-http-routing-1-section-route',
        [setParent('listener-set-http-routing-1', INFRA, ', sectionName: listener-set-http-routing-1-listener-1')],
        '/listener-set-http-routing-1-section-route',
        'infra-backend-v3',
      ) +
      '---' +
      httpRoute('listener-set-http-routing-2-route', [setParent('listener-set-http-routing-2')], '/listener-set-http-routing-2-route', 'infra-backend-v2'),
    gateway: `${INFRA}/${ROUTING_GATEWAY}`,
    port: 80,
    gatewayStatus: { attachedListenerSets: 2 },
    requests: ROUTING_PATHS.flatMap(([path, backend, on]) =>
      Object.entries(ROUTING_HOSTS).map(([key, host]) => ({ host, path, expect: on.includes(key as keyof typeof ROUTING_HOSTS) ? { status: 200, backend } : { status: 404 } })),
    ),
    statuses: [
      ...accepted(`ListenerSet/${INFRA}/listener-set-http-routing-1`),
      ...accepted(`ListenerSet/${INFRA}/listener-set-http-routing-2`),
      ...['attaches-to-all-listeners', 'listener-set-http-routing-1-route', 'listener-set-http-routing-1-section-route'].map((name) => ({
        resource: `HTTPRoute/${INFRA}/${name}`,
        parent: 'listener-set-http-routing-1',
        type: 'Accepted',
        status: 'True' as const,
      })),
    ],
    supportedKinds: [{ resource: `ListenerSet/${INFRA}/listener-set-http-routing-1`, listener: 'listener-set-http-routing-1-listener-1', kinds: ['HTTPRoute', 'GRPCRoute'] }],
    attachedRoutes: [
      { resource: `ListenerSet/${INFRA}/listener-set-http-routing-1`, listener: 'listener-set-http-routing-1-listener-1', count: 3 },
      { resource: `ListenerSet/${INFRA}/listener-set-http-routing-1`, listener: 'listener-set-http-routing-1-listener-2', count: 2 },
      { resource: `ListenerSet/${INFRA}/listener-set-http-routing-2`, listener: 'listener-set-http-routing-2-listener-1', count: 2 },
      { resource: `ListenerSet/${INFRA}/listener-set-http-routing-2`, listener: 'listener-set-http-routing-2-listener-2', count: 2 },
    ],
  },
  {
    test: 'ListenerSetUpdateListenerHostname',
    feature: 'ListenerSet',
    manifests:
      gateway('gateway-listenerset-update-listener-hostname', 'gateway-listener', undefined, '{ from: Same }') +
      '---' +
      listenerSet('listenerset-update-listener-hostname', INFRA, 'gateway-listenerset-update-listener-hostname', [['http', 'other.example.com']]) +
      `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: httproute-listenerset-update-listener-hostname, namespace: ${INFRA} }
spec:
  parentRefs: [${setParent('listenerset-update-listener-hostname')}]
  hostnames: [accepted.example.com]
  rules: [{ backendRefs: [{ name: infra-backend-v1, port: 8080 }] }]
`,
    statuses: [
      { resource: `HTTPRoute/${INFRA}/httproute-listenerset-update-listener-hostname`, parent: 'listenerset-update-listener-hostname', type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' },
    ],
    // The set's listener hostname is changed to the route's: the route is accepted and attached.
    update: {
      from: 'hostname: other.example.com',
      to: 'hostname: accepted.example.com',
      statuses: [
        { resource: `HTTPRoute/${INFRA}/httproute-listenerset-update-listener-hostname`, parent: 'listenerset-update-listener-hostname', type: 'Accepted', status: 'True', reason: 'Accepted' },
        { resource: `ListenerSet/${INFRA}/listenerset-update-listener-hostname`, listener: 'http', type: 'Accepted', status: 'True' },
      ],
      attachedRoutes: [{ resource: `ListenerSet/${INFRA}/listenerset-update-listener-hostname`, listener: 'http', count: 1 }],
    },
  },
  {
    test: 'ListenerSetParentNotAccepted',
    feature: 'ListenerSet',
    manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gateway-with-listenerset-not-accepted, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners: [{ name: http, port: 80, protocol: HTTP }]
  allowedListeners: { namespaces: { from: Same } }
  infrastructure:
    parametersRef: { group: invalid.io, kind: InvalidParameters, name: invalid }
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-parent-not-accepted, namespace: ${INFRA} }
spec:
  parentRef: { group: gateway.networking.k8s.io, kind: Gateway, name: gateway-with-listenerset-not-accepted }
  listeners: [{ name: http, port: 8080, protocol: HTTP }]
`,
    statuses: [
      { resource: `Gateway/${INFRA}/gateway-with-listenerset-not-accepted`, type: 'Accepted', status: 'False' },
      { resource: `ListenerSet/${INFRA}/listenerset-parent-not-accepted`, type: 'Accepted', status: 'False', reason: 'ParentNotAccepted' },
      { resource: `ListenerSet/${INFRA}/listenerset-parent-not-accepted`, type: 'Programmed', status: 'False' },
    ],
  },
  {
    test: 'ListenerSetHostnameConflict',
    feature: 'ListenerSet',
    manifests:
      `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gateway-with-listenerset-hostname-conflict, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  allowedListeners: { namespaces: { from: All } }
  listeners:
    - { name: gateway-listener, port: 80, protocol: HTTP, hostname: gateway-listener.com, allowedRoutes: { namespaces: { from: All } } }
    - { name: hostname-conflict-with-gateway-listener, port: 80, protocol: HTTP, hostname: conflict-with-gateway.com, allowedRoutes: { namespaces: { from: All } } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-with-hostname-conflict-with-gateway-1, namespace: ${INFRA}, creationTimestamp: "2026-01-01T00:00:01Z" }
spec:
  parentRef: { name: gateway-with-listenerset-hostname-conflict }
  listeners:
    - { name: listener-set-1-listener, port: 80, protocol: HTTP, hostname: listener-set-1.com }
    - { name: hostname-conflict-with-gateway-listener, port: 80, protocol: HTTP, hostname: conflict-with-gateway.com }
    - { name: hostname-conflict-with-listener-set-listener, port: 80, protocol: HTTP, hostname: conflict-with-listener-set.com }
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-with-hostname-conflict-with-gateway-2, namespace: ${INFRA}, creationTimestamp: "2026-01-01T00:00:02Z" }
spec:
  parentRef: { name: gateway-with-listenerset-hostname-conflict }
  listeners:
    - { name: hostname-conflict-with-gateway-listener, port: 80, protocol: HTTP, hostname: conflict-with-gateway.com }
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-with-hostname-conflict-with-listener-set-1, namespace: ${INFRA}, creationTimestamp: "2026-01-01T00:00:03Z" }
spec:
  parentRef: { name: gateway-with-listenerset-hostname-conflict }
  listeners:
    - { name: listener-set-2-listener, port: 80, protocol: HTTP, hostname: listener-set-2.com }
    - { name: hostname-conflict-with-listener-set-listener, port: 80, protocol: HTTP, hostname: conflict-with-listener-set.com }
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-with-hostname-conflict-with-listener-set-2, namespace: ${INFRA}, creationTimestamp: "2026-01-01T00:00:04Z" }
spec:
  parentRef: { name: gateway-with-listenerset-hostname-conflict }
  listeners:
    - { name: hostname-conflict-with-listener-set-listener, port: 80, protocol: HTTP, hostname: conflict-with-listener-set.com }
---` +
      httpRoute('route-on-gateway', [gatewayParent('gateway-with-listenerset-hostname-conflict', ', sectionName: hostname-conflict-with-gateway-listener')], '/', 'infra-backend-v1') +
      '---' +
      httpRoute('route-on-older-set', [setParent('listenerset-with-hostname-conflict-with-gateway-1', INFRA, ', sectionName: hostname-conflict-with-listener-set-listener')], '/', 'infra-backend-v2'),
    gateway: `${INFRA}/gateway-with-listenerset-hostname-conflict`,
    port: 80,
    gatewayStatus: { attachedListenerSets: 2 },
    requests: [
      // Each contested hostname is served by its winner: the Gateway's own listener, then the oldest set's.
      { host: 'conflict-with-gateway.com', path: '/', expect: { status: 200, backend: v1 } },
      { host: 'conflict-with-listener-set.com', path: '/', expect: { status: 200, backend: v2 } },
    ],
    statuses: [
      { resource: `Gateway/${INFRA}/gateway-with-listenerset-hostname-conflict`, type: 'Accepted', status: 'True' },
      { resource: `Gateway/${INFRA}/gateway-with-listenerset-hostname-conflict`, listener: 'gateway-listener', type: 'Accepted', status: 'True' },
      { resource: `Gateway/${INFRA}/gateway-with-listenerset-hostname-conflict`, listener: 'hostname-conflict-with-gateway-listener', type: 'Accepted', status: 'True' },
      ...accepted(`ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-gateway-1`),
      { resource: `ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-gateway-1`, listener: 'listener-set-1-listener', type: 'Programmed', status: 'True' },
      ...hostnameConflicted(`ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-gateway-1`, 'hostname-conflict-with-gateway-listener'),
      { resource: `ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-gateway-1`, listener: 'hostname-conflict-with-listener-set-listener', type: 'Programmed', status: 'True' },
      ...refused(`ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-gateway-2`, 'ListenersNotValid'),
      ...hostnameConflicted(`ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-gateway-2`, 'hostname-conflict-with-gateway-listener'),
      ...accepted(`ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-listener-set-1`),
      ...hostnameConflicted(`ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-listener-set-1`, 'hostname-conflict-with-listener-set-listener'),
      ...refused(`ListenerSet/${INFRA}/listenerset-with-hostname-conflict-with-listener-set-2`, 'ListenersNotValid'),
    ],
  },
  {
    test: 'ListenerSetReferenceGrant',
    feature: 'ListenerSet',
    manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gateway-with-listener-sets-test-reference-grant, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  allowedListeners: { namespaces: { from: All } }
  listeners:
    - name: gateway-listener
      port: 443
      protocol: HTTPS
      hostname: gateway-listener.com
      tls: { certificateRefs: [{ group: "", kind: Secret, name: certificate, namespace: gateway-conformance-web-backend }] }
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: reference-grant-for-gateway, namespace: gateway-conformance-web-backend }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA} }]
  to: [{ group: "", kind: Secret }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-with-reference-grant, namespace: ${INFRA} }
spec:
  parentRef: { name: gateway-with-listener-sets-test-reference-grant }
  listeners:
    - name: listenerset-with-reference-grant-listener
      port: 443
      protocol: HTTPS
      hostname: listenerset-with-reference-grant-listener.com
      tls: { certificateRefs: [{ group: "", kind: Secret, name: certificate, namespace: gateway-conformance-web-backend }] }
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: reference-grant-for-listener-set, namespace: gateway-conformance-web-backend }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: ListenerSet, namespace: ${INFRA} }]
  to: [{ group: "", kind: Secret }]
---${namespace('gateway-api-listener-sets-test-reference-grant-ns')}---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-without-reference-grant, namespace: gateway-api-listener-sets-test-reference-grant-ns }
spec:
  parentRef: { name: gateway-with-listener-sets-test-reference-grant, namespace: ${INFRA} }
  listeners:
    - name: listenerset-without-reference-grant-listener
      port: 443
      protocol: HTTPS
      hostname: listenerset-without-reference-grant-listener.com
      tls: { certificateRefs: [{ group: "", kind: Secret, name: certificate, namespace: gateway-conformance-web-backend }] }
---${CERTIFICATE('certificate', 'gateway-conformance-web-backend')}`,
    statuses: [
      { resource: `Gateway/${INFRA}/gateway-with-listener-sets-test-reference-grant`, type: 'Accepted', status: 'True' },
      ...accepted(`ListenerSet/${INFRA}/listenerset-with-reference-grant`),
      { resource: `ListenerSet/${INFRA}/listenerset-with-reference-grant`, listener: 'listenerset-with-reference-grant-listener', type: 'ResolvedRefs', status: 'True' },
      ...refused('ListenerSet/gateway-api-listener-sets-test-reference-grant-ns/listenerset-without-reference-grant', 'ListenersNotValid'),
      {
        resource: 'ListenerSet/gateway-api-listener-sets-test-reference-grant-ns/listenerset-without-reference-grant',
        listener: 'listenerset-without-reference-grant-listener',
        type: 'ResolvedRefs',
        status: 'False',
        reason: 'RefNotPermitted',
      },
    ],
  },
  {
    test: 'ListenerSetAllowedRoutesSupportedKinds',
    feature: 'ListenerSet',
    manifests:
      gateway('gateway-with-listenerset-route-kinds', 'gateway-listener', 'gateway-listener.com', '{ from: Same }') +
      `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: listenerset-with-route-kinds, namespace: ${INFRA} }
spec:
  parentRef: { name: gateway-with-listenerset-route-kinds }
  listeners:
    - { name: http-only-httproute, port: 80, protocol: HTTP, hostname: httproute-only.com, allowedRoutes: { kinds: [{ kind: HTTPRoute }] } }
    - { name: http-invalid-kind, port: 80, protocol: HTTP, hostname: invalid-kind.com, allowedRoutes: { kinds: [{ group: invalid.group.example.com, kind: InvalidRoute }] } }
    - { name: tls-only-tlsroute, port: 443, protocol: TLS, hostname: tlsroute-only.com, tls: { mode: Passthrough }, allowedRoutes: { kinds: [{ kind: TLSRoute }] } }
`,
    statuses: [
      { resource: `ListenerSet/${INFRA}/listenerset-with-route-kinds`, listener: 'http-only-httproute', type: 'ResolvedRefs', status: 'True' },
      { resource: `ListenerSet/${INFRA}/listenerset-with-route-kinds`, listener: 'http-invalid-kind', type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' },
      { resource: `ListenerSet/${INFRA}/listenerset-with-route-kinds`, listener: 'tls-only-tlsroute', type: 'ResolvedRefs', status: 'True' },
    ],
    supportedKinds: [
      { resource: `ListenerSet/${INFRA}/listenerset-with-route-kinds`, listener: 'http-only-httproute', kinds: ['HTTPRoute'] },
      { resource: `ListenerSet/${INFRA}/listenerset-with-route-kinds`, listener: 'http-invalid-kind', kinds: [] },
      { resource: `ListenerSet/${INFRA}/listenerset-with-route-kinds`, listener: 'tls-only-tlsroute', kinds: ['TLSRoute'] },
    ],
  },
  {
    test: 'ListenerSetDualParentRefIndependence',
    feature: 'ListenerSet',
    manifests:
      gateway('gateway-dual-parentref', 'gw-dual-parentref-listener', 'gw-dual.com', '{ from: Same }') +
      '---' +
      listenerSet('ls-dual-parentref', INFRA, 'gateway-dual-parentref', [['ls-dual-parentref-listener', 'ls-dual.com']]) +
      '---' +
      httpRoute('route-dual-parentref-both', [gatewayParent('gateway-dual-parentref'), setParent('ls-dual-parentref')], '/dualboth', 'infra-backend-v1') +
      '---' +
      httpRoute('route-dual-parentref-one', [gatewayParent('gateway-dual-parentref', ', sectionName: no-such-listener'), setParent('ls-dual-parentref')], '/dualone', 'infra-backend-v2'),
    gateway: `${INFRA}/gateway-dual-parentref`,
    port: 80,
    gatewayStatus: { attachedListenerSets: 1 },
    requests: [
      { host: 'gw-dual.com', path: '/dualboth', expect: { status: 200, backend: v1 } },
      { host: 'ls-dual.com', path: '/dualboth', expect: { status: 200, backend: v1 } },
      { host: 'ls-dual.com', path: '/dualone', expect: { status: 200, backend: v2 } },
      { host: 'gw-dual.com', path: '/dualone', expect: { status: 404 } },
    ],
    statuses: [
      { resource: `HTTPRoute/${INFRA}/route-dual-parentref-both`, parent: 'gateway-dual-parentref', type: 'Accepted', status: 'True' },
      { resource: `HTTPRoute/${INFRA}/route-dual-parentref-both`, parent: 'ls-dual-parentref', type: 'Accepted', status: 'True' },
      { resource: `HTTPRoute/${INFRA}/route-dual-parentref-one`, parent: 'gateway-dual-parentref', type: 'Accepted', status: 'False', reason: 'NoMatchingParent' },
      { resource: `HTTPRoute/${INFRA}/route-dual-parentref-one`, parent: 'ls-dual-parentref', type: 'Accepted', status: 'True' },
    ],
    attachedRoutes: [{ resource: `ListenerSet/${INFRA}/ls-dual-parentref`, listener: 'ls-dual-parentref-listener', count: 2 }],
  },
];
