// Kinds the provider accepts, with the apiVersions it understands. Gateway API kinds take every
// version the vendored CRDs serve (v1beta1 Gateways and HTTPRoutes too): each is validated against
// its own version's schema and then translated as the storage version, since the served versions
// of a kind differ only in name (Kubernetes converts them with `conversion: None`).
import { servedVersions } from '@gatehouse/schemas';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const ENVOY_GATEWAY = 'gateway.envoyproxy.io/v1alpha1';

/** Gateway API kinds xds translates; their apiVersions come from the CRDs. */
const GATEWAY_API_KINDS = ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'ReferenceGrant', 'BackendTLSPolicy', 'ListenerSet', 'UDPRoute'] as const;

export const SUPPORTED_KINDS: ReadonlyMap<string, readonly string[]> = new Map([
  ...GATEWAY_API_KINDS.map((kind): [string, string[]] => [kind, servedVersions(GATEWAY_GROUP, kind).map((v) => v.apiVersion)]),
  ['Backend', [ENVOY_GATEWAY]],
  ['SecurityPolicy', [ENVOY_GATEWAY]],
  ['BackendTrafficPolicy', [ENVOY_GATEWAY]],
  ['ClientTrafficPolicy', [ENVOY_GATEWAY]],
  ['EnvoyPatchPolicy', [ENVOY_GATEWAY]],
  ['EnvoyProxy', [ENVOY_GATEWAY]],
  ['EnvoyExtensionPolicy', [ENVOY_GATEWAY]],
  ['HTTPRouteFilter', [ENVOY_GATEWAY]],
  ['Secret', ['v1']],
  ['ConfigMap', ['v1']],
  ['Namespace', ['v1']],
  ['Service', ['v1']],
]);

/** kubectl's warning for a served but deprecated version, or undefined. */
export function deprecationWarning(apiVersion: string, kind: string): string | undefined {
  if (!apiVersion.startsWith(`${GATEWAY_GROUP}/`)) return undefined;
  return servedVersions(GATEWAY_GROUP, kind).find((v) => v.apiVersion === apiVersion && v.deprecated)?.deprecationWarning;
}
