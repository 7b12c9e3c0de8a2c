// Keeps every managed Certificate issued and renewed. Each certificate has at most one pending
// BullMQ job, delayed until it is due, on the queue of its CA + account (whose limiter caps the
// order rate). A job takes the certificate's order lease, re-reads the state and only orders when
// the certificate really is due, so duplicate or stale jobs are harmless.
import type { X509Certificate } from 'node:crypto';
import { currentTraceContext, withProducerSpan, withTraceContext, type TraceContextMessage } from '@gatehouse/kit';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AcmeAccount } from '../adapters/acme-account.js';
import { runWithAcmeContext, trustIssuerCaBundles, type AcmeProblem } from '../adapters/acme-http.js';
import type { CertStore, StoredState } from '../adapters/cert-store.js';
import type { Dns01Provider } from '../adapters/dns/dns01-provider.js';
import type { PropagationOptions } from '../adapters/dns/propagation.js';
import type { IssuedPublisher } from '../adapters/issued-publisher.js';
import type { CertsMetrics } from '../adapters/metrics.js';
import type { OrderLock } from '../adapters/order-lock.js';
import { ariRecheckDelayMs, parseRetryAfter, rateLimitPauseMs, retryDelayMs } from '../core/backoff.js';
import { nextDue, type Due } from '../core/next-due.js';
import { decideRenewalTime, pickTimeInWindow } from '../core/renewal-time.js';
import { certificateId, issuerIdForCertificate, type Certificate, type Issuer, type Secret, type Solver } from '../core/resources.js';
import { computeStatus, type CertificateStatus } from '../core/status.js';
import { splitPemChain } from '../core/verify-issued.js';
import { AccountRegistry, accountKeyOf } from './account-registry.js';
import { runOrder } from './run-order.js';

export interface CertificateManagerOptions {
  /** Connection for queues (adding jobs). */
  readonly connection: Redis;
  /** A new connection for each worker (maxRetriesPerRequest: null); default: duplicates `connection`. */
  readonly workerConnection?: () => Redis;
  readonly store: CertStore;
  readonly lock: OrderLock;
  readonly publisher: IssuedPublisher;
  readonly metrics?: CertsMetrics;
  readonly dnsProviderFor: (solver: Solver, issuer: Issuer, secrets: ReadonlyMap<string, Secret>) => Dns01Provider;
  readonly propagation?: PropagationOptions;
  /** Roots issued chains must end at (system roots + ACME_CA_CERTS). Empty: links only. */
  readonly trustedRoots?: readonly X509Certificate[];
  /** Orders per window per CA + account (BullMQ limiter). Default 10 per 10 s. */
  readonly ordersPerWindow?: number;
  readonly windowMs?: number;
  /** Orders running at once per CA + account in this replica. Default 5. */
  readonly concurrency?: number;
  /** How often an ARI window is re-fetched while waiting for it. Default 6 h. */
  readonly ariRecheckMs?: number;
  /** Namespace holding Secrets referenced by ClusterIssuers. Default "cert-manager". */
  readonly clusterResourceNamespace?: string;
  /** Polling of authorization/order status (acme-client backoff). */
  readonly poll?: { minMs?: number; maxMs?: number; attempts?: number };
  /** BullMQ key prefix; default the kit's "{gatehouse}". */
  readonly queuePrefix?: string;
  /** BullMQ stalled-job detection (how soon a crashed replica's job is taken over). */
  readonly stalledIntervalMs?: number;
  readonly lockDurationMs?: number;
  readonly log?: (msg: string, fields?: Record<string, unknown>) => void;
  readonly now?: () => number;
  /** Test hook, see run-order.ts. */
  readonly onOrderCreated?: (orderUrl: string) => void | Promise<void>;
}

interface OrderJobData {
  readonly id: string;
  readonly reason: 'due' | 'manual';
  /** Trace of whatever scheduled the job (a CertificateWanted, an admin request). */
  readonly trace?: TraceContextMessage;
}

