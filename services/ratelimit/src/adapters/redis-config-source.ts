// Config pushed by the xds service: gatehouse.v1.RateLimitConfigPublished over the kit's
// FanoutChannel (latest value in a key + PUBLISH), so every replica applies each publication and a
// replica that starts later loads the current one. Each domain travels as reference-format YAML
// and goes through the very loader that reads files. A bad publication is rejected as a whole.
import { FanoutChannels } from '@gatehouse/contracts';
import { withTraceContext, type FanoutChannel } from '@gatehouse/kit';
import type { RateLimitConfigPublished, RateLimitConfigPublished__Output } from '@gatehouse/contracts/generated/gatehouse/v1/RateLimitConfigPublished';
import { RateLimitConfigError } from '../core/config-error.js';
import type { RateLimitConfigSource } from '../core/config-sources.js';
import type { DomainConfig } from '../core/config-types.js';
import { loadDomainConfigs } from '../core/rate-limit-config.js';

/** The channel xds publishes on (from the contracts); the latest publication is kept under "<name>:latest". */
export const RATE_LIMIT_CONFIG_CHANNEL = FanoutChannels.rateLimitConfig;

export class RedisConfigSource implements RateLimitConfigSource {
  readonly name = 'redis';
  private appliedVersion: string | undefined;

  constructor(
    private readonly channel: FanoutChannel<RateLimitConfigPublished, RateLimitConfigPublished__Output>,
    private readonly options: { readonly mergeDomains?: boolean } = {},
  ) {}

  /** Resolves once subscribed (which waits for Redis); call it without awaiting to start regardless. */
  async start(onConfig: (domains: readonly DomainConfig[]) => void, onError: (err: unknown) => void): Promise<void> {
    await this.channel.subscribe((message) => {
      if (message.version && message.version === this.appliedVersion) return;
      // Continue the publisher's trace, so one trace shows xds publishing and every replica applying.
      return withTraceContext(message.trace, 'ratelimit apply published config', (span) => {
        span.setAttribute('gatehouse.config.version', message.version ?? '');
        span.setAttribute('gatehouse.config.domains', (message.domains ?? []).length);
        let domains: DomainConfig[];
        try {
          domains = publishedDomains(message, this.options.mergeDomains ?? false);
        } catch (err) {
          span.recordException(err as Error);
          onError(err);
          return;
        }
        this.appliedVersion = message.version;
        onConfig(domains);
      });
    }, onError);
  }

  async close(): Promise<void> {
    await this.channel.close();
  }
}

/** @throws RateLimitConfigError when a domain's YAML is invalid or names another domain than declared. */
export function publishedDomains(message: RateLimitConfigPublished__Output, mergeDomains: boolean): DomainConfig[] {
  const published = message.domains ?? [];
  const documents = published.map((d) => ({ name: `redis:${d.source || d.domain || 'unnamed'}`, text: d.yaml ?? '' }));
  const domains = loadDomainConfigs(documents, { mergeDomains });
  for (const d of published) {
    if (d.domain && !domains.some((parsed) => parsed.domain === d.domain)) {
      throw new RateLimitConfigError([
        { code: 'GH_RATELIMIT_CONFIG_BAD_VALUE', file: `redis:${d.source || d.domain}`, line: 0, path: d.domain, message: `published as domain '${d.domain}' but its YAML declares another domain` },
      ]);
    }
  }
  return domains;
}
