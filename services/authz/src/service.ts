// The authz service on the kit: the Authorizer with its session store and IdP client, the policy
// intake from AUTHZ_CONFIG_PATH and the xds publication, and Check on the kit's gRPC server. main.ts
// runs it; integration tests start it in-process with the kit's startService(authzService, env).
import { ConfigError, configHealthMetrics, controlKeyringOf, untrustedData, type RedisConnection, type ServiceContext, type ServiceDefinition, type UntrustedData } from '@gatehouse/kit';
import { FanoutChannels } from '@gatehouse/contracts';
import { addStatusRoute, type SourceStatus } from './adapters/admin-routes.js';
import { BcryptPool } from './adapters/bcrypt-pool.js';
import { FilePolicySource } from './adapters/file-policy-source.js';
import { GeoIpDatabases, type GeoDatabaseFile } from './adapters/geoip-databases.js';
import { createGeoIpReport, type GeoIpReport } from './adapters/geoip-report.js';
import { addAuthorizationService, createCheckHandler } from './adapters/grpc-authorization.js';
import { KeySourceRegistry } from './adapters/key-sources.js';
import { createAuthzMetrics, type AuthzMetrics } from './adapters/metrics.js';
import { HttpIdpClient } from './adapters/oidc-idp-client.js';
import { publicationToConfig, startRedisPolicySource } from './adapters/redis-policy-source.js';
import { RedisSessionStore } from './adapters/redis-session-store.js';
import { allowedRedirectOrigins, authzDefaults, authzEnv, GEOIP_VARIABLES, REDIS_STARTUP_WAIT_MS, SESSION_REDIS, type AuthzSettings } from './config.js';
import { Authorizer } from './core/authorize.js';
import { GEO_DATABASES } from './core/decide/geo.js';
import { formatConfigIssue, loadPolicies, type ConfigFile, type LoadResult } from './core/load-policies.js';
import { createCookieSealer } from './core/oidc/cookie-crypto.js';
import { OidcFlow } from './core/oidc/oidc-flow.js';
import { randomToken } from './core/oidc/pkce.js';
import { PolicySources, type PolicySourceName } from './core/policy-sources.js';
import { createPolicySet } from './core/policy/policy-set.js';
import { ErrorCodes } from './errors.js';

type Context = ServiceContext<AuthzSettings>;
type ApplyPolicies = (source: PolicySourceName, load: LoadResult, version: string) => void;

export const authzService: ServiceDefinition<typeof authzEnv> = {
  name: 'authz',
  env: authzEnv,
  defaults: authzDefaults,
  async start(ctx) {
    const metrics = createAuthzMetrics(ctx.meter);
    // Sessions and policy publications are sealed with the control key; what does not open is refused.
    const untrusted = untrustedData(ctx.meter, ctx.logger);
    const geo = openGeoDatabases(ctx, () => geoReport.check());
    const authorizer = buildAuthorizer(ctx, metrics, untrusted, geo);
    const geoReport = createGeoIpReport({ meter: ctx.meter, logger: ctx.logger, databases: geo, policies: () => authorizer.policies, variables: GEOIP_VARIABLES });
    const apply = buildPolicyIntake(ctx, authorizer, metrics, geoReport);
    if (ctx.config.AUTHZ_CONFIG_PATH) await startFileSource(ctx, ctx.config.AUTHZ_CONFIG_PATH, apply);
    await startRedisSource(ctx, apply, untrusted);
    addAuthorizationService(ctx.grpc, createCheckHandler({ authorizer, metrics, logger: ctx.logger }));
    // Ready once a config is enforced: a bad file at start keeps the replica out of rotation.
    ctx.ready.probe('config', () => authorizer.policies.policies.size > 0 || !ctx.config.AUTHZ_CONFIG_PATH);
  },
};

