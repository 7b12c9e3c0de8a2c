// A `type: DynamicResolver` Backend, as Envoy Gateway translates it: no endpoints (the CRD forbids
// them), the upstream is the request's own host, resolved through a DNS cache (a dynamic forward
// proxy cluster). With `tls`, the upstream is verified against the Backend's CA (or the system
// store) for the host itself: Envoy sets the SNI to the host and checks the certificate's SAN
// against it (auto_sni, auto_san_validation), so a fixed `tls.sni` has no meaning and is refused.
import type { ClusterIR, TlsSecretIR, UpstreamTlsIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import { Reasons } from './conditions.js';

interface DynamicResolverSpec {
  endpoints?: unknown[];
  appProtocols?: string[];
  tls?: { sni?: string };
  fallback?: boolean;
}

interface Clusters {
  add(cluster: ClusterIR): void;
  addSecret(secret: TlsSecretIR): void;
}

type Resolution = { ok: true; cluster: string } | { ok: false; reason: string; message: string };

export function registerDynamicResolver(
  name: string,
  backend: GatewayResource,
  spec: DynamicResolverSpec,
  tls: { ok: true; tls: UpstreamTlsIR; secrets: TlsSecretIR[] } | undefined,
  registry: Clusters,
  grpc: boolean,
): Resolution {
  const id = `Backend ${backend.metadata.namespace}/${backend.metadata.name}`;
  const refuse = (message: string): Resolution => ({ ok: false, reason: Reasons.unsupportedValue, message: `${id}: ${message}` });
  if (spec.endpoints && spec.endpoints.length > 0) return refuse('DynamicResolver type cannot have endpoints specified');
  if (spec.tls?.sni) return refuse('tls.sni cannot be set on a DynamicResolver Backend: the SNI is the host of each request');
  // Proxyless gRPC clients load the clusters of GRPCRoutes too, and they have no DNS cache.
  if (grpc) return refuse('a GRPCRoute cannot use a DynamicResolver Backend: proxyless gRPC clients served the same routes cannot resolve hosts dynamically');
  // Failover needs endpoints to put at a priority; a resolver has none.
  if (spec.fallback) return refuse('fallback cannot be set on a DynamicResolver Backend: it has no endpoints to fail over to');
  registry.add({
    name,
    endpoints: [],
    http2: (spec.appProtocols ?? []).includes('gateway.envoyproxy.io/h2c'),
    ...(tls ? { tls: tls.tls } : {}),
    dynamicResolver: true,
  });
  if (tls) for (const secret of tls.secrets) registry.addSecret(secret);
  return { ok: true, cluster: name };
}
