// The suite's tests that need its generated certificates, re-created in our own words with certificates
// made for the run (e2e/harness/conformance/suite-pki.ts): an HTTPS listener, TLSRoute in Terminate mode,
// BackendTLSPolicy's requests to a TLS backend (CA, SNI and SAN checked by a real upstream handshake),
// the Gateway's client certificate to such a backend (tls.backend), and a Gateway's frontend client-certificate validation (strict and AllowInsecureFallback). Each
// handshake is real: with the served listener certificate (harness/conformance/tls-listener.ts) or the
// stand-in TLS backend's (harness/envoy/forward-upstream.ts).
import type { SuitePki } from '../../harness/conformance/suite-pki.js';
import type { ConformanceCase } from './cases.js';

const INFRA = 'gateway-conformance-infra';
const v1 = `${INFRA}/infra-backend-v1`;
const v2 = `${INFRA}/infra-backend-v2`;

const indent = (pem: string, spaces: number) => pem.trim().split('\n').map((line) => `${' '.repeat(spaces)}${line}`).join('\n');

export function tlsCases(pki: SuitePki): ConformanceCase[] {
  const tlsSecret = (name: string, dnsNames: string[]) => {
    const leaf = pki.issue(dnsNames);
    return `
apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: ${INFRA} }
type: kubernetes.io/tls
stringData:
  tls.crt: |
${indent(leaf.cert, 4)}
  tls.key: |
${indent(leaf.key, 4)}
`;
  };
  const caConfigMap = (name: string) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: ${INFRA} }
data:
  ca.crt: |