/** AUTHZ_GEOIP_*_DB, opened now (a bad file exits 2 naming its variable) and reloaded when they change. */
function openGeoDatabases(ctx: Context, onChange: () => void): GeoIpDatabases {
  const files: GeoDatabaseFile[] = GEO_DATABASES.flatMap((kind) => {
    const path = ctx.config[GEOIP_VARIABLES[kind]];
    return path ? [{ kind, variable: GEOIP_VARIABLES[kind], path }] : [];
  });
  const reloads = ctx.meter.createCounter('gatehouse_authz_geoip_reloads_total', { description: 'Geo database reloads by database and outcome' });
  const databases = new GeoIpDatabases(files, {
    ...(ctx.config.AUTHZ_GEOIP_RELOAD_INTERVAL !== undefined && { pollIntervalMs: ctx.config.AUTHZ_GEOIP_RELOAD_INTERVAL }),
    onReload: (loaded) => {
      reloads.add(1, { database: loaded.kind, outcome: 'ok' });
      ctx.logger.info({ ...loaded }, `geo database ${loaded.kind} reloaded`);
      onChange();
    },
    onReloadError: (file, err) => {
      reloads.add(1, { database: file.kind, outcome: 'error' });
      ctx.logger.error({ database: file.kind, path: file.path, err: err instanceof Error ? err.message : String(err) }, `geo database ${file.kind} not reloaded; the one loaded before keeps serving`);
    },
  });
  for (const loaded of databases.loaded) ctx.logger.info({ ...loaded }, `geo database ${loaded.kind} loaded`);
  ctx.onShutdown(() => databases.close());
  return databases;
}

/** The Authorizer and what it calls: JWKS key sources, the IdP client, OIDC sessions in Redis, bcrypt threads, geo databases. */
function buildAuthorizer(ctx: Context, metrics: AuthzMetrics, untrusted: UntrustedData, geo: GeoIpDatabases): Authorizer {
  const c = ctx.config;
  // Sessions must fail fast while Redis is down or hung (deny with our 503, never hang until Envoy's timeout).
  const sessions = ctx.redis({ name: 'sessions', ...SESSION_REDIS });
  if (!c.AUTHZ_COOKIE_SECRET) ctx.logger.warn({}, 'AUTHZ_COOKIE_SECRET is not set: using a random key, sessions will not survive restarts or work across replicas');
  const sealer = createCookieSealer(c.AUTHZ_COOKIE_SECRET ?? randomToken(32));
  const idp = new HttpIdpClient({ onJwksFetch: metrics.jwksFetch });
  const oidcFlow = new OidcFlow({ idp, store: new RedisSessionStore({ redis: sessions, keyring: controlKeyringOf(c), untrusted }), sealer, clockSkewSeconds: c.AUTHZ_CLOCK_SKEW_SECONDS, allowedRedirectOrigins: allowedRedirectOrigins(c) });
  const keySources = new KeySourceRegistry({ ...(c.AUTHZ_JWKS_MAX_STALE !== undefined && { maxStaleMs: c.AUTHZ_JWKS_MAX_STALE }), onFetch: metrics.jwksFetch });
  const bcrypt = new BcryptPool({ threads: c.AUTHZ_BASIC_HASH_THREADS, maxQueued: c.AUTHZ_BASIC_HASH_QUEUE });
  ctx.onShutdown(() => bcrypt.close());
  return new Authorizer(createPolicySet('empty', []), {
    keySourceFor: keySources.keySourceFor,
    clockSkewSeconds: c.AUTHZ_CLOCK_SKEW_SECONDS,
    bcrypt,
    basicFailures: { maxFailures: c.AUTHZ_BASIC_MAX_FAILURES, windowMs: c.AUTHZ_BASIC_FAILURE_WINDOW ?? 300_000 },
    ...(c.AUTHZ_DEFAULT_POLICY && { defaultPolicy: c.AUTHZ_DEFAULT_POLICY }),
    oidcFlow,
    idp,
    onCache: metrics.cache,
    geo,
    verdictCacheSize: c.AUTHZ_VERDICT_CACHE_SIZE,
  });
}