export class CertificateManager {
  private fileCertificates = new Map<string, Certificate>();
  private wantedCertificates = new Map<string, Certificate>();
  private issuers = new Map<string, Issuer>();
  private secrets = new Map<string, Secret>();
  private readonly queues = new Map<string, Queue<OrderJobData>>();
  private readonly workers = new Map<string, Worker<OrderJobData>>();
  /** Connections made here for workers (BullMQ does not close connections it was given). */
  private readonly ownedConnections: Redis[] = [];
  private readonly accountRegistry: AccountRegistry;
  private expiryCache = new Map<string, number>();
  private readonly log: NonNullable<CertificateManagerOptions['log']>;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: CertificateManagerOptions) {
    this.log = options.log ?? (() => {});
    this.accountRegistry = new AccountRegistry({
      store: options.store,
      ...(options.clusterResourceNamespace ? { clusterResourceNamespace: options.clusterResourceNamespace } : {}),
      ...(options.poll ? { poll: options.poll } : {}),
    });
    this.now = options.now ?? Date.now;
    options.metrics?.observeExpiry(() => {
      const now = this.now();
      return [...this.expiryCache].map(([certificate, notAfter]) => ({ certificate, secondsUntilExpiry: (notAfter - now) / 1000 }));
    });
    // After a reconnect, make sure every certificate still has its job: a Redis that came back
    // without its data (no persistence, a failover to an empty replica) would otherwise leave
    // certificates unscheduled until the next restart or config change. Existing jobs deduplicate.
    let connectedBefore = options.connection.status === 'ready';
    options.connection.on('ready', () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      if (this.closed) return;
      this.reconcile().catch((err: unknown) => this.log('reconcile after reconnect failed', { error: String(err) }));
    });
  }

  // --- inputs ---------------------------------------------------------------------------------

  setConfig(config: { issuers: ReadonlyMap<string, Issuer>; certificates: ReadonlyMap<string, Certificate>; secrets: ReadonlyMap<string, Secret> }): void {
    this.issuers = new Map(config.issuers);
    trustIssuerCaBundles([...this.issuers.values()].flatMap((i) => (i.acme.caBundlePem ? [i.acme.caBundlePem] : [])));
    this.fileCertificates = new Map(config.certificates);
    this.secrets = new Map(config.secrets);
  }

  setWanted(certificates: readonly Certificate[]): void {
    this.wantedCertificates = new Map(certificates.map((c) => [certificateId(c), c]));
  }

  /** A CertificateWanted arrived (on any replica): remember it in Redis and schedule it. */
  async acceptWanted(certificate: Certificate): Promise<void> {
    await this.options.store.putWanted(certificate);
    this.wantedCertificates.set(certificateId(certificate), certificate);
    await this.ensureScheduled(certificate);
  }

  /** Loads the certificates other replicas accepted. */
  async loadWanted(): Promise<void> {
    this.setWanted(await this.options.store.listWanted());
  }

  private async lookup(id: string): Promise<Certificate | undefined> {
    const known = this.certificates().get(id);
    if (known) return known;
    const wanted = await this.options.store.getWanted(id);
    if (wanted) this.wantedCertificates.set(id, wanted);
    return wanted;
  }

  /** Every managed certificate; a Certificate from the config file wins over a wanted one. */
  certificates(): Map<string, Certificate> {
    return new Map([...this.wantedCertificates, ...this.fileCertificates]);
  }

  issuerFor(cert: Certificate): Issuer | undefined {
    return this.issuers.get(issuerIdForCertificate(cert));
  }

  // --- scheduling -----------------------------------------------------------------------------

  private queueName(issuer: Issuer): string {
    return `certs-orders-${accountKeyOf(issuer)}`;
  }

  private queueFor(issuer: Issuer): Queue<OrderJobData> {
    const name = this.queueName(issuer);
    let queue = this.queues.get(name);
    if (!queue) {
      const prefix = this.options.queuePrefix ?? '{gatehouse}';
      queue = new Queue<OrderJobData>(name, { connection: this.options.connection, prefix });
      this.queues.set(name, queue);
      const connection = this.options.workerConnection?.() ?? this.options.connection.duplicate();
      if (!this.options.workerConnection) this.ownedConnections.push(connection);
      const worker = new Worker<OrderJobData>(name, (job) => withTraceContext(job.data.trace, 'certs.order', () => this.processJob(job)), {
        connection,
        prefix,
        concurrency: this.options.concurrency ?? 5,
        limiter: { max: this.options.ordersPerWindow ?? 10, duration: this.options.windowMs ?? 10_000 },
        ...(this.options.stalledIntervalMs ? { stalledInterval: this.options.stalledIntervalMs } : {}),
        ...(this.options.lockDurationMs ? { lockDuration: this.options.lockDurationMs } : {}),
      });
      worker.on('error', (err) => this.log('order worker error', { queue: name, error: String(err) }));
      this.workers.set(name, worker);
    }
    return queue;
  }

  private dueAt(cert: Certificate, state: StoredState | undefined): Due {
    return nextDue(cert.dnsNames, state, this.now(), this.options.ariRecheckMs ?? 6 * 3_600_000);
  }

  private async enqueue(cert: Certificate, issuer: Issuer, due: Due, reason: OrderJobData['reason'] = 'due'): Promise<void> {
    if (this.closed) return;
    const id = certificateId(cert);
    await this.queueFor(issuer).add(
      'order',
      { id, reason, trace: currentTraceContext() },
      { jobId: `${id}|${due.key}`, delay: Math.max(0, due.at - this.now()), removeOnComplete: true, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
    );
  }

  /** Makes sure every managed certificate has its job. Cost: one pipelined read and one bulk add. */
  async reconcile(): Promise<void> {
    const certs = [...this.certificates().values()];
    const states = await this.options.store.getStates(certs.map(certificateId));
    const byQueue = new Map<Queue<OrderJobData>, { name: string; data: OrderJobData; opts: { jobId: string; delay: number; removeOnComplete: boolean; removeOnFail: number } }[]>();
    // Rebuilt, so a certificate that is no longer managed drops out of the expiry metric.
    const expiry = new Map<string, number>();
    for (const cert of certs) {
      const issuer = this.issuerFor(cert);
      const state = states.get(certificateId(cert));
      if (state?.notAfter) expiry.set(certificateId(cert), state.notAfter);
      if (!issuer) {
        this.log('certificate refers to an unknown issuer', { certificate: certificateId(cert), issuer: issuerIdForCertificate(cert) });
        continue;
      }
      const due = this.dueAt(cert, state);
      const queue = this.queueFor(issuer);
      const list = byQueue.get(queue) ?? [];
      list.push({ name: 'order', data: { id: certificateId(cert), reason: 'due' }, opts: { jobId: `${certificateId(cert)}|${due.key}`, delay: Math.max(0, due.at - this.now()), removeOnComplete: true, removeOnFail: 100 } });
      byQueue.set(queue, list);
    }
    this.expiryCache = expiry;
    for (const [queue, jobs] of byQueue) {
      for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
    }
  }

  async ensureScheduled(cert: Certificate): Promise<void> {
    const issuer = this.issuerFor(cert);
    if (!issuer) return;
    await this.enqueue(cert, issuer, this.dueAt(cert, await this.options.store.getState(certificateId(cert))));
  }

  /** POST /certificates/<ns>/<name>/renew. */
  async renewNow(id: string): Promise<boolean> {
    const cert = await this.lookup(id);
    const issuer = cert && this.issuerFor(cert);
    if (!cert || !issuer) return false;
    await this.options.store.patchState(id, { issuing: 'ManuallyTriggered' });
    await this.enqueue(cert, issuer, { at: 0, key: `manual-${this.now()}` }, 'manual');
    return true;
  }

  /** POST /certificates/<ns>/<name>/revoke: revokes the current certificate, then orders a new one. */
  async revoke(id: string): Promise<'revoked' | 'unknown' | 'not-issued'> {
    const cert = await this.lookup(id);
    const issuer = cert && this.issuerFor(cert);
    if (!cert || !issuer) return 'unknown';
    const state = await this.options.store.getState(id);
    const leaf = state?.chainPem ? splitPemChain(state.chainPem)[0] : undefined;
    if (!leaf) return 'not-issued';
    const account = await this.accountFor(issuer);
    await account.register();
    await account.revoke(leaf);
    this.log('certificate revoked', { certificate: id });
    await this.renewNow(id);
    return 'revoked';
  }

  // --- the job ------------------------------------------------------------------------------

  private async processJob(job: Job<OrderJobData>): Promise<string> {
    const { id, reason } = job.data;
    const cert = await this.lookup(id);
    if (!cert) return 'not managed';
    const issuer = this.issuerFor(cert);
    if (!issuer) return 'unknown issuer';
    if (this.queueName(issuer) !== job.queueName) {
      await this.ensureScheduled(cert); // the certificate moved to another CA or account
      return 'moved';
    }
    const lease = await this.options.lock.acquire(id);
    if ('busyForMs' in lease) {
      // Another replica is ordering; look again after its lease, so a crash there loses nothing.
      await this.enqueue(cert, issuer, { at: this.now() + lease.busyForMs + 1000, key: `lock-${this.now()}` }, reason);
      return 'busy';
    }
    try {
      let state = await this.options.store.getState(id);
      if (reason !== 'manual' && state?.renewalBasis === 'ari' && state.ariCertId && !state.pendingOrderUrl && !state.failures) {
        state = await this.refreshAriWindow(cert, issuer, state);
      }
      const due = this.dueAt(cert, state);
      if (reason !== 'manual' && due.at > this.now()) {
        await this.enqueue(cert, issuer, due);
        return 'not due';
      }
      return await this.order(cert, issuer, state, reason);
    } finally {
      await lease.release();
    }
  }

  private async refreshAriWindow(cert: Certificate, issuer: Issuer, state: StoredState): Promise<StoredState> {
    try {
      const account = await this.accountFor(issuer);
      const info = await account.renewalInfo(state.ariCertId as string);
      if (!info || !state.notBefore || !state.notAfter) return state;
      const decision = decideRenewalTime({
        dates: { notBefore: new Date(state.notBefore), notAfter: new Date(state.notAfter) },
        policy: policyOf(cert),
        ariPick: pickTimeInWindow(info, new Date(this.now())),
      });
      // Keep an earlier pick already inside the window: re-drawing every check would drift later.
      const keep = state.renewalTime !== undefined && state.renewalTime >= info.start.getTime() && state.renewalTime <= info.end.getTime();
      const renewalTime = keep ? (state.renewalTime as number) : decision.renewAt.getTime();
      const ariRecheckMs = ariRecheckDelayMs(info.retryAfter, new Date(this.now()), this.options.ariRecheckMs ?? 6 * 3_600_000);
      await this.options.store.patchState(certificateId(cert), { renewalTime, renewalBasis: decision.basis, ariRecheckMs });
      return { ...state, renewalTime, renewalBasis: decision.basis, ariRecheckMs };
    } catch (err) {
      this.log('ARI check failed; keeping the current renewal time', { certificate: certificateId(cert), error: String(err) });
      return state;
    }
  }

  private async order(cert: Certificate, issuer: Issuer, state: StoredState | undefined, reason: OrderJobData['reason']): Promise<string> {
    const id = certificateId(cert);
    const ca = issuer.acme.server;
    const renewing = state?.notAfter !== undefined;
    if (reason !== 'manual') await this.options.store.patchState(id, { issuing: renewing ? 'Renewing' : 'Issuing' });
    const outcome = await runWithAcmeContext(async () => {
      const account = await this.accountFor(issuer);
      const result = await runOrder(
        {
          store: this.options.store,
          dnsProviderFor: (solver, iss) => this.options.dnsProviderFor(solver, iss, this.secrets),
          propagation: this.options.propagation ?? {},
          trustedRoots: this.options.trustedRoots ?? [],
          log: this.log,
          ...(this.options.onOrderCreated ? { onOrderCreated: this.options.onOrderCreated } : {}),
        },
        account,
        cert,
        issuer,
        state,
      );
      const ariPick = result.ariCertId ? await account.renewalInfo(result.ariCertId).catch(() => undefined) : undefined;
      return { result, ariPick };
    });

    if (outcome.result) {
      const { result, ariPick } = outcome.result;
      const decision = decideRenewalTime({
        dates: { notBefore: new Date(result.notBefore), notAfter: new Date(result.notAfter) },
        policy: policyOf(cert),
        ariPick: ariPick ? pickTimeInWindow(ariPick, new Date(this.now())) : undefined,
      });
      const ariRecheckMs = ariPick ? ariRecheckDelayMs(ariPick.retryAfter, new Date(this.now()), this.options.ariRecheckMs ?? 6 * 3_600_000) : undefined;
      const saved = await this.options.store.saveIssued(cert, result, {
        renewalTime: decision.renewAt.getTime(),
        basis: decision.basis,
        ...(ariRecheckMs ? { ariRecheckMs } : {}),
      });
      this.expiryCache.set(id, result.notAfter);
      await withProducerSpan('certs.certificate_issued', () => this.options.publisher.publish({
        trace: currentTraceContext(),
        namespace: cert.namespace,
        name: cert.name,
        secret_name: cert.secretName,
        certificate_chain_pem: result.chainPem,
        private_key_ref: saved.keyRef,
        not_before_unix: String(Math.floor(result.notBefore / 1000)),
        not_after_unix: String(Math.floor(result.notAfter / 1000)),
        revision: saved.revision,
        dns_names: [...cert.dnsNames],
      }));
      this.options.metrics?.orderFinished(renewing ? 'renewed' : 'issued', ca);
      this.log(renewing ? 'certificate renewed' : 'certificate issued', {
        certificate: id,
        revision: saved.revision,
        notAfter: new Date(result.notAfter).toISOString(),
        renewalTime: decision.renewAt.toISOString(),
        basis: decision.basis,
        resumed: result.resumed,
      });
      const fresh = await this.options.store.getState(id);
      await this.enqueue(cert, issuer, this.dueAt(cert, fresh));
      return renewing ? 'renewed' : 'issued';
    }

    const problem = outcome.ctx.lastProblem;
    const rateLimited = isRateLimited(problem);
    const failures = (state?.failures ?? 0) + 1;
    const retryAfterMs = parseRetryAfter(problem?.retryAfter, new Date(this.now()));
    const delay = retryDelayMs(failures, retryAfterMs);
    const nextAttemptTime = this.now() + delay;
    const message = describeFailure(outcome.error, problem);
    if (rateLimited) {
      // Stop every replica from starting orders for this CA + account (BullMQ's limiter key of
      // the queue) until the CA's Retry-After has passed; this certificate's retry is scheduled below.
      await this.queueFor(issuer).rateLimit(rateLimitPauseMs(retryAfterMs));
      this.options.metrics?.rateLimitHit(ca);
    }
    await this.options.store.patchState(id, {
      failures,
      lastFailureTime: this.now(),
      lastFailureMessage: message,
      nextAttemptTime,
      issuing: null,
    });
    this.options.metrics?.orderFinished(rateLimited ? 'rate_limited' : 'failed', ca);
    this.log('order failed', { certificate: id, failures, retryInSeconds: Math.round(delay / 1000), error: message });
    await this.enqueue(cert, issuer, { at: nextAttemptTime, key: `retry-${nextAttemptTime}` });
    return 'failed';
  }

  private accountFor(issuer: Issuer): Promise<AcmeAccount> {
    return this.accountRegistry.get(issuer, this.secrets);
  }

  // --- status ---------------------------------------------------------------------------------

  async listStatuses(): Promise<{ namespace: string; name: string; spec: Certificate; status: CertificateStatus; certificateChainPem?: string }[]> {
    await this.loadWanted();
    const certs = [...this.certificates().values()];
    const states = await this.options.store.getStates(certs.map(certificateId));
    const now = this.now();
    return certs.map((cert) => {
      const state = states.get(certificateId(cert));
      // Another replica may have renewed it: keep this replica's expiry metric current too.
      if (state?.notAfter) this.expiryCache.set(certificateId(cert), state.notAfter);
      const status = computeStatus(state, now);
      return {
        namespace: cert.namespace,
        name: cert.name,
        spec: cert,
        status: this.issuerFor(cert) ? status : withMissingIssuer(status, issuerIdForCertificate(cert)),
        ...(state?.chainPem ? { certificateChainPem: state.chainPem } : {}),
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers.values()].map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const connection of this.ownedConnections) connection.disconnect();
  }

  /** Simulates a crash (tests): workers stop at once, leases and active jobs are left behind. */
  async abandon(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers.values()].map((w) => w.close(true)));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const connection of this.ownedConnections) connection.disconnect();
  }
}

