// Keeps one pending BullMQ job per managed certificate, delayed until it is due, on the queue of its
// CA + account (the queue's limiter caps that account's order rate on every replica). Job ids are
// "<certificate>|<due key>", so scheduling the same due date twice adds nothing; a stale or
// duplicate job is harmless because the job re-reads the state (order-job.ts).
// Job data is sealed with the control key (queue name bound): a job a Redis writer added or edited is
// refused before it runs (counted, logged once, failed without retries).
import { openJson, sealJson, SealedUses, type ControlKeyring } from '@gatehouse/contracts';
import { currentTraceContext, QUEUE_PREFIX, withTraceContext, type TraceContextMessage, type UntrustedData } from '@gatehouse/kit';
import { createQueue, createWorker } from '@gatehouse/kit/queue';
import { UnrecoverableError, type Job, type JobsOptions, type Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CertStore, StoredState } from '../adapters/cert-store.js';
import { nextDue, type Due } from '../core/next-due.js';
import { certificateId, issuerIdForCertificate, type Certificate, type Issuer } from '../core/resources.js';
import { accountKeyOf } from './account-registry.js';
import type { CertificateCatalog } from './certificate-catalog.js';

export interface OrderJobData {
  readonly id: string;
  readonly reason: 'due' | 'manual';
  /** Trace of whatever scheduled the job (a CertificateWanted, an admin request). */
  readonly trace?: TraceContextMessage;
}

/** What the order queues hold: OrderJobData in a sealed envelope, base64. */
export interface SealedJobData {
  readonly sealed: string;
}

/**
 * The one retry policy of order jobs, whoever adds them. ACME failures never reach it: the job
 * records them and schedules its own retry with the certificate's backoff (1 min, 10 min, ...).
 * A job only throws when Redis or the store fails, which passes; three tries a minute or two
 * apart ride out a failover, and the reconcile after the reconnect covers a longer outage.
 */
const RETRY: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } };

/** The job for `cert`, due at `due`; reconcile() and enqueue() both build it here. */
export function orderJob(cert: Certificate, due: Due, now: number, reason: OrderJobData['reason'] = 'due'): { name: string; data: OrderJobData; opts: JobsOptions } {
  const id = certificateId(cert);
  const trace = currentTraceContext();
  return {
    name: 'order',
    data: { id, reason, ...(trace ? { trace } : {}) },
    opts: { jobId: `${id}|${due.key}`, delay: Math.max(0, due.at - now), removeOnComplete: true, removeOnFail: 100, ...RETRY },
  };
}

export interface OrderSchedulerOptions {
  /** Connection for queues (adding jobs). */
  readonly connection: Redis;
  /** Seals and opens job data (GATEHOUSE_CONTROL_KEY). */
  readonly keyring: ControlKeyring;
  /** Where refused jobs are counted and logged. */
  readonly untrusted?: UntrustedData;
  /** A new connection for each worker (maxRetriesPerRequest: null); default: duplicates `connection`. */
  readonly workerConnection?: () => Redis;
  readonly catalog: CertificateCatalog;
  readonly store: CertStore;
  /** Runs one job (order-job.ts); returns what it did, for the job's return value. */
  readonly process: (job: Job<OrderJobData>) => Promise<string>;
  /** How often an ARI window is re-fetched while waiting for it. */
  readonly ariRecheckMs: number;
  /** Orders per window per CA + account (BullMQ limiter). Default 10 per 10 s. */
  readonly ordersPerWindow?: number;
  readonly windowMs?: number;
  /** Orders running at once per CA + account in this replica. Default 5. */
  readonly concurrency?: number;
  /** BullMQ key prefix; default the kit's QUEUE_PREFIX. */
  readonly queuePrefix?: string;
  /** BullMQ stalled-job detection (how soon a crashed replica's job is taken over). Default 30 s each. */
  readonly stalledIntervalMs?: number;
  readonly lockDurationMs?: number;
  readonly log: (msg: string, fields?: Record<string, unknown>) => void;
  readonly now: () => number;
}

export class OrderScheduler {
  private readonly queues = new Map<string, Queue<SealedJobData>>();
  private readonly workers = new Map<string, Worker<SealedJobData>>();
  /** Connections made here for workers (BullMQ does not close connections it was given). */
  private readonly ownedConnections: Redis[] = [];
  private closed = false;
  /** Queues already swept of job data no key holder sealed (once per process, at the first reconcile). */
  private readonly swept = new Set<string>();

  constructor(private readonly options: OrderSchedulerOptions) {}

  queueName(issuer: Issuer): string {
    return `certs-orders-${accountKeyOf(issuer)}`;
  }

  dueAt(cert: Certificate, state: StoredState | undefined): Due {
    return nextDue(cert.dnsNames, state, this.options.now(), this.options.ariRecheckMs);
  }

  async enqueue(cert: Certificate, issuer: Issuer, due: Due, reason: OrderJobData['reason'] = 'due'): Promise<void> {
    if (this.closed) return;
    const job = orderJob(cert, due, this.options.now(), reason);
    const queue = this.queueFor(issuer);
    await queue.add(job.name, this.seal(queue.name, job.data), job.opts);
  }

  async ensureScheduled(cert: Certificate): Promise<void> {
    const issuer = this.options.catalog.issuerFor(cert);
    if (!issuer) return;
    await this.enqueue(cert, issuer, this.dueAt(cert, await this.options.store.getState(certificateId(cert))));
  }