/** Each delivery of a source: last good per policy, merged, enforced, reported (log, metrics, /status). */
function buildPolicyIntake(ctx: Context, authorizer: Authorizer, metrics: AuthzMetrics, geoReport: GeoIpReport): ApplyPolicies {
  const sources = new PolicySources();
  const status = new Map<PolicySourceName, SourceStatus>();
  const health = configHealthMetrics(ctx.meter, () => 'SecurityPolicy');
  addStatusRoute(ctx.admin, () => ({ enforced: authorizer.policies, sources: status, geoip: geoReport.status() }));
  return (source, load, version) => {
    const update = sources.update(source, load, version);
    authorizer.setPolicies(update.policySet);
    status.set(source, { version, update, issues: load.issues });
    // The files are this service's own input; the publication's are counted where xds validated them.
    if (source === 'files') health.observe(sources.lastGood('files'));
    metrics.configReload(load.issues.length > 0 ? 'rejected' : 'ok');
    const log = ctx.logger;
    for (const issue of load.issues) log.error({ code: issue.code, source }, formatConfigIssue(issue));
    for (const e of update.result.stale) log.warn({ source, policy: e.key, file: e.file, generation: e.generation, servingGeneration: e.servingGeneration }, `SecurityPolicy ${e.key}: generation ${e.generation} refused, generation ${e.servingGeneration} keeps serving`);
    for (const r of update.result.refused) log.error({ source, policy: r.key, file: r.file }, `SecurityPolicy ${r.key}: never valid, not served (requests naming it are denied)`);
    log.info({ source, version, policies: update.result.serving.map((e) => e.key) }, 'config applied');
    geoReport.check();
  };
}

/** AUTHZ_CONFIG_PATH, read now (a path that does not exist is a config error) and watched. */
async function startFileSource(ctx: Context, path: string, apply: ApplyPolicies): Promise<void> {
  const files = new FilePolicySource(path);
  const onError = (err: unknown) => ctx.logger.error({ code: ErrorCodes.configRead, path, err: String(err) }, 'config files unreadable; the last good policies keep serving');
  const onFiles = (read: readonly ConfigFile[]) => {
    const version = new Date().toISOString();
    apply('files', loadPolicies(read, version), version);
  };
  await files.start(onFiles, onError).catch((err: unknown) => {
    throw new ConfigError('AUTHZ_CONFIG_PATH', `cannot read "${path}": ${err instanceof Error ? err.message : String(err)}`);
  });
  ctx.onShutdown(() => files.close());
}

/** The xds publication: the stored latest at start (when Redis answers within a few seconds), then every change. */
async function startRedisSource(ctx: Context, apply: ApplyPolicies, untrusted: UntrustedData): Promise<void> {
  const redis = ctx.redis();
  const subscribe = () =>
    startRedisPolicySource({
      redis,
      keyring: controlKeyringOf(ctx.config),
      // Subscribed for the life of the service; ioredis resubscribes after a reconnect.
      subscriber: () => ctx.redis({ name: 'policies', blocking: true }),
      onPublication: (publication) => {
        const { files, data } = publicationToConfig(publication);
        const version = publication.version ?? 'unknown';
        apply('redis', loadPolicies(files, version, { extraData: data }), version);
      },
      onError: (err) => untrusted.report('authz-policies', FanoutChannels.authzPolicies, err) || ctx.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'undecodable policy publication ignored'),
    });
  if (await whenReady(redis, REDIS_STARTUP_WAIT_MS)) return void (await subscribe());
  ctx.logger.warn({}, 'redis is not reachable yet; policies from Redis will load when it is');
  redis.once('ready', () => void subscribe().catch((err: unknown) => ctx.logger.error({ err: String(err) }, 'redis policy source failed')));
}

function whenReady(redis: RedisConnection, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