${indent(pki.ca, 4)}
`;
  const trustedClient = pki.issue(['client.example.com']);
  const foreignClient = pki.issue(['client.example.com'], 'foreign');

  return [
    {
      test: 'HTTPRouteHTTPSListener',
      feature: 'HTTPRoute',
      manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: same-namespace-with-https-listener, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - name: https
      port: 443
      protocol: HTTPS
      allowedRoutes: { namespaces: { from: Same } }
      tls: { certificateRefs: [{ group: "", kind: Secret, name: tls-validity-checks-certificate }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: https-test-1, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: same-namespace-with-https-listener }]
  hostnames: [example.org]
  rules: [{ backendRefs: [{ name: infra-backend-v1, port: 8080 }] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: https-test-2, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: same-namespace-with-https-listener }]
  hostnames: [second-example.org]
  rules: [{ backendRefs: [{ name: infra-backend-v2, port: 8080 }] }]
---${tlsSecret('tls-validity-checks-certificate', ['example.org', 'second-example.org', 'unknown-example.org'])}`,
      gateway: `${INFRA}/same-namespace-with-https-listener`,
      port: 443,
      handshakes: [
        { sni: 'example.org', expect: { accepted: true, serverName: 'example.org' } },
        { sni: 'second-example.org', expect: { accepted: true, serverName: 'second-example.org' } },
      ],
      requests: [
        { host: 'example.org', path: '/', expect: { status: 200, backend: v1 } },
        { host: 'second-example.org', path: '/', expect: { status: 200, backend: v2 } },
        { host: 'unknown-example.org', path: '/', expect: { status: 404 } },
      ],
      statuses: [
        { resource: `Gateway/${INFRA}/same-namespace-with-https-listener`, listener: 'https', type: 'Programmed', status: 'True' },
        { resource: `HTTPRoute/${INFRA}/https-test-1`, parent: 'same-namespace-with-https-listener', type: 'Accepted', status: 'True' },
      ],
    },
    {
      test: 'TLSRouteTerminateSimpleSameNamespace',
      feature: 'TLSRoute',
      manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gateway-tlsroute-terminate, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - name: tls
      port: 443
      protocol: TLS
      hostname: "*.example.com"
      tls: { mode: Terminate, certificateRefs: [{ group: "", kind: Secret, name: tls-terminate-checks-certificate }] }
      allowedRoutes: { namespaces: { from: Same }, kinds: [{ kind: TLSRoute }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: { name: gateway-conformance-infra-test, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: gateway-tlsroute-terminate }]
  hostnames: [abc.example.com]
  rules: [{ backendRefs: [{ name: tcp-backend, port: 3000 }] }]
---${tlsSecret('tls-terminate-checks-certificate', ['abc.example.com'])}`,
      gateway: `${INFRA}/gateway-tlsroute-terminate`,
      port: 443,
      tcpBackends: [`${INFRA}/tcp-backend`],
      handshakes: [
        // The gateway terminates: the client's handshake is with the listener certificate, the backend gets clear bytes.
        { sni: 'abc.example.com', send: 'hello\n', expect: { accepted: true, serverName: 'abc.example.com', answer: `${INFRA}/tcp-backend hello\n` } },
      ],
      statuses: [
        { resource: `TLSRoute/${INFRA}/gateway-conformance-infra-test`, parent: 'gateway-tlsroute-terminate', type: 'Accepted', status: 'True' },
        { resource: `TLSRoute/${INFRA}/gateway-conformance-infra-test`, parent: 'gateway-tlsroute-terminate', type: 'ResolvedRefs', status: 'True' },
      ],
    },
    {
      test: 'TLSRouteMixedTerminationSameNamespace',
      feature: 'TLSRoute',
      manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gateway-tlsroute-mixed-termination, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners:
    - name: tls-terminate
      port: 8883
      protocol: TLS
      hostname: tls.example.com
      tls: { mode: Terminate, certificateRefs: [{ name: tls-terminate-checks-certificate }] }
      allowedRoutes: { namespaces: { from: Same }, kinds: [{ kind: TLSRoute }] }
    - name: tls-passthrough
      port: 8883
      protocol: TLS
      hostname: abc.example.com
      tls: { mode: Passthrough }
      allowedRoutes: { namespaces: { from: Same }, kinds: [{ kind: TLSRoute }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: { name: gateway-conformance-mixed-passthroughroute, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: gateway-tlsroute-mixed-termination }]
  hostnames: [abc.example.com]
  rules: [{ backendRefs: [{ name: tls-backend, port: 443 }] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: { name: gateway-conformance-mixed-terminateroute, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: gateway-tlsroute-mixed-termination }]
  hostnames: [tls.example.com]
  rules: [{ backendRefs: [{ name: tcp-backend, port: 3000 }] }]
---${tlsSecret('tls-terminate-checks-certificate', ['tls.example.com'])}`,
      gateway: `${INFRA}/gateway-tlsroute-mixed-termination`,
      port: 8883,
      // The suite's one tcp-backend Service has a TLS port and a clear one; here they are two Services.
      tcpBackends: [`${INFRA}/tcp-backend`],
      tlsBackends: [{ service: `${INFRA}/tls-backend`, dnsNames: ['abc.example.com'] }],
      handshakes: [
        // Terminate: the gateway's certificate, clear bytes to the backend.
        { sni: 'tls.example.com', send: 'hello\n', expect: { accepted: true, serverName: 'tls.example.com', answer: `${INFRA}/tcp-backend hello\n` } },
        // Passthrough on the same port: the backend's own certificate, the backend's own answer.
        { sni: 'abc.example.com', expect: { accepted: true, serverName: 'abc.example.com', answer: `{"service":"${INFRA}/tls-backend","sni":"abc.example.com"}` } },
      ],
      statuses: [
        { resource: `TLSRoute/${INFRA}/gateway-conformance-mixed-terminateroute`, parent: 'gateway-tlsroute-mixed-termination', type: 'Accepted', status: 'True' },
        { resource: `TLSRoute/${INFRA}/gateway-conformance-mixed-passthroughroute`, parent: 'gateway-tlsroute-mixed-termination', type: 'Accepted', status: 'True' },
      ],
    },
    {
      test: 'BackendTLSPolicy (requests)',
      feature: 'BackendTLSPolicy',
      manifests: `${caConfigMap('backend-tls-checks-certificate')}---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: normative-test-backendtlspolicy, namespace: ${INFRA} }
spec:
  targetRefs: [{ group: "", kind: Service, name: tls-backend }]
  validation:
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: backend-tls-checks-certificate }]
    hostname: abc.example.com
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: gateway-conformance-infra-test, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: same-namespace }]
  hostnames: [abc.example.com]
  rules: [{ backendRefs: [{ name: tls-backend, port: 443 }] }]
`,
      gateway: `${INFRA}/same-namespace`,
      port: 80,
      tlsBackends: [{ service: `${INFRA}/tls-backend`, dnsNames: ['abc.example.com'] }],
      upstreamRequests: [{ host: 'abc.example.com', path: '/', expect: { backend: `${INFRA}/tls-backend`, sni: 'abc.example.com' } }],
    },
    {
      test: 'BackendTLSPolicySANValidation',
      feature: 'BackendTLSPolicy',
      manifests: `${caConfigMap('backend-tls-checks-certificate')}---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: san-matches, namespace: ${INFRA} }
spec:
  targetRefs: [{ group: "", kind: Service, name: tls-backend-san }]
  validation:
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: backend-tls-checks-certificate }]
    hostname: abc.example.com
    subjectAltNames: [{ type: Hostname, hostname: san.example.com }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: san-mismatch, namespace: ${INFRA} }
spec:
  targetRefs: [{ group: "", kind: Service, name: tls-backend-other-san }]
  validation:
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: backend-tls-checks-certificate }]
    hostname: abc.example.com
    subjectAltNames: [{ type: Hostname, hostname: wrong.example.com }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: backendtlspolicy-san, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: same-namespace }]
  hostnames: [abc.example.com]
  rules:
    - matches: [{ path: { type: Exact, value: /match } }]
      backendRefs: [{ name: tls-backend-san, port: 443 }]
    - matches: [{ path: { type: Exact, value: /mismatch } }]
      backendRefs: [{ name: tls-backend-other-san, port: 443 }]
`,
      gateway: `${INFRA}/same-namespace`,
      port: 80,
      tlsBackends: [
        { service: `${INFRA}/tls-backend-san`, dnsNames: ['san.example.com'] },
        { service: `${INFRA}/tls-backend-other-san`, dnsNames: ['san.example.com'] },
      ],
      upstreamRequests: [
        { host: 'abc.example.com', path: '/match', expect: { backend: `${INFRA}/tls-backend-san`, sni: 'abc.example.com' } },
        // The backend's certificate names none of the policy's subjectAltNames: Envoy refuses the handshake (503).
        { host: 'abc.example.com', path: '/mismatch', expect: { refused: true } },
      ],
      statuses: [{ resource: `BackendTLSPolicy/${INFRA}/san-matches`, type: 'Accepted', status: 'True' }],
    },
    {
      test: 'BackendTLSPolicyConflictResolution (without a section name)',
      feature: 'BackendTLSPolicy',
      manifests: `${caConfigMap('tls-checks-ca-certificate')}${['other.example.com', 'abc.example.com']
        .map(
          (hostname, i) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: conflicted-without-section-name-${i + 1}, namespace: ${INFRA} }
spec:
  targetRefs: [{ group: "", kind: Service, name: backendtlspolicy-conflicted-without-section-name-test }]
  validation:
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: tls-checks-ca-certificate }]
    hostname: ${hostname}
`,
        )
        .join('')}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: backendtlspolicy-conflict-resolution, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: same-namespace }]
  hostnames: [abc.example.com]
  rules:
    - matches: [{ path: { type: Exact, value: /backendtlspolicy-conflicted-without-section-name } }]
      backendRefs: [{ group: "", kind: Service, name: backendtlspolicy-conflicted-without-section-name-test, port: 443 }]