  /** Makes sure every managed certificate has its job. Cost: one pipelined read and one bulk add. */
  async reconcile(): Promise<void> {
    if (this.closed) return;
    const { catalog, store, now } = this.options;
    const certs = [...catalog.certificates().values()];
    const states = await store.getStates(certs.map(certificateId));
    const byQueue = new Map<Queue<SealedJobData>, ReturnType<typeof orderJob>[]>();
    const expiry = new Map<string, number>();
    for (const cert of certs) {
      const issuer = catalog.issuerFor(cert);
      const state = states.get(certificateId(cert));
      if (state?.notAfter) expiry.set(certificateId(cert), state.notAfter);
      if (!issuer) {
        this.options.log('certificate refers to an unknown issuer', { certificate: certificateId(cert), issuer: issuerIdForCertificate(cert) });
        continue;
      }
      const queue = this.queueFor(issuer);
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), orderJob(cert, this.dueAt(cert, state), now())]);
    }
    catalog.replaceExpiry(expiry);
    if (this.closed) return;
    for (const queue of byQueue.keys()) await this.dropUnsealed(queue);
    for (const [queue, jobs] of byQueue) {
      const sealed = jobs.map((job) => ({ ...job, data: this.seal(queue.name, job.data) }));
      for (let i = 0; i < sealed.length; i += 1000) await queue.addBulk(sealed.slice(i, i + 1000));
    }
  }

  /**
   * Stops every replica from starting orders for this CA + account (BullMQ's limiter key of the
   * queue) for `ms`, after the CA answered 429.
   */
  async pause(issuer: Issuer, ms: number): Promise<void> {
    await this.queueFor(issuer).rateLimit(ms);
  }

  /** Stops the workers (letting running jobs finish, or at once with `force`) and the queues. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers.values()].map((w) => w.close(options.force)));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const connection of this.ownedConnections) connection.disconnect();
  }

  /**
   * Removes the jobs of `queue` whose data does not open (counted as untrusted), once per process: a
   * job left by a version that did not seal job data (an upgrade), or forged, would otherwise hold its
   * job id, so the certificate's genuine job with that id could not be added, and fail when due.
   */
  private async dropUnsealed(queue: Queue<SealedJobData>): Promise<void> {
    if (this.swept.has(queue.name)) return;
    this.swept.add(queue.name);
    const refused: Job<SealedJobData>[] = [];
    // Read every page first: removing while paging would shift the pages.
    for (let start = 0; ; start += 500) {
      const jobs = await queue.getJobs(['delayed', 'waiting', 'prioritized', 'paused', 'failed'], start, start + 499, true);
      for (const job of jobs) {
        const sealed = typeof job.data?.sealed === 'string' ? Buffer.from(job.data.sealed, 'base64') : undefined;
        try {
          openJson<OrderJobData>(this.options.keyring, SealedUses.job(queue.name), sealed);
        } catch (err) {
          this.options.untrusted?.report('job', `${queue.name}/${job.id ?? ''}`, err);
          refused.push(job);
        }
      }
      if (jobs.length < 500) break;
    }
    let dropped = 0;
    for (const job of refused) if (await job.remove().then(() => true, () => false)) dropped++;
    if (dropped > 0) this.options.log('order jobs whose data no key holder sealed were removed (left by an earlier version, or forged)', { queue: queue.name, dropped });
  }

  private seal(queueName: string, data: OrderJobData): SealedJobData {
    return { sealed: sealJson(this.options.keyring, SealedUses.job(queueName), data).toString('base64') };
  }

  /** The job with its data opened, or an UnrecoverableError for data no key holder sealed. */
  private open(queueName: string, job: Job<SealedJobData>): Job<OrderJobData> {
    const sealed = typeof job.data?.sealed === 'string' ? Buffer.from(job.data.sealed, 'base64') : undefined;
    let data: OrderJobData;
    try {
      data = openJson<OrderJobData>(this.options.keyring, SealedUses.job(queueName), sealed);
    } catch (err) {
      this.options.untrusted?.report('job', `${queueName}/${job.id ?? ''}`, err);
      throw new UnrecoverableError(`job data refused: ${err instanceof Error ? err.message : String(err)}`);
    }
    // The processor sees the opened data; nothing writes it back to Redis.
    (job as unknown as { data: OrderJobData }).data = data;
    return job as unknown as Job<OrderJobData>;
  }

  private queueFor(issuer: Issuer): Queue<SealedJobData> {
    const name = this.queueName(issuer);
    const existing = this.queues.get(name);
    if (existing) return existing;
    const { options } = this;
    const prefix = options.queuePrefix ?? QUEUE_PREFIX;
    const queue = createQueue<SealedJobData>(name, options.connection, { prefix });
    this.queues.set(name, queue);
    const connection = options.workerConnection?.() ?? options.connection.duplicate();
    if (!options.workerConnection) this.ownedConnections.push(connection);
    const worker = createWorker<SealedJobData, string>(name, (sealed) => {
      const job = this.open(name, sealed);
      return withTraceContext(job.data.trace, 'certs.order', () => options.process(job));
    }, connection, {
      prefix,
      concurrency: options.concurrency ?? 5,
      limiter: { max: options.ordersPerWindow ?? 10, duration: options.windowMs ?? 10_000 },
      // 30 s, like the order lease, rather than the kit's 60 s: a crashed replica's job is taken
      // over about when its lease runs out.
      lockDuration: options.lockDurationMs ?? 30_000,
      ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
    });
    worker.on('error', (err) => options.log('order worker error', { queue: name, error: String(err) }));
    this.workers.set(name, worker);
    return queue;
  }
}
