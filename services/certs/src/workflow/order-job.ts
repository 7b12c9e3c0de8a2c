// One order job: take the certificate's order lease, re-read its state (refreshing the ARI window
// when renewal follows the CA's suggestion), order only when it really is due, then record the
// issued certificate (store, fan-out to xds, next job) or the failure (backoff, next attempt, a
// pause of the account's queue after a 429).
import type { X509Certificate } from 'node:crypto';
import { KeyEnvelopeError } from '@gatehouse/contracts';
import { withProducerSpan } from '@gatehouse/kit';
import type { Job } from 'bullmq';
import type { AcmeAccount, RenewalInfo } from '../adapters/acme-account.js';
import type { AcmeHttp, AcmeProblem } from '../adapters/acme-http.js';
import type { CertStore, StoredState } from '../adapters/cert-store.js';
import type { Dns01Provider } from '../adapters/dns/dns01-provider.js';
import type { PropagationOptions } from '../adapters/dns/propagation.js';
import { certificateIssuedMessage, type IssuedPublisher } from '../adapters/issued-publisher.js';
import type { CertsMetrics } from '../adapters/metrics.js';
import type { OrderLock } from '../adapters/order-lock.js';
import { ariRecheckDelayMs, parseRetryAfter, rateLimitPauseMs, retryDelayMs } from '../core/backoff.js';
import { decideRenewalTime, pickTimeInWindow } from '../core/renewal-time.js';
import { certificateId, type Certificate, type Issuer, type Secret, type Solver } from '../core/resources.js';
import { CertsError, CertsErrorCodes } from '../errors.js';
import type { CertificateCatalog } from './certificate-catalog.js';
import type { OrderJobData, OrderScheduler } from './order-scheduler.js';
import { runOrder, type OrderResult } from './run-order.js';

export interface OrderJobOptions {
  readonly catalog: CertificateCatalog;
  readonly scheduler: OrderScheduler;
  readonly http: AcmeHttp;
  readonly accountFor: (issuer: Issuer) => Promise<AcmeAccount>;
  readonly store: CertStore;
  readonly lock: OrderLock;
  readonly publisher: IssuedPublisher;
  readonly metrics?: CertsMetrics;
  readonly dnsProviderFor: (solver: Solver, issuer: Issuer, secrets: ReadonlyMap<string, Secret>) => Dns01Provider;
  readonly propagation: PropagationOptions;
  readonly trustedRoots: readonly X509Certificate[];
  readonly ariRecheckMs: number;
  readonly log: (msg: string, fields?: Record<string, unknown>) => void;
  readonly now: () => number;
  /** Test hook, see run-order.ts. */
  readonly onOrderCreated?: (orderUrl: string) => void | Promise<void>;
}

export class OrderJob {
  constructor(private readonly options: OrderJobOptions) {}

  async process(job: Job<OrderJobData>): Promise<string> {
    const { catalog, scheduler, lock, store, now } = this.options;
    const { id, reason } = job.data;
    const cert = await catalog.lookup(id);
    if (!cert) return 'not managed';
    const issuer = catalog.issuerFor(cert);
    if (!issuer) return 'unknown issuer';
    if (scheduler.queueName(issuer) !== job.queueName) {
      await scheduler.ensureScheduled(cert); // the certificate moved to another CA or account
      return 'moved';
    }
    const lease = await lock.acquire(id);
    if ('busyForMs' in lease) {
      // Another replica is ordering; look again after its lease, so a crash there loses nothing.
      await scheduler.enqueue(cert, issuer, { at: now() + lease.busyForMs + 1000, key: `lock-${now()}` }, reason);
      return 'busy';
    }
    try {
      let state = await store.getState(id);
      if (reason !== 'manual' && state?.renewalBasis === 'ari' && state.ariCertId && !state.pendingOrderUrl && !state.failures) {
        state = await this.refreshAriWindow(cert, issuer, state);
      }
      const due = scheduler.dueAt(cert, state);
      if (reason !== 'manual' && due.at > now()) {
        await scheduler.enqueue(cert, issuer, due);
        return 'not due';
      }
      return await this.order(cert, issuer, state, reason);
    } finally {
      await lease.release();
    }
  }

  private async refreshAriWindow(cert: Certificate, issuer: Issuer, state: StoredState): Promise<StoredState> {
    const { now } = this.options;
    try {
      const account = await this.options.accountFor(issuer);
      const info = await account.renewalInfo(state.ariCertId as string);
      if (!info || !state.notBefore || !state.notAfter) return state;
      const decision = decideRenewalTime({
        dates: { notBefore: new Date(state.notBefore), notAfter: new Date(state.notAfter) },
        policy: policyOf(cert),
        ariPick: pickTimeInWindow(info, new Date(now())),
      });
      // Keep an earlier pick already inside the window: re-drawing every check would drift later.
      const keep = state.renewalTime !== undefined && state.renewalTime >= info.start.getTime() && state.renewalTime <= info.end.getTime();
      const renewalTime = keep ? (state.renewalTime as number) : decision.renewAt.getTime();
      const ariRecheckMs = ariRecheckDelayMs(info.retryAfter, new Date(now()), this.options.ariRecheckMs);
      await this.options.store.patchState(certificateId(cert), { renewalTime, renewalBasis: decision.basis, ariRecheckMs });
      return { ...state, renewalTime, renewalBasis: decision.basis, ariRecheckMs };
    } catch (err) {
      this.options.log('ARI check failed; keeping the current renewal time', { certificate: certificateId(cert), error: String(err) });
      return state;
    }
  }

