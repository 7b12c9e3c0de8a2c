// SecurityPolicy jwt.providers[].remoteJWKS backendRefs: the authz service fetches the JWKS by connecting
// to the Backend's address (the uri still names the host). The Backend must exist in the policy's
// namespace with an IP or FQDN endpoint; its address is published to authz with the policy, keyed
// "Backend:<namespace>/<name>" (key "address"), next to the Secrets it references.
import type { ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

interface Ref {
  kind?: string;
  name?: string;
  namespace?: string;
}

interface BackendSpec {
  endpoints?: Array<{ ip?: { address?: string; port?: number }; fqdn?: { hostname?: string; port?: number } }>;
}

export function resolveJwksBackends(spec: Record<string, unknown>, namespace: string, index: ResourceIndex): { problems: string[]; data: Map<string, Record<string, Buffer>> } {
  const problems: string[] = [];
  const data = new Map<string, Record<string, Buffer>>();
  const providers = objectsOf<{ remoteJWKS?: { backendRef?: Ref; backendRefs?: Ref[] } }>((spec.jwt as { providers?: unknown } | undefined)?.providers);
  providers.forEach((provider, i) => {
    const remote = provider.remoteJWKS;
    const ref = remote?.backendRefs ? objectsOf<Ref>(remote.backendRefs)[0] : remote?.backendRef;
    if (!ref) return;
    const at = `spec.jwt.providers[${i}].remoteJWKS.${remote?.backendRefs ? 'backendRefs[0]' : 'backendRef'}`;
    const refNamespace = ref.namespace ?? namespace;
    if ((ref.kind ?? 'Service') !== 'Backend') return void problems.push(`${at}: only a Backend can be reached by the authz service`);
    if (refNamespace !== namespace) return void problems.push(`${at}: Backend ${refNamespace}/${ref.name} is in another namespace; authz reads Backends of the policy's namespace only`);
    const backend = index.get('Backend', namespace, ref.name ?? '');
    const address = backend && !backend.issues?.length ? firstAddress(backend.spec as BackendSpec) : undefined;
    if (!address) return void problems.push(`${at}: Backend ${namespace}/${ref.name} does not exist or has no IP or FQDN endpoint`);
    data.set(`Backend:${namespace}/${ref.name}`, { address: Buffer.from(address) });
  });
  return { problems, data };
}

function firstAddress(spec: BackendSpec | undefined): string | undefined {
  for (const endpoint of spec?.endpoints ?? []) {
    const host = endpoint.ip?.address ?? endpoint.fqdn?.hostname;
    const port = endpoint.ip?.port ?? endpoint.fqdn?.port;
    if (host && port) return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  return undefined;
}
