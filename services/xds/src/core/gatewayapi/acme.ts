// A Gateway annotated for cert-manager asks the certs service for a certificate per HTTPS listener
// hostname, stored under the listener's first certificateRef (as cert-manager's gateway-shim does).
import type { GatewayContext } from './gateways.js';

export interface CertificateRequest {
  namespace: string;
  name: string;
  secret_name: string;
  dns_names: string[];
  issuer_ref: { name: string; kind: 'Issuer' | 'ClusterIssuer'; group: string };
  source: string;
}

export function certificatesWantedFor(gateway: GatewayContext): CertificateRequest[] {
  if (!gateway.issuer) return [];
  const bySecret = new Map<string, CertificateRequest>();
  for (const listener of gateway.listeners) {
    // A ListenerSet's certificates are its own Secrets, never issued for the Gateway's annotation.
    if (!listener.ready || listener.protocol !== 'HTTPS' || !listener.hostname || listener.listenerSet) continue;
    const first = listener.tlsSecrets[0];
    if (!first) continue;
    const [namespace, secretName] = first.split('/') as [string, string];
    const existing = bySecret.get(first);
    if (existing) {
      if (!existing.dns_names.includes(listener.hostname)) existing.dns_names.push(listener.hostname);
      continue;
    }
    bySecret.set(first, {
      namespace,
      name: secretName,
      secret_name: secretName,
      dns_names: [listener.hostname],
      issuer_ref: { name: gateway.issuer.name, kind: gateway.issuer.kind, group: 'cert-manager.io' },
      source: `gateway/${gateway.key}/listener/${listener.name}`,
    });
  }
  return [...bySecret.values()];
}