  private async order(cert: Certificate, issuer: Issuer, state: StoredState | undefined, reason: OrderJobData['reason']): Promise<string> {
    const { options } = this;
    const renewing = state?.notAfter !== undefined;
    if (reason !== 'manual') await options.store.patchState(certificateId(cert), { issuing: renewing ? 'Renewing' : 'Issuing' });
    const outcome = await options.http.runObserved(async () => {
      const account = await options.accountFor(issuer);
      const result = await runOrder(
        {
          store: options.store,
          dnsProviderFor: (solver, iss) => options.dnsProviderFor(solver, iss, options.catalog.secrets),
          propagation: options.propagation,
          trustedRoots: options.trustedRoots,
          log: options.log,
          ...(options.onOrderCreated ? { onOrderCreated: options.onOrderCreated } : {}),
        },
        account,
        cert,
        issuer,
        state,
      );
      const ariPick = result.ariCertId ? await account.renewalInfo(result.ariCertId).catch(() => undefined) : undefined;
      return { result, ariPick };
    });
    if (outcome.result) return this.recordIssued(cert, issuer, renewing, outcome.result.result, outcome.result.ariPick);
    return this.recordFailure(cert, issuer, state, outcome.error, outcome.ctx.lastProblem);
  }

  /** Stores the certificate, announces it to xds and schedules its renewal. */
  private async recordIssued(cert: Certificate, issuer: Issuer, renewing: boolean, result: OrderResult, ariPick: RenewalInfo | undefined): Promise<string> {
    const { options } = this;
    const id = certificateId(cert);
    const now = new Date(options.now());
    const decision = decideRenewalTime({
      dates: { notBefore: new Date(result.notBefore), notAfter: new Date(result.notAfter) },
      policy: policyOf(cert),
      ariPick: ariPick ? pickTimeInWindow(ariPick, now) : undefined,
    });
    const ariRecheckMs = ariPick ? ariRecheckDelayMs(ariPick.retryAfter, now, options.ariRecheckMs) : undefined;
    const saved = await options.store.saveIssued(cert, result, {
      renewalTime: decision.renewAt.getTime(),
      basis: decision.basis,
      ...(ariRecheckMs ? { ariRecheckMs } : {}),
    });
    options.catalog.recordExpiry(id, result.notAfter);
    await withProducerSpan('certs.certificate_issued', () =>
      options.publisher.publish(
        certificateIssuedMessage(cert, { chainPem: result.chainPem, keyRef: saved.keyRef, notBefore: result.notBefore, notAfter: result.notAfter, revision: saved.revision, dnsNames: cert.dnsNames }),
      ),
    );
    options.metrics?.orderFinished(renewing ? 'renewed' : 'issued', issuer.acme.server);
    options.log(renewing ? 'certificate renewed' : 'certificate issued', {
      certificate: id,
      revision: saved.revision,
      notAfter: new Date(result.notAfter).toISOString(),
      renewalTime: decision.renewAt.toISOString(),
      basis: decision.basis,
      resumed: result.resumed,
    });
    await options.scheduler.enqueue(cert, issuer, options.scheduler.dueAt(cert, await options.store.getState(id)));
    return renewing ? 'renewed' : 'issued';
  }

  /** Counts the failure, backs off (longer when the CA asks), and pauses the account after a 429. */
  private async recordFailure(cert: Certificate, issuer: Issuer, state: StoredState | undefined, error: unknown, problem: AcmeProblem | undefined): Promise<string> {
    const { options } = this;
    const id = certificateId(cert);
    const ca = issuer.acme.server;
    const rateLimited = isRateLimited(problem);
    const failures = (state?.failures ?? 0) + 1;
    const retryAfterMs = parseRetryAfter(problem?.retryAfter, new Date(options.now()));
    const delay = retryDelayMs(failures, retryAfterMs);
    const nextAttemptTime = options.now() + delay;
    const message = describeFailure(error, problem);
    if (rateLimited) {
      // Every replica stops starting orders for this CA + account until the CA's Retry-After has
      // passed; this certificate's retry is scheduled below.
      await options.scheduler.pause(issuer, rateLimitPauseMs(retryAfterMs));
      options.metrics?.rateLimitHit(ca);
    }
    await options.store.patchState(id, { failures, lastFailureTime: options.now(), lastFailureMessage: message, nextAttemptTime, issuing: null });
    options.metrics?.orderFinished(rateLimited ? 'rate_limited' : 'failed', ca);
    options.log('order failed', { certificate: id, failures, retryInSeconds: Math.round(delay / 1000), error: message });
    await options.scheduler.enqueue(cert, issuer, { at: nextAttemptTime, key: `retry-${nextAttemptTime}` });
    return 'failed';
  }
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

/** The failure as the Certificate's status shows it: always "<code>: <detail>". */
function describeFailure(error: unknown, problem: AcmeProblem | undefined): string {
  // Errors with a code of their own (ours, and the key envelope's from @gatehouse/contracts).
  if (error instanceof CertsError || error instanceof KeyEnvelopeError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  if (isRateLimited(problem)) {
    return new CertsError(CertsErrorCodes.ACME_RATE_LIMITED, `${problem?.detail ?? text}${problem?.retryAfter ? ` (Retry-After ${problem.retryAfter})` : ''}`).message;
  }
  return new CertsError(CertsErrorCodes.ACME_ORDER_FAILED, text).message;
}
