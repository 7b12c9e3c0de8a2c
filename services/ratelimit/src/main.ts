// Wires config sources, Redis, the gRPC service and the admin routes around the core.
import { rateLimitConfigPublishedCodec } from '@gatehouse/contracts';
import { connectRedis, FanoutChannel, parseRedisUrl, runService } from '@gatehouse/kit';
import { Cluster } from 'ioredis';
import { registerAdminRoutes } from './adapters/admin-routes.js';
import { FileConfigSource } from './adapters/file-config-source.js';
import { addRateLimitService } from './adapters/rate-limit-grpc.js';
import { OtelRateLimitMetrics } from './adapters/rate-limit-metrics-otel.js';
import { RATE_LIMIT_CONFIG_CHANNEL, RedisConfigSource } from './adapters/redis-config-source.js';
import { RedisCounterStore } from './adapters/redis-counter-store.js';
import { RateLimitConfigError } from './core/config-error.js';
import { MergedConfig, type RateLimitConfigSource } from './core/config-sources.js';
import { OverLimitCache } from './core/over-limit-cache.js';
import { PerSecondSplitStore } from './core/per-second-split.js';
import { RateLimitService } from './core/rate-limit-service.js';
import { localCacheMaxKeys, perSecondRedisUrl, rateLimitEnv } from './service-env.js';

await runService({
  name: 'ratelimit',
  env: rateLimitEnv,
  defaults: { grpcPort: 8081, adminPort: 6070 },
  async start(ctx) {
    const { config: env, logger } = ctx;
    const metrics = new OtelRateLimitMetrics(ctx.meter);

    // The hot path gets its own connection that fails fast instead of queueing while Redis is away
    // (the failure mode answers within the budget; ioredis reconnects by itself), and writes
    // commands directly rather than through auto-pipelining (see RedisCounterStore).
    const counterStore = (url: string, name: string): RedisCounterStore => {
      const counters = connectRedis(parseRedisUrl(url), {
        connectionName: name,
        options: { enableOfflineQueue: false, maxRetriesPerRequest: 0, enableAutoPipelining: false },
      });
      // The kit turns auto-pipelining on for clusters at the cluster level; ioredis reads the flag per command.
      if (counters instanceof Cluster) counters.options.enableAutoPipelining = false;
      counters.on('error', (err: Error) => logger.debug({ err: err.message, connection: name }, 'counter connection error'));
      ctx.onShutdown(() => counters.quit().then(() => undefined, () => counters.disconnect()));
      ctx.ready.probe(name, () => counters.status === 'ready');
      return new RedisCounterStore(counters, { timeoutMs: env.RATELIMIT_REDIS_TIMEOUT_MS });
    };
    const perSecondUrl = perSecondRedisUrl(env);
    const mainCounters = counterStore(env.REDIS_URL, 'gatehouse-ratelimit-counters');
    const store = perSecondUrl ? new PerSecondSplitStore(mainCounters, counterStore(perSecondUrl, 'gatehouse-ratelimit-per-second-counters')) : mainCounters;

    const merged = new MergedConfig(['files', 'redis']);
    const sources: RateLimitConfigSource[] = [];
    if (env.RATELIMIT_CONFIG_PATH) sources.push(new FileConfigSource({ path: env.RATELIMIT_CONFIG_PATH, mergeDomains: env.MERGE_DOMAIN_CONFIG }));
    if (env.RATELIMIT_REDIS_CONFIG) {
      const channel = new FanoutChannel({
        name: RATE_LIMIT_CONFIG_CHANNEL,
        codec: rateLimitConfigPublishedCodec,
        redis: ctx.redis(),
        subscriber: () => ctx.redis({ dedicated: true }),
      });
      sources.push(new RedisConfigSource(channel, { mergeDomains: env.MERGE_DOMAIN_CONFIG }));
    }

    const service = new RateLimitService(
      {
        config: () => merged.config,
        store,
        overLimitCache: new OverLimitCache({ maxKeys: localCacheMaxKeys(env) }),
        metrics,
        nowMs: Date.now,
        random: Math.random,
      },
      {
        keyPrefix: env.CACHE_KEY_PREFIX ?? '',
        nearLimitRatio: env.NEAR_LIMIT_RATIO,
        expirationJitterMaxSeconds: env.EXPIRATION_JITTER_MAX_SECONDS,
        globalShadowMode: env.SHADOW_MODE,
        failureMode: env.RATELIMIT_FAILURE_MODE,
        responseHeaders: env.LIMIT_RESPONSE_HEADERS_ENABLED
          ? { limit: env.LIMIT_LIMIT_HEADER, remaining: env.LIMIT_REMAINING_HEADER, reset: env.LIMIT_RESET_HEADER }
          : undefined,
      },
    );

    for (const source of sources) {
      const onConfig = (domains: Parameters<MergedConfig['update']>[1]): void => {
        merged.update(source.name, domains);
        metrics.configLoad(source.name, true);
        logger.info({ source: source.name, domains: domains.map((d) => d.domain) }, 'rate limit config loaded');
      };
      const onError = (err: unknown): void => {
        metrics.configLoad(source.name, false);
        logger.error({ source: source.name, err: err instanceof RateLimitConfigError ? err.message : err }, 'rate limit config rejected; keeping the previous one');
      };
      ctx.onShutdown(() => source.close());
      if (source.name === 'files') {
        // A bad config at startup stops the service; later bad reloads keep the last good one.
        await source.start(onConfig, onError);
      } else {
        // Subscribing waits for Redis; the service is ready once the latest publication is applied.
        ctx.ready.require(`${source.name}-config`);
        source.start(onConfig, onError).then(() => ctx.ready.set(`${source.name}-config`, true), onError);
      }
    }
    ctx.ready.set('config', true);
    if (env.HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED) ctx.ready.probe('domains', () => merged.config.domains.length > 0);

    addRateLimitService(ctx.grpc, { service, logger, observeDuration: (s) => metrics.observeDuration(s, 'grpc') });
    await registerAdminRoutes(ctx.admin, {
      service,
      config: () => merged.config,
      healthy: async () => (await ctx.ready.check()).ready,
      observeDuration: (s) => metrics.observeDuration(s, 'json'),
    });
  },
});