`,
      gateway: `${INFRA}/same-namespace`,
      port: 80,
      tlsBackends: [{ service: `${INFRA}/backendtlspolicy-conflicted-without-section-name-test`, dnsNames: ['abc.example.com', 'other.example.com'] }],
      // The older policy (by creation, then name) wins: its hostname is the SNI.
      upstreamRequests: [
        {
          host: 'abc.example.com',
          path: '/backendtlspolicy-conflicted-without-section-name',
          expect: { backend: `${INFRA}/backendtlspolicy-conflicted-without-section-name-test`, sni: 'other.example.com' },
        },
      ],
      statuses: [
        { resource: `BackendTLSPolicy/${INFRA}/conflicted-without-section-name-1`, type: 'Accepted', status: 'True', reason: 'Accepted' },
        { resource: `BackendTLSPolicy/${INFRA}/conflicted-without-section-name-2`, type: 'Accepted', status: 'False', reason: 'Conflicted' },
        { resource: `HTTPRoute/${INFRA}/backendtlspolicy-conflict-resolution`, parent: 'same-namespace', type: 'ResolvedRefs', status: 'True' },
      ],
    },
    ...[true, false].map(
      (presents): ConformanceCase => ({
        test: presents ? 'GatewayBackendClientCertificate (handshake)' : 'GatewayBackendClientCertificate (handshake, no tls.backend: refused)',
        feature: 'Gateway',
        manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gateway-tls-backend-client-certificate, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  listeners: [{ name: http, port: 80, protocol: HTTP }]
${presents ? '  tls:\n    backend:\n      clientCertificateRef: { group: "", kind: Secret, name: tls-checks-client-certificate }\n' : ''}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: gateway-tls-backend-client-certificate, namespace: ${INFRA} }
spec:
  parentRefs: [{ name: gateway-tls-backend-client-certificate }]
  hostnames: [abc.example.com]
  rules: [{ matches: [{ path: { type: Exact, value: / } }], backendRefs: [{ name: tls-backend-with-client-cert-validation, port: 443 }] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: gateway-tls-backend-client-certificate-test, namespace: ${INFRA} }
spec:
  targetRefs: [{ group: "", kind: Service, name: tls-backend-with-client-cert-validation }]
  validation:
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: tls-checks-ca-certificate }]
    hostname: abc.example.com
---${tlsSecret('tls-checks-client-certificate', ['client.example.com'])}---${caConfigMap('tls-checks-ca-certificate')}`,
        gateway: `${INFRA}/gateway-tls-backend-client-certificate`,
        port: 80,
        // The backend requires a client certificate from the run's CA: the Gateway's tls.backend one.
        tlsBackends: [{ service: `${INFRA}/tls-backend-with-client-cert-validation`, dnsNames: ['abc.example.com'], requireClientCertificate: true }],
        upstreamRequests: [
          {
            host: 'abc.example.com',
            path: '/',
            expect: presents ? { backend: `${INFRA}/tls-backend-with-client-cert-validation`, sni: 'abc.example.com', client: 'client.example.com' } : { refused: true },
          },
        ],
      }),
    ),
    {
      test: 'GatewayFrontendClientCertificateValidation',
      feature: 'Gateway',
      manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: client-validation, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  tls:
    frontend:
      default:
        validation: { caCertificateRefs: [{ kind: ConfigMap, group: "", name: tls-validity-checks-ca-certificate }] }
  listeners:
    - { name: https, port: 443, protocol: HTTPS, hostname: example.org, tls: { certificateRefs: [{ name: tls-validity-checks-certificate }] } }
---${tlsSecret('tls-validity-checks-certificate', ['example.org'])}---${caConfigMap('tls-validity-checks-ca-certificate')}`,
      gateway: `${INFRA}/client-validation`,
      port: 443,
      handshakes: [
        { sni: 'example.org', client: { cert: trustedClient.cert, key: trustedClient.key }, expect: { accepted: true, serverName: 'example.org' } },
        { sni: 'example.org', expect: { accepted: false } },
        { sni: 'example.org', client: { cert: foreignClient.cert, key: foreignClient.key }, expect: { accepted: false } },
      ],
      statuses: [{ resource: `Gateway/${INFRA}/client-validation`, listener: 'https', type: 'Programmed', status: 'True' }],
    },
    {
      test: 'GatewayFrontendClientCertificateValidationInsecureFallback (handshakes)',
      feature: 'Gateway',
      manifests: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: client-validation-insecure-fallback, namespace: ${INFRA} }
spec:
  gatewayClassName: gateway-conformance
  tls:
    frontend:
      default:
        validation: { mode: AllowInsecureFallback, caCertificateRefs: [{ kind: ConfigMap, group: "", name: tls-validity-checks-ca-certificate }] }
  listeners:
    - { name: https, port: 443, protocol: HTTPS, hostname: example.org, tls: { certificateRefs: [{ name: tls-validity-checks-certificate }] } }
---${tlsSecret('tls-validity-checks-certificate', ['example.org'])}---${caConfigMap('tls-validity-checks-ca-certificate')}`,
      gateway: `${INFRA}/client-validation-insecure-fallback`,
      port: 443,
      handshakes: [
        { sni: 'example.org', client: { cert: trustedClient.cert, key: trustedClient.key }, expect: { accepted: true } },
        { sni: 'example.org', expect: { accepted: true } },
        { sni: 'example.org', client: { cert: foreignClient.cert, key: foreignClient.key }, expect: { accepted: true } },
      ],
    },
  ];
}
