// What translation produces for the other services: rate limit domains and authz policies fan out
// to every replica of ratelimit/authz (latest kept in Redis), certificates wanted become BullMQ jobs
// for the certs service. Several xds replicas may publish the same thing: versions are content
// hashes (consumers skip a version they applied) and job ids deduplicate certificate requests.
// Everything is sealed with the control key (contracts SealedUses): the authz publication encrypted, as
// it carries client secrets, API keys and htpasswd entries; the rest authenticated.
// Each publication is sealed at a generation past the stored one, and the consumers apply only newer
// ones. Every `recheckMs` the publisher checks the latest-kept values and puts its newest publication
// back where a Redis writer replaced it with an older (replayed), forged or no value, so a replica that
// starts meanwhile does not keep a rolled-back config for longer than that.
import {
  authzPoliciesPublishedCodec,
  certificateWantedCodec,
  rateLimitConfigPublishedCodec,
  sealedCodec,
  SealedUses,
  FanoutChannels,
  QueueNames,
  type ControlKeyring,
} from '@gatehouse/contracts';
import type { AuthzPoliciesPublished, AuthzPoliciesPublished__Output } from '@gatehouse/contracts/generated/gatehouse/v1/AuthzPoliciesPublished';
import type { RateLimitConfigPublished, RateLimitConfigPublished__Output } from '@gatehouse/contracts/generated/gatehouse/v1/RateLimitConfigPublished';
import { currentTraceContext, FanoutChannel, type RedisConnection, type UntrustedData } from '@gatehouse/kit';
import { createQueue } from '@gatehouse/kit/queue';
import type { Queue } from 'bullmq';
import { contentHash } from '../core/cache/index.js';
import type { CertificateWanted, SideEffects } from '../core/index.js';

export type { SideEffects };

export interface SideEffectsPublisherOptions {
  redis: RedisConnection;
  /** Seals publications and job data (GATEHOUSE_CONTROL_KEY). */
  keyring: ControlKeyring;
  /** Where a forged latest-kept value is reported (it is then overwritten by the next publication). */
  untrusted?: UntrustedData;
  rateLimitChannel?: string;
  authzChannel?: string;
  certsQueue?: string;
  now?: () => number;
  /** How often (ms) the latest-kept values are checked and restored. Default 15000; 0: never. */
  recheckMs?: number;
}

export interface PublishOutcome {
  rateLimitVersion?: string;
  authzVersion?: string;
  certificateJobs: string[];
}

/** `<namespace>/<name>/<content hash>`: a changed request is a new job, the same one is not. */
export function certificateJobId(wanted: CertificateWanted): string {
  return `${wanted.namespace}/${wanted.name}/${contentHash(wanted)}`;
}

export class SideEffectsPublisher {
  private readonly rateLimit: FanoutChannel<RateLimitConfigPublished, RateLimitConfigPublished__Output>;
  private readonly authz: FanoutChannel<AuthzPoliciesPublished, AuthzPoliciesPublished__Output>;
  private readonly queue: Queue;
  private readonly wanted: typeof certificateWantedCodec;
  private lastRateLimitVersion?: string;
  private lastAuthzVersion?: string;
  private readonly jobsAdded = new Set<string>();
  private readonly recheck: NodeJS.Timeout | undefined;

  constructor(private readonly options: SideEffectsPublisherOptions) {
    const rateLimitChannel = options.rateLimitChannel ?? FanoutChannels.rateLimitConfig;
    const authzChannel = options.authzChannel ?? FanoutChannels.authzPolicies;
    const certsQueue = options.certsQueue ?? QueueNames.certificateWanted;
    this.rateLimit = new FanoutChannel({ name: rateLimitChannel, codec: sealedCodec(rateLimitConfigPublishedCodec, options.keyring, SealedUses.rateLimitConfig(rateLimitChannel)), redis: options.redis });
    this.authz = new FanoutChannel({ name: authzChannel, codec: sealedCodec(authzPoliciesPublishedCodec, options.keyring, SealedUses.authzPolicies(authzChannel)), redis: options.redis });
    this.queue = createQueue(certsQueue, options.redis);
    this.wanted = sealedCodec(certificateWantedCodec, options.keyring, SealedUses.job(certsQueue));
    const every = options.recheckMs ?? 15_000;
    if (every > 0) (this.recheck = setInterval(() => void this.restoreLatest().catch(() => undefined), every)).unref();
  }

  /**
   * Puts the newest publication of each channel back where the latest-kept value is older, forged or
   * gone (reported as untrusted). @returns the channels restored
   */
  async restoreLatest(): Promise<string[]> {
    const restored: string[] = [];
    for (const channel of [this.rateLimit, this.authz] as Array<FanoutChannel<unknown, unknown>>) {
      const check = await channel.restoreLatest();
      if (check.refused !== undefined) this.options.untrusted?.report('xds-latest', channel.latestKey, check.refused);
      if (check.restored) restored.push(channel.latestKey);
    }
    return restored;
  }

  /** Publishes what changed since the last call (or since what Redis already holds). */
  async publish(effects: SideEffects): Promise<PublishOutcome> {
    const outcome: PublishOutcome = { certificateJobs: [] };
    const now = String((this.options.now ?? Date.now)());
    const trace = currentTraceContext();

    const domains = [...effects.rateLimitDomains].sort((a, b) => (a.domain < b.domain ? -1 : 1));
    const rateLimitVersion = contentHash(domains);
    this.lastRateLimitVersion ??= await this.latestVersion(this.rateLimit);
    if (rateLimitVersion !== this.lastRateLimitVersion) {
      await this.rateLimit.publish({ trace, version: rateLimitVersion, domains, published_at_unix_ms: now });
      this.lastRateLimitVersion = outcome.rateLimitVersion = rateLimitVersion;
    }

    const policies = [...effects.authzPolicies].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
    const secrets = Object.fromEntries([...effects.authzSecrets].sort(([a], [b]) => (a < b ? -1 : 1)));
    const authzVersion = contentHash({ policies, secrets });
    this.lastAuthzVersion ??= await this.latestVersion(this.authz);
    if (authzVersion !== this.lastAuthzVersion) {
      await this.authz.publish({ trace, version: authzVersion, policies, secrets, published_at_unix_ms: now });
      this.lastAuthzVersion = outcome.authzVersion = authzVersion;
    }

    for (const wanted of effects.certificatesWanted) {
      const jobId = certificateJobId(wanted);
      if (this.jobsAdded.has(jobId)) continue;
      await this.queue.add('certificate-wanted', this.wanted.toJobData({ ...wanted, trace }), { jobId });
      this.jobsAdded.add(jobId);
      outcome.certificateJobs.push(jobId);
    }
    return outcome;
  }

  /** The version Redis holds, if a key holder published it; a forged value is replaced by publishing again. */
  private async latestVersion(channel: FanoutChannel<unknown, { version?: string }>): Promise<string | undefined> {
    try {
      return (await channel.latest())?.version;
    } catch (err) {
      if (!this.options.untrusted?.report('xds-latest', channel.latestKey, err)) throw err;
      return undefined;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.recheck);
    await this.queue.close();
  }
}
