// One AcmeAccount per (CA, account key) in this process. The key is created once in Redis (the
// first replica wins), registered once (with EAB when the issuer asks for it), and its URL stored,
// so restarts and other replicas sign as the same account without registering again.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { AcmeAccount } from '../adapters/acme-account.js';
import type { AcmeHttp } from '../adapters/acme-http.js';
import type { CertStore } from '../adapters/cert-store.js';
import type { Issuer, Secret } from '../core/resources.js';
import { CertsError, CertsErrorCodes } from '../errors.js';

export interface AccountRegistryOptions {
  readonly store: CertStore;
  readonly http: AcmeHttp;
  /** Namespace of the Secrets a ClusterIssuer references. Default "cert-manager". */
  readonly clusterResourceNamespace?: string;
  readonly poll?: { minMs?: number; maxMs?: number; attempts?: number };
}

/** Identifies a CA + account pair; names its order queue and its bucket at the call limiter. */
export function accountKeyOf(issuer: Issuer): string {
  const ns = issuer.kind === 'ClusterIssuer' ? '' : issuer.namespace;
  return createHash('sha256').update(`${issuer.acme.server}\n${ns}\n${issuer.acme.privateKeySecretRef}`).digest('hex').slice(0, 12);
}

export class AccountRegistry {
  private readonly accounts = new Map<string, Promise<AcmeAccount>>();

  constructor(private readonly options: AccountRegistryOptions) {}

  get(issuer: Issuer, secrets: ReadonlyMap<string, Secret>): Promise<AcmeAccount> {
    const key = accountKeyOf(issuer);
    let account = this.accounts.get(key);
    if (!account) {
      account = this.create(issuer, secrets);
      // A failed registration (CA down, EAB refused) is tried again next time.
      account.catch(() => this.accounts.delete(key));
      this.accounts.set(key, account);
    }
    return account;
  }

  private async create(issuer: Issuer, secrets: ReadonlyMap<string, Secret>): Promise<AcmeAccount> {
    const ns = issuer.kind === 'ClusterIssuer' ? '' : issuer.namespace;
    const { store, poll } = this.options;
    const { keyPem, url } = await store.getOrCreateAccountKey(issuer.acme.server, issuer.acme.privateKeySecretRef, ns, () =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    let eab: { kid: string; hmacKey: string } | undefined;
    const binding = issuer.acme.externalAccountBinding;
    if (binding && !url) {
      const secretNs = issuer.kind === 'ClusterIssuer' ? (this.options.clusterResourceNamespace ?? 'cert-manager') : issuer.namespace;
      const value = secrets.get(`${secretNs}/${binding.keySecretRef.name}`)?.data[binding.keySecretRef.key];
      if (!value) {
        throw new CertsError(CertsErrorCodes.EAB_SECRET_MISSING, `Secret ${secretNs}/${binding.keySecretRef.name} key ${binding.keySecretRef.key} (externalAccountBinding of ${issuer.name}) not found`);
      }
      eab = { kid: binding.keyID, hmacKey: value.toString('utf8').trim() };
    }
    const account = new AcmeAccount({
      http: this.options.http,
      directoryUrl: issuer.acme.server,
      callKey: accountKeyOf(issuer),
      accountKeyPem: keyPem,
      ...(url ? { accountUrl: url } : {}),
      ...(issuer.acme.email ? { email: issuer.acme.email } : {}),
      ...(eab ? { externalAccountBinding: eab } : {}),
      ...(poll?.minMs ? { pollMinMs: poll.minMs } : {}),
      ...(poll?.maxMs ? { pollMaxMs: poll.maxMs } : {}),
      ...(poll?.attempts ? { pollAttempts: poll.attempts } : {}),
    });
    if (!url) {
      const registered = await account.register();
      await store.saveAccountUrl(issuer.acme.server, issuer.acme.privateKeySecretRef, ns, registered);
    }
    return account;
  }
}
