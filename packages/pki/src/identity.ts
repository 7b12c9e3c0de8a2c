// Who a certificate speaks for: the SPIFFE-style URI SAN every Gatehouse plane checks, and the file name
// the certificate has in a PKI folder. The layout is shared by the CLI, `pnpm start`, compose and k8s.
import { PkiError } from './errors.js';

export const TRUST_DOMAIN = 'gatehouse';
export const SERVICE_COMPONENTS = ['xds', 'authz', 'ratelimit', 'certs'] as const;
export type ServiceComponent = (typeof SERVICE_COMPONENTS)[number];

export type Identity =
  | { readonly kind: 'service'; readonly service: ServiceComponent }
  | { readonly kind: 'gateway'; readonly namespace: string; readonly name: string }
  /** The merged Envoy fleet of a GatewayClass (EnvoyProxy mergeGateways): it serves every Gateway of the class. */
  | { readonly kind: 'gatewayclass'; readonly name: string }
  | { readonly kind: 'client'; readonly name: string };

// Kubernetes' own rules: a namespace is a DNS-1123 label, a Gateway name a DNS-1123 subdomain. Clients
// follow the label rule, so every identity is also a safe file name.
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isServiceComponent(value: string): value is ServiceComponent {
  return (SERVICE_COMPONENTS as readonly string[]).includes(value);
}

export function serviceIdentity(service: string): Identity {
  if (!isServiceComponent(service)) throw new PkiError('GH_PKI_INVALID_NAME', `unknown component "${service}" (one of ${SERVICE_COMPONENTS.join(', ')})`);
  return { kind: 'service', service };
}

export function gatewayIdentity(namespace: string, name: string): Identity {
  if (!LABEL.test(namespace)) throw new PkiError('GH_PKI_INVALID_NAME', `Gateway namespace "${namespace}" is not a DNS-1123 label`);
  if (!SUBDOMAIN.test(name)) throw new PkiError('GH_PKI_INVALID_NAME', `Gateway name "${name}" is not a DNS-1123 subdomain`);
  return { kind: 'gateway', namespace, name };
}

/** A GatewayClass is cluster-scoped: its name is a DNS-1123 subdomain. */
export function gatewayClassIdentity(name: string): Identity {
  if (!SUBDOMAIN.test(name)) throw new PkiError('GH_PKI_INVALID_NAME', `GatewayClass name "${name}" is not a DNS-1123 subdomain`);
  return { kind: 'gatewayclass', name };
}

/**
 * The form `node.cluster` and the CLI use: `<namespace>/<name>` for a Gateway, a bare `<name>` for the merged
 * fleet of a GatewayClass (EnvoyProxy mergeGateways).
 */
export function parseGatewayRef(ref: string): Identity {
  const parts = ref.split('/');
  if (parts.length === 1) return gatewayClassIdentity(ref);
  if (parts.length !== 2) throw new PkiError('GH_PKI_INVALID_NAME', `Gateway "${ref}" is not <namespace>/<name> (or a merged GatewayClass's <name>)`);
  return gatewayIdentity(parts[0]!, parts[1]!);
}

export function clientIdentity(name: string): Identity {
  if (!LABEL.test(name)) throw new PkiError('GH_PKI_INVALID_NAME', `client name "${name}" is not a DNS-1123 label (lower-case letters, digits, '-')`);
  return { kind: 'client', name };
}

/** The URI SAN: spiffe://gatehouse/service/xds, spiffe://gatehouse/gateway/team/edge, spiffe://gatehouse/gatewayclass/shared, spiffe://gatehouse/client/cli. */
export function identityUri(id: Identity): string {
  const base = `spiffe://${TRUST_DOMAIN}`;
  switch (id.kind) {
    case 'service':
      return `${base}/service/${id.service}`;
    case 'gateway':
      return `${base}/gateway/${id.namespace}/${id.name}`;
    case 'gatewayclass':
      return `${base}/gatewayclass/${id.name}`;
    case 'client':
      return `${base}/client/${id.name}`;
  }
}

/** The identity a URI SAN names, or undefined for anything else (another trust domain, a bad name). */
export function parseIdentityUri(uri: string): Identity | undefined {
  const prefix = `spiffe://${TRUST_DOMAIN}/`;
  if (!uri.startsWith(prefix)) return undefined;
  const parts = uri.slice(prefix.length).split('/');
  try {
    if (parts[0] === 'service' && parts.length === 2) return serviceIdentity(parts[1]!);
    if (parts[0] === 'gateway' && parts.length === 3) return gatewayIdentity(parts[1]!, parts[2]!);
    if (parts[0] === 'client' && parts.length === 2) return clientIdentity(parts[1]!);
    if (parts[0] === 'gatewayclass' && parts.length === 2) return gatewayClassIdentity(parts[1]!);
  } catch {
    return undefined;
  }
  return undefined;
}

/** The file name without extension in a PKI folder: `xds`, `envoy-<namespace>-<name>`, `gatewayclass-<name>`, `client-<name>`. */
export function identityFileBase(id: Identity): string {
  switch (id.kind) {
    case 'service':
      return id.service;
    case 'gateway':
      return `envoy-${id.namespace}-${id.name}`;
    case 'gatewayclass':
      // Not "envoy-…": a Gateway's file could then have the same name (namespace "gatewayclass").
      return `gatewayclass-${id.name}`;
    case 'client':
      return `client-${id.name}`;
  }
}

/** How people read it: `service xds`, `gateway team/edge`, `client cli`. */
export function identityLabel(id: Identity): string {
  switch (id.kind) {
    case 'service':
      return `service ${id.service}`;
    case 'gateway':
      return `gateway ${id.namespace}/${id.name}`;
    case 'gatewayclass':
      return `gatewayclass ${id.name}`;
    case 'client':
      return `client ${id.name}`;
  }
}
