// SecurityPolicy jwt.providers[].remoteJWKS and oidc.provider backendRefs (and backendSettings.retry,
// which authz applies to its own fetches): the authz service calls the
// JWKS uri or the OpenID provider by connecting to a Backend's address (the URLs still name the host),
// picked per fetch by the backendRefs' weight and fallback (authz's backend-order.ts). Each Backend must exist in the policy's
// namespace with an IP or FQDN endpoint; its address is published to authz with the policy, keyed
// "Backend:<namespace>/<name>" (key "address"; key "tls" when a BackendTLSPolicy targets it), next to
// the Secrets it references.
import type { UpstreamTlsIR } from '../ir/types.js';
import { backendTlsPolicyForBackend } from './backend-tls-policy.js';
import { PolicyValues } from './policy-values.js';
import type { ResourceIndex } from './resource-index.js';
import { translateRetry, type TrafficPolicySpec } from './traffic-policy.js';
import { objectsOf } from './shape.js';

interface Ref {
  kind?: string;
  name?: string;
  namespace?: string;
  weight?: number;
  fallback?: boolean;
}

interface Holder {
  backendRef?: Ref;
  backendRefs?: Ref[];
  backendSettings?: { retry?: TrafficPolicySpec['retry'] };
}

interface BackendSpec {
  endpoints?: Array<{ ip?: { address?: string; port?: number }; fqdn?: { hostname?: string; port?: number } }>;
}

export function resolveAuthzBackends(spec: Record<string, unknown>, namespace: string, index: ResourceIndex): { problems: string[]; data: Map<string, Record<string, Buffer>> } {
  const problems: string[] = [];
  const data = new Map<string, Record<string, Buffer>>();
  const holders: Array<[string, Holder | undefined]> = [];
  const providers = objectsOf<{ remoteJWKS?: Holder }>((spec.jwt as { providers?: unknown } | undefined)?.providers);
  providers.forEach((provider, i) => holders.push([`spec.jwt.providers[${i}].remoteJWKS`, provider.remoteJWKS]));
  holders.push(['spec.oidc.provider', (spec.oidc as { provider?: Holder } | undefined)?.provider]);
  for (const [path, holder] of holders) {
    // backendSettings.retry: authz retries its own fetches; values Envoy's rules refuse are refused here too.
    const retry = holder?.backendSettings?.retry;
    if (retry) {
      const own: string[] = [];
      translateRetry(retry, new PolicyValues(own));
      problems.push(...own.map((p) => p.replace(/^spec\./, `${path}.backendSettings.`)));
    }
    // Every backendRef: authz picks one by weight per fetch and fails over to the others, then to the
    // fallbacks (weight and fallback reach it in the policy; each Backend's address and TLS here).
    const refs: Array<[string, Ref]> = holder?.backendRefs
      ? objectsOf<Ref>(holder.backendRefs).map((ref, i) => [`${path}.backendRefs[${i}]`, ref])
      : holder?.backendRef
        ? [[`${path}.backendRef`, holder.backendRef]]
        : [];
    if (holder?.backendRefs && refs.length > 0 && refs.every(([, ref]) => ref.weight === 0)) problems.push(`${path}.backendRefs: every backendRef has weight 0; the authz service would have no backend to fetch from`);
    for (const [at, ref] of refs) publishBackend(at, ref, namespace, index, problems, data);
  }
  return { problems, data };
}

/** The Backend's address (and BackendTLSPolicy) under "Backend:<namespace>/<name>", or why it cannot be reached. */
function publishBackend(at: string, ref: Ref, namespace: string, index: ResourceIndex, problems: string[], data: Map<string, Record<string, Buffer>>): void {
  const refNamespace = ref.namespace ?? namespace;
  if ((ref.kind ?? 'Service') !== 'Backend') return void problems.push(`${at}: only a Backend can be reached by the authz service`);
  if (refNamespace !== namespace) return void problems.push(`${at}: Backend ${refNamespace}/${ref.name} is in another namespace; authz reads Backends of the policy's namespace only`);
  const backend = index.get('Backend', namespace, ref.name ?? '');
  const address = backend && !backend.issues?.length ? firstAddress(backend.spec as BackendSpec) : undefined;
  // A BackendTLSPolicy on it: authz fetches over TLS with the policy's SNI, SANs and CA (key "tls");
  // an invalid policy refuses the SecurityPolicy, never a fetch without them.
  const tlsPolicy = address ? backendTlsPolicyForBackend(index, namespace, ref.name ?? '') : undefined;
  if (!address) problems.push(`${at}: Backend ${namespace}/${ref.name} does not exist or has no IP or FQDN endpoint`);
  else if (tlsPolicy && !tlsPolicy.ok) problems.push(`${at}: Backend ${namespace}/${ref.name}: ${tlsPolicy.message}`);
  else data.set(`Backend:${namespace}/${ref.name}`, { address: Buffer.from(address), ...(tlsPolicy?.ok ? { tls: Buffer.from(JSON.stringify(authzTls(tlsPolicy.tls))) } : {}) });
}

/** What authz needs of a BackendTLSPolicy: the SNI, the SANs one of which the certificate must carry, the CA (none: the default roots). */
function authzTls(tls: UpstreamTlsIR): { sni: string; subjectAltNames: UpstreamTlsIR['subjectAltNames']; ca?: string } {
  return { sni: tls.sni ?? '', subjectAltNames: tls.subjectAltNames, ...(tls.trustedCa?.kind === 'inline' ? { ca: tls.trustedCa.pem } : {}) };
}

function firstAddress(spec: BackendSpec | undefined): string | undefined {
  for (const endpoint of spec?.endpoints ?? []) {
    const host = endpoint.ip?.address ?? endpoint.fqdn?.hostname;
    const port = endpoint.ip?.port ?? endpoint.fqdn?.port;
    if (host && port) return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  return undefined;
}
