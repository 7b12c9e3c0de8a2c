// The DNS and IP names a certificate carries besides its identity URI: the names its clients dial.
import type { Identity } from './identity.js';

export interface SubjectAltNameOptions {
  /** Also the Kubernetes Service names `gatehouse-<svc>.<namespace>.svc[.cluster.local]` (deploy/k8s). */
  readonly k8sNamespace?: string;
  /** Extra DNS names (a host name the services are reached at). */
  readonly extraDnsNames?: readonly string[];
}

export interface SubjectAltNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/**
 * A service answers as compose names it (`xds`), as `localhost`/127.0.0.1 (pnpm start, a published admin
 * port) and, when asked, as its Kubernetes Service. Envoy and clients only present their certificate
 * to servers, so they carry their identity alone.
 */
export function defaultSubjectAltNames(id: Identity, options: SubjectAltNameOptions = {}): SubjectAltNames {
  if (id.kind !== 'service') return { dnsNames: [...(options.extraDnsNames ?? [])], ipAddresses: [] };
  const svc = `gatehouse-${id.service}`;
  const k8s = options.k8sNamespace ? [svc, `${svc}.${options.k8sNamespace}`, `${svc}.${options.k8sNamespace}.svc`, `${svc}.${options.k8sNamespace}.svc.cluster.local`] : [];
  const dnsNames = [...new Set([id.service, 'localhost', ...k8s, ...(options.extraDnsNames ?? [])])];
  return { dnsNames, ipAddresses: ['127.0.0.1', '::1'] };
}
