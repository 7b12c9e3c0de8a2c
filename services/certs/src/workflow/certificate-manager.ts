// Keeps every managed Certificate issued and renewed, and answers the admin API. The work is split
// in three: the catalog (what is managed), the order scheduler (one delayed job per certificate on
// its CA + account's queue) and the order job (one order and what follows it). This class wires
// them and is what the service, the admin routes and the tests talk to.
import type { AcmeAccount } from '../adapters/acme-account.js';
import { certificateId, issuerIdForCertificate, type Certificate, type Issuer } from '../core/resources.js';
import { computeStatus, withMissingIssuer, type CertificateStatus } from '../core/status.js';
import { splitPemChain } from '../core/verify-issued.js';
import { AccountRegistry } from './account-registry.js';
import { CertificateCatalog, type CatalogConfig } from './certificate-catalog.js';
import { OrderJob, type OrderJobOptions } from './order-job.js';
import { OrderScheduler, type OrderSchedulerOptions } from './order-scheduler.js';

/** How often an ARI window is re-fetched while waiting for it, unless the CA says otherwise. */
export const DEFAULT_ARI_RECHECK_MS = 6 * 3_600_000;

/** What the parts need (see their options for each field), plus the ACME account settings. */
export type CertificateManagerOptions = Pick<
  OrderSchedulerOptions,
  'connection' | 'keyring' | 'untrusted' | 'workerConnection' | 'ordersPerWindow' | 'windowMs' | 'concurrency' | 'queuePrefix' | 'stalledIntervalMs' | 'lockDurationMs'
> &
  Pick<OrderJobOptions, 'http' | 'store' | 'lock' | 'publisher' | 'metrics' | 'dnsProviderFor' | 'onOrderCreated'> &
  Partial<Pick<OrderJobOptions, 'propagation' | 'trustedRoots' | 'log' | 'now'>> & {
    /** Default DEFAULT_ARI_RECHECK_MS. */
    readonly ariRecheckMs?: number;
    /** Namespace holding Secrets referenced by ClusterIssuers. Default "cert-manager". */
    readonly clusterResourceNamespace?: string;
    /** Polling of authorization/order status (acme-client backoff). */
    readonly poll?: { minMs?: number; maxMs?: number; attempts?: number };
  };

export interface ListedCertificate {
  readonly namespace: string;
  readonly name: string;
  readonly spec: Certificate;
  readonly status: CertificateStatus;
  readonly certificateChainPem?: string;
}

export class CertificateManager {
  readonly catalog: CertificateCatalog;
  protected readonly scheduler: OrderScheduler;
  private readonly accounts: AccountRegistry;
  private readonly now: () => number;

  constructor(private readonly options: CertificateManagerOptions) {
    const { store, http } = options;
    const log = options.log ?? (() => {});
    const now = (this.now = options.now ?? Date.now);
    const ariRecheckMs = options.ariRecheckMs ?? DEFAULT_ARI_RECHECK_MS;
    const catalog = (this.catalog = new CertificateCatalog(store));
    this.accounts = new AccountRegistry({
      store,
      http,
      ...(options.clusterResourceNamespace ? { clusterResourceNamespace: options.clusterResourceNamespace } : {}),
      ...(options.poll ? { poll: options.poll } : {}),
    });
    const scheduler: OrderScheduler = (this.scheduler = new OrderScheduler({ ...options, catalog, process: (j): Promise<string> => job.process(j), ariRecheckMs, log, now }));
    const job: OrderJob = new OrderJob({
      ...options,
      catalog,
      scheduler,
      accountFor: (issuer) => this.accountFor(issuer),
      propagation: options.propagation ?? {},
      trustedRoots: options.trustedRoots ?? [],
      ariRecheckMs,
      log,
      now,
    });
    options.metrics?.observeExpiry(() => catalog.expiries().map(([certificate, notAfter]) => ({ certificate, secondsUntilExpiry: (notAfter - now()) / 1000 })));
    // After a reconnect, make sure every certificate still has its job: a Redis that came back
    // without its data (no persistence, a failover to an empty replica) would otherwise leave
    // certificates unscheduled until the next restart or config change. Existing jobs deduplicate.
    let connectedBefore = options.connection.status === 'ready';
    options.connection.on('ready', () => {
      if (!connectedBefore) return void (connectedBefore = true);
      this.reconcile().catch((err: unknown) => log('reconcile after reconnect failed', { error: String(err) }));
    });
  }

  setConfig(config: CatalogConfig): void {
    this.catalog.setConfig(config);
    this.options.http.trustIssuerCaBundles(this.catalog.allIssuers().flatMap((i) => (i.acme.caBundlePem ? [i.acme.caBundlePem] : [])));
  }

  /** A CertificateWanted arrived (on any replica): remember it in Redis and schedule it. */
  async acceptWanted(certificate: Certificate): Promise<void> {
    await this.catalog.acceptWanted(certificate);
    await this.scheduler.ensureScheduled(certificate);
  }

  /** Makes sure every managed certificate has its job. */
  reconcile(): Promise<void> {
    return this.scheduler.reconcile();
  }

  /** POST /certificates/<ns>/<name>/renew. */
  async renewNow(id: string): Promise<boolean> {
    const cert = await this.catalog.lookup(id);
    const issuer = cert && this.catalog.issuerFor(cert);
    if (!cert || !issuer) return false;
    await this.options.store.patchState(id, { issuing: 'ManuallyTriggered' });
    await this.scheduler.enqueue(cert, issuer, { at: 0, key: `manual-${this.now()}` }, 'manual');
    return true;
  }

  /** POST /certificates/<ns>/<name>/revoke: revokes the current certificate, then orders a new one. */
  async revoke(id: string): Promise<'revoked' | 'unknown' | 'not-issued'> {
    const cert = await this.catalog.lookup(id);
    const issuer = cert && this.catalog.issuerFor(cert);
    if (!cert || !issuer) return 'unknown';
    const state = await this.options.store.getState(id);
    const leaf = state?.chainPem ? splitPemChain(state.chainPem)[0] : undefined;
    if (!leaf) return 'not-issued';
    const account = await this.accountFor(issuer);
    await account.register();
    await account.revoke(leaf);
    this.options.log?.('certificate revoked', { certificate: id });
    await this.renewNow(id);
    return 'revoked';
  }

  /** GET /certificates: every managed certificate with its status conditions. */
  async listStatuses(): Promise<ListedCertificate[]> {
    await this.catalog.loadWanted();
    const certs = [...this.catalog.certificates().values()];
    const states = await this.options.store.getStates(certs.map(certificateId));
    const now = this.now();
    return certs.map((cert) => {
      const state = states.get(certificateId(cert));
      // Another replica may have renewed it: keep this replica's expiry metric current too.
      if (state?.notAfter) this.catalog.recordExpiry(certificateId(cert), state.notAfter);
      const status = computeStatus(state, now);
      return {
        namespace: cert.namespace,
        name: cert.name,
        spec: cert,
        status: this.catalog.issuerFor(cert) ? status : withMissingIssuer(status, issuerIdForCertificate(cert)),
        ...(state?.chainPem ? { certificateChainPem: state.chainPem } : {}),
      };
    });
  }

  close(): Promise<void> {
    return this.scheduler.close();
  }

  private accountFor(issuer: Issuer): Promise<AcmeAccount> {
    return this.accounts.get(issuer, this.catalog.secrets);
  }
}
