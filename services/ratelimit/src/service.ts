// The ratelimit service as the kit runs it: counter stores, config sources, the decision logic, the
// gRPC service and the admin routes, each built by one named step. main.ts runs it; integration tests
// start it in-process with the kit's startService(rateLimitService, env).
import { FanoutChannels, rateLimitConfigPublishedCodec, sealedCodec, SealedUses } from '@gatehouse/contracts';
import { configHealthMetrics, controlKeyringOf, FanoutChannel, untrustedData, type ConfigSource, type ServiceContext, type ServiceDefinition } from '@gatehouse/kit';
import { registerAdminRoutes } from './adapters/admin-routes.js';
import { FileConfigSource } from './adapters/file-config-source.js';
import { addRateLimitService } from './adapters/rate-limit-grpc.js';
import { OtelRateLimitMetrics } from './adapters/rate-limit-metrics-otel.js';
import { RedisConfigSource } from './adapters/redis-config-source.js';
import { RedisCounterStore } from './adapters/redis-counter-store.js';
import { decisionOptions, localCacheMaxKeys, perSecondRedisUrl, rateLimitEnv, type RateLimitEnv } from './config.js';
import { RateLimitConfigState, type SourceReport } from './core/config-state.js';
import type { CounterStore } from './core/counter-store.js';
import { OverLimitCache } from './core/over-limit-cache.js';
import { PerSecondSplitStore } from './core/per-second-split.js';
import { domainCandidates, type ConfigDocument } from './core/rate-limit-config.js';
import { RateLimitService } from './core/rate-limit-service.js';
import { formatConfigIssue } from './errors.js';

type Context = ServiceContext<RateLimitEnv>;

export const rateLimitService: ServiceDefinition<typeof rateLimitEnv> = {
  name: 'ratelimit',
  env: rateLimitEnv,
  defaults: { grpcPort: 8081, adminPort: 6070 },
  async start(ctx) {
    const metrics = new OtelRateLimitMetrics(ctx.meter);
    const store = openCounterStores(ctx);
    const state = await startConfigSources(ctx, metrics);
    const service = new RateLimitService(
      { config: () => state.config, store, overLimitCache: new OverLimitCache({ maxKeys: localCacheMaxKeys(ctx.config) }), metrics, nowMs: Date.now, random: Math.random },
      decisionOptions(ctx.config),
    );
    addRateLimitService(ctx.grpc, { service, logger: ctx.logger, observeDuration: (s) => metrics.observeDuration(s, 'grpc') });
    await registerAdminRoutes(ctx.admin, {
      service,
      config: () => state.config,
      health: () => state.health,
      healthy: async () => (await ctx.ready.check()).ready,
      observeDuration: (s) => metrics.observeDuration(s, 'json'),
      jsonEnabled: ctx.config.RATELIMIT_JSON_ENABLED,
    });
    if (ctx.config.RATELIMIT_JSON_ENABLED && !ctx.config.ADMIN_TOKEN) ctx.logger.warn('RATELIMIT_JSON_ENABLED=true but ADMIN_TOKEN is not set: POST /json answers 403');
  },
};

/**
 * The hot path's connections come from the kit, failing fast instead of queueing while Redis is away
 * (the failure mode answers within the budget; ioredis reconnects by itself), and without
 * auto-pipelining (RedisCounterStore writes its own per-turn batches). Each is probed in /readyz.
 */
function openCounterStores(ctx: Context): CounterStore {
  const perSecondUrl = perSecondRedisUrl(ctx.config);
  const open = (name: string, url?: string): RedisCounterStore =>
    new RedisCounterStore(ctx.redis({ name, failFast: true, autoPipelining: false, ...(url && { url }) }), { timeoutMs: ctx.config.RATELIMIT_REDIS_TIMEOUT_MS });
  const main = open('counters');
  return perSecondUrl ? new PerSecondSplitStore(main, open('per-second-counters', perSecondUrl)) : main;
}

/** Files (RATELIMIT_CONFIG_PATH) before Redis (the xds publication): a local file wins per domain. */
function configSources(ctx: Context): ConfigSource<ConfigDocument>[] {
  const sources: ConfigSource<ConfigDocument>[] = [];
  if (ctx.config.RATELIMIT_CONFIG_PATH) sources.push(new FileConfigSource({ path: ctx.config.RATELIMIT_CONFIG_PATH }));
  if (ctx.config.RATELIMIT_REDIS_CONFIG) {
    const subscriber = (): ReturnType<Context['redis']> => ctx.redis({ dedicated: true });
    // Only what xds sealed with the control key applies; a forged publication or latest value is refused.
    const codec = sealedCodec(rateLimitConfigPublishedCodec, controlKeyringOf(ctx.config), SealedUses.rateLimitConfig());
    sources.push(new RedisConfigSource(new FanoutChannel({ name: FanoutChannels.rateLimitConfig, codec, redis: ctx.redis(), subscriber })));
  }
  return sources;
}

/**
 * Starts every source; each delivery goes through the per-domain last-good state. A missing config
 * path stops the service; an invalid domain does not (it is refused, or keeps its last good version).
 */
async function startConfigSources(ctx: Context, metrics: OtelRateLimitMetrics): Promise<RateLimitConfigState> {
  const sources = configSources(ctx);
  const state = new RateLimitConfigState(sources.map((s) => s.name));
  const health = configHealthMetrics(ctx.meter, () => 'RateLimitDomain');
  const untrusted = untrustedData(ctx.meter, ctx.logger);
  for (const source of sources) {
    const onConfig = (documents: readonly ConfigDocument[]): void => {
      const report = state.apply(source.name, domainCandidates(documents, { mergeDomains: ctx.config.MERGE_DOMAIN_CONFIG }));
      health.observe(state.lastGood);
      logReport(ctx, report);
      metrics.configLoad(source.name, report.stale.length + report.refused.length + report.unreadable.length === 0);
    };
    const onError = (err: unknown): void => {
      metrics.configLoad(source.name, false);
      if (untrusted.report('ratelimit-config', FanoutChannels.rateLimitConfig, err)) return;
      ctx.logger.error({ source: source.name, err }, 'rate limit config could not be read; keeping the previous one');
    };
    ctx.onShutdown(() => source.close());
    if (source.name === 'files') {
      await source.start(onConfig, onError);
    } else {
      // Subscribing waits for Redis; the service is ready once the latest publication is applied.
      ctx.ready.require(`${source.name}-config`);
      source.start(onConfig, onError).then(() => ctx.ready.set(`${source.name}-config`, true), onError);
    }
  }
  ctx.ready.set('config', true);
  if (ctx.config.HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED) ctx.ready.probe('domains', () => state.config.domains.length > 0);
  return state;
}

function logReport(ctx: Context, report: SourceReport): void {
  const { logger } = ctx;
  const source = report.source;
  for (const s of report.stale) {
    const issues = s.issues.map(formatConfigIssue);
    logger.error({ source, domain: s.domain, servingGeneration: s.servingGeneration, refusedGeneration: s.generation, issues }, `rate limit domain '${s.domain}' is invalid; its last good version keeps serving`);
  }
  for (const r of report.refused) logger.error({ source, domain: r.domain, issues: r.issues.map(formatConfigIssue) }, `rate limit domain '${r.domain}' is invalid and was never valid: not served`);
  if (report.unreadable.length > 0) logger.error({ source, issues: report.unreadable.map(formatConfigIssue) }, 'rate limit config documents could not be read; the domains they held keep serving');
  logger.info({ source, domains: report.served }, 'rate limit config loaded');
}