function withMissingIssuer(status: CertificateStatus, issuer: string): CertificateStatus {
  return {
    ...status,
    conditions: [...status.conditions.filter((c) => c.type !== 'Issuing'), { type: 'Issuing', status: 'False', reason: 'IssuerNotFound', message: `${issuer} does not exist` }],
  };
}

function policyOf(cert: Certificate): { renewBeforeMs?: number; renewBeforePercentage?: number } {
  return {
    ...(cert.renewBeforeMs !== undefined ? { renewBeforeMs: cert.renewBeforeMs } : {}),
    ...(cert.renewBeforePercentage !== undefined ? { renewBeforePercentage: cert.renewBeforePercentage } : {}),
  };
}

function isRateLimited(problem: AcmeProblem | undefined): boolean {
  return problem?.status === 429 || problem?.type === 'urn:ietf:params:acme:error:rateLimited';
}

function describeFailure(error: unknown, problem: AcmeProblem | undefined): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/^GH_[A-Z_]+:/.test(text)) return text;
  if (isRateLimited(problem)) return `GH_CERTS_ACME_RATE_LIMITED: ${problem?.detail ?? text}${problem?.retryAfter ? ` (Retry-After ${problem.retryAfter})` : ''}`;
  return `GH_CERTS_ACME_ORDER_FAILED: ${text}`;
}

