// Config pushed by the xds service: gatehouse.v1.RateLimitConfigPublished over the kit's
// FanoutChannel (latest value in a key + PUBLISH), so every replica applies each publication and a
// replica that starts later loads the current one. Each domain travels as reference-format YAML and
// is delivered as a document keyed by its published name; core/ parses it like a file, domain by
// domain, so a bad published domain keeps its last good version and the others update.
import type { RateLimitConfigPublished, RateLimitConfigPublished__Output } from '@gatehouse/contracts/generated/gatehouse/v1/RateLimitConfigPublished';
import { withTraceContext, type ConfigSource, type FanoutChannel } from '@gatehouse/kit';
import type { ConfigDocument } from '../core/rate-limit-config.js';

export class RedisConfigSource implements ConfigSource<ConfigDocument> {
  readonly name = 'redis';
  private appliedVersion: string | undefined;

  constructor(private readonly channel: FanoutChannel<RateLimitConfigPublished, RateLimitConfigPublished__Output>) {}

  /** Resolves once subscribed (which waits for Redis); call it without awaiting to start regardless. */
  async start(onConfig: (documents: readonly ConfigDocument[]) => void, onError: (err: unknown) => void): Promise<void> {
    await this.channel.subscribe((message) => {
      if (message.version && message.version === this.appliedVersion) return;
      // Continue the publisher's trace, so one trace shows xds publishing and every replica applying.
      return withTraceContext(message.trace, 'ratelimit apply published config', (span) => {
        span.setAttribute('gatehouse.config.version', message.version ?? '');
        span.setAttribute('gatehouse.config.domains', (message.domains ?? []).length);
        this.appliedVersion = message.version;
        onConfig(publishedDocuments(message));
      });
    }, onError);
  }

  async close(): Promise<void> {
    await this.channel.close();
  }
}

/** One document per published domain, named "redis:<source>" in issues. */
function publishedDocuments(message: RateLimitConfigPublished__Output): ConfigDocument[] {
  return (message.domains ?? []).map((d) => ({
    path: `redis:${d.source || d.domain || 'unnamed'}`,
    text: d.yaml ?? '',
    ...(d.domain && { key: d.domain }),
  }));
}
