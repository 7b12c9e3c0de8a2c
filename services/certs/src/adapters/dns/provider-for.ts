// Builds the DNS-01 provider a solver describes.
import type { Issuer, Secret, Solver } from '../../core/resources.js';
import { CertsError, CertsErrorCodes } from '../../errors.js';
import type { Dns01Provider } from './dns01-provider.js';
import { Rfc2136Provider } from './rfc2136-provider.js';
import { WebhookDns01Provider } from './webhook-provider.js';

export function dnsProviderFor(solver: Solver, issuer: Issuer, secrets: ReadonlyMap<string, Secret>, clusterResourceNamespace = 'cert-manager'): Dns01Provider {
  const dns01 = solver.dns01;
  if (dns01?.webhook) return WebhookDns01Provider.fromConfig(dns01.webhook.config);
  if (dns01?.rfc2136) {
    const r = dns01.rfc2136;
    let tsig: { name: string; algorithm: string; secret: Buffer } | undefined;
    if (r.tsigKeyName && r.tsigSecretSecretRef) {
      const ns = issuer.kind === 'ClusterIssuer' ? clusterResourceNamespace : issuer.namespace;
      const value = secrets.get(`${ns}/${r.tsigSecretSecretRef.name}`)?.data[r.tsigSecretSecretRef.key];
      if (!value) throw new CertsError(CertsErrorCodes.TSIG_SECRET_MISSING, `Secret ${ns}/${r.tsigSecretSecretRef.name} key ${r.tsigSecretSecretRef.key} not found`);
      // cert-manager stores the TSIG secret base64-encoded, as BIND's tsig-keygen prints it.
      tsig = { name: r.tsigKeyName, algorithm: r.tsigAlgorithm ?? 'HMACSHA256', secret: Buffer.from(value.toString('utf8').trim(), 'base64') };
    }
    return new Rfc2136Provider({ nameserver: r.nameserver, ...(tsig ? { tsig } : {}) });
  }
  throw new CertsError(CertsErrorCodes.NO_DNS01_PROVIDER, 'the solver has no supported dns01 provider');
}
