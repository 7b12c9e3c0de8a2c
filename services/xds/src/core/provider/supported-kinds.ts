// Kinds the provider accepts, with the apiVersions it understands.
const GATEWAY_V1 = 'gateway.networking.k8s.io/v1';
const GATEWAY_V1BETA1 = 'gateway.networking.k8s.io/v1beta1';
const ENVOY_GATEWAY = 'gateway.envoyproxy.io/v1alpha1';

export const SUPPORTED_KINDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['GatewayClass', [GATEWAY_V1]],
  ['Gateway', [GATEWAY_V1]],
  ['HTTPRoute', [GATEWAY_V1]],
  ['GRPCRoute', [GATEWAY_V1]],
  ['ReferenceGrant', [GATEWAY_V1BETA1, GATEWAY_V1]],
  ['Backend', [ENVOY_GATEWAY]],
  ['SecurityPolicy', [ENVOY_GATEWAY]],
  ['BackendTrafficPolicy', [ENVOY_GATEWAY]],
  ['ClientTrafficPolicy', [ENVOY_GATEWAY]],
  ['Secret', ['v1']],
]);
