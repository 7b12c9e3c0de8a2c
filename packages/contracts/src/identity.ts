// Who is on the other end of an internal connection: the URI SAN every certificate of the deployment's PKI
// carries. One spelling, shared by the PKI that writes it and the services that authorise by it.
const PREFIX = 'spiffe://gatehouse/';
// Kubernetes names (RFC 1123 labels/subdomains); anything else cannot be a Gateway or component name.
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export type Identity =
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'gateway'; readonly namespace: string; readonly name: string }
  /** The merged Envoy fleet of a GatewayClass whose EnvoyProxy sets mergeGateways: node.cluster is the class name. */
  | { readonly kind: 'gatewayclass'; readonly name: string }
  | { readonly kind: 'client'; readonly name: string };

export function formatIdentity(identity: Identity): string {
  for (const part of identity.kind === 'gateway' ? [identity.namespace, identity.name] : [identity.name]) {
    if (!NAME.test(part)) throw new Error(`"${part}" is not a valid name for a ${identity.kind} identity`);
  }
  return identity.kind === 'gateway' ? `${PREFIX}gateway/${identity.namespace}/${identity.name}` : `${PREFIX}${identity.kind}/${identity.name}`;
}

/** The identity a URI names, or undefined when it is not one of ours (foreign SANs are ignored, not trusted). */
export function parseIdentity(uri: string): Identity | undefined {
  if (!uri.startsWith(PREFIX)) return undefined;
  const parts = uri.slice(PREFIX.length).split('/');
  const valid = (names: string[]): boolean => names.every((n) => NAME.test(n));
  if (parts[0] === 'gateway' && parts.length === 3 && valid(parts.slice(1))) return { kind: 'gateway', namespace: parts[1]!, name: parts[2]! };
  if ((parts[0] === 'service' || parts[0] === 'client' || parts[0] === 'gatewayclass') && parts.length === 2 && valid(parts.slice(1))) return { kind: parts[0], name: parts[1]! };
  return undefined;
}

/** The Envoy `node.cluster` a Gateway's proxy announces: `<namespace>/<name>`. */
export function gatewayNodeCluster(identity: Identity & { kind: 'gateway' }): string {
  return `${identity.namespace}/${identity.name}`;
}
