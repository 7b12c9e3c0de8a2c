// Wires config sources, adapters and the core Authorizer into a running ext_authz gRPC server.
// main.ts reads the environment and calls this; integration tests call it directly.
import * as grpc from '@grpc/grpc-js';
import { connectRedis, type RedisConnection } from '@gatehouse/kit';
import type { Meter } from '@opentelemetry/api';
import { addAuthorizationService, createCheckHandler } from './adapters/grpc-authorization.js';
import { readConfigFiles, watchConfigPath, type ConfigWatcher } from './adapters/file-policy-source.js';
import { KeySourceRegistry } from './adapters/key-sources.js';
import type { Logger } from './adapters/logger.js';
import { createAuthzMetrics, type AuthzMetrics } from './adapters/metrics.js';
import { HttpIdpClient } from './adapters/oidc-idp-client.js';
import { RedisSessionStore } from './adapters/redis-session-store.js';
import { publicationToConfig, startRedisPolicySource } from './adapters/redis-policy-source.js';
import { Authorizer } from './core/authorize.js';
import { createCookieSealer } from './core/oidc/cookie-crypto.js';
import { formatConfigIssue, loadPolicies, type ConfigIssue, type LoadResult } from './core/load-policies.js';
import { OidcFlow } from './core/oidc/oidc-flow.js';
import { randomToken } from './core/oidc/pkce.js';
import { createPolicySet, type PolicySet } from './core/policy/policy-set.js';

export interface AuthzServiceOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** A YAML file or a directory; watched for changes. */
  readonly configPath?: string;
  readonly defaultPolicy?: string;
  /** Sessions, refresh locks and the xds publication. Required for OIDC. */
  readonly redisUrl?: string;
  /** Fan-out channel of the xds publication. Default FanoutChannels.authzPolicies. */
  readonly policiesChannel?: string;
  /** At least 32 bytes; the same on every replica. Generated (single-replica only) when absent. */
  readonly cookieSecret?: string;
  readonly clockSkewSeconds: number;
  readonly allowedRedirectOrigins?: readonly string[];
  readonly jwksMaxStaleMs?: number;
  /** Verified-token verdicts kept; 0 disables the cache (benchmarks of first-seen tokens). Default 10 000. */
  readonly verdictCacheSize?: number;
  readonly logger: Logger;
  /** Defaults to metrics on the global OpenTelemetry meter. */
  readonly metrics?: AuthzMetrics;
  readonly meter?: Meter;
  /** Use an existing grpc-js server (the kit's) instead of creating one. */
  readonly grpcServer?: grpc.Server;
}

export interface AuthzService {
  readonly port: number;
  readonly authorizer: Authorizer;
  /** Re-reads AUTHZ_CONFIG_PATH; returns the issues when the new config was rejected. */
  reloadFiles(): Promise<readonly ConfigIssue[]>;
  close(): Promise<void>;
}

export async function startAuthzService(options: AuthzServiceOptions): Promise<AuthzService> {
  const { logger } = options;
  const metrics = options.metrics ?? createAuthzMetrics(options.meter);
  // Sessions must fail fast while Redis is down (deny, never hang until Envoy's timeout): no offline queue.
  const connections: RedisConnection[] = [];
  const open = (extra: object): RedisConnection => {
    const connection = connectRedis(options.redisUrl!, { connectionName: 'gatehouse-authz', options: extra });
    connection.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
    connections.push(connection);
    return connection;
  };
  // A hung Redis must answer 503 GH_AUTHZ_REDIS_UNAVAILABLE before Envoy's ext_authz timeout (1 s as xds
  // configures it) turns it into Envoy's own uncoded 403: keep the command timeout well below it.
  const redis = options.redisUrl ? open({ enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 400 }) : undefined;

  if (!options.cookieSecret) logger.warn({}, 'AUTHZ_COOKIE_SECRET is not set: using a random key, sessions will not survive restarts or work across replicas');
  const sealer = createCookieSealer(options.cookieSecret ?? randomToken(32));
  const idp = new HttpIdpClient({ onJwksFetch: metrics.jwksFetch });
  const store = redis ? new RedisSessionStore({ redis }) : undefined;
  const oidcFlow = store
    ? new OidcFlow({ idp, store, sealer, clockSkewSeconds: options.clockSkewSeconds, ...(options.allowedRedirectOrigins && { allowedRedirectOrigins: options.allowedRedirectOrigins }) })
    : undefined;
  const keySources = new KeySourceRegistry({ ...(options.jwksMaxStaleMs !== undefined && { maxStaleMs: options.jwksMaxStaleMs }), onFetch: metrics.jwksFetch });
  const authorizer = new Authorizer(createPolicySet('empty', []), {
    keySourceFor: keySources.keySourceFor,
    clockSkewSeconds: options.clockSkewSeconds,
    ...(options.defaultPolicy && { defaultPolicy: options.defaultPolicy }),
    ...(oidcFlow && { oidcFlow }),
    idp,
    onCache: metrics.cache,
    ...(options.verdictCacheSize !== undefined && { verdictCacheSize: options.verdictCacheSize }),
  });

  // Each source keeps its own last good set; the enforced set is their union (files win on a clash).
  let fromFiles: PolicySet | undefined;
  let fromRedis: PolicySet | undefined;
  const publish = () => {
    const merged = new Map([...(fromRedis?.policies ?? []), ...(fromFiles?.policies ?? [])]);
    authorizer.setPolicies(createPolicySet(`${fromFiles?.version ?? '-'}+${fromRedis?.version ?? '-'}`, merged.values()));
  };
  const accept = (source: string, result: LoadResult): readonly ConfigIssue[] => {
    const issues = [...result.issues];
    if (result.policySet && !oidcFlow) {
      for (const policy of result.policySet.policies.values()) {
        if (policy.oidc) issues.push({ file: source, resource: `SecurityPolicy ${policy.key}`, path: '/spec/oidc', message: 'needs REDIS_URL for sessions', code: 'GH_AUTHZ_CONFIG_INVALID' });
      }
    }
    if (issues.length > 0 || !result.policySet) {
      metrics.configReload('rejected');
      for (const issue of issues) logger.error({ code: issue.code }, formatConfigIssue(issue));
      logger.error({ source }, 'config rejected; the last good config keeps serving');
      return issues;
    }
    metrics.configReload('ok');
    logger.info({ source, version: result.policySet.version, policies: [...result.policySet.policies.keys()] }, 'config applied');
    return [];
  };

  const reloadFiles = async (): Promise<readonly ConfigIssue[]> => {
    if (!options.configPath) return [];
    let result: LoadResult;
    try {
      result = loadPolicies(await readConfigFiles(options.configPath), new Date().toISOString());
    } catch (err) {
      result = { issues: [{ file: options.configPath, path: '/', message: err instanceof Error ? err.message : String(err), code: 'GH_AUTHZ_CONFIG_READ' }] };
    }
    const issues = accept(options.configPath, result);
    if (issues.length === 0 && result.policySet) {
      fromFiles = result.policySet;
      publish();
    }
    return issues;
  };

  let watcher: ConfigWatcher | undefined;
  if (options.configPath) {
    await reloadFiles();
    watcher = watchConfigPath(options.configPath, () => void reloadFiles());
  }
  // The subscription ends with its connection, which close() disconnects with the others.
  const startRedisSource = async (redis: RedisConnection) => {
    await startRedisPolicySource({
      redis,
      subscriber: () => open({ maxRetriesPerRequest: null }),
      ...(options.policiesChannel && { channel: options.policiesChannel }),
      onPublication: (publication) => {
        const { files, data } = publicationToConfig(publication);
        // xds validated these already; one broken policy must not hold back every other change. A policy
        // that fails here keeps its last good version if it had one, else it is absent (requests naming
        // it are denied).
        const result = loadPolicies(files, publication.version ?? 'unknown', { extraData: data, partial: true });
        const loaded = new Map(result.policySet?.policies ?? []);
        for (const key of result.rejected ?? []) {
          const previous = fromRedis?.policies.get(key);
          if (previous) loaded.set(key, previous);
        }
        for (const issue of result.issues) logger.error({ code: issue.code, source: `redis publication ${publication.version ?? ''}` }, formatConfigIssue(issue));
        metrics.configReload(result.issues.length > 0 ? 'rejected' : 'ok');
        fromRedis = createPolicySet(publication.version ?? 'unknown', loaded.values());
        logger.info({ source: 'redis', version: publication.version, policies: [...loaded.keys()], rejected: result.rejected }, 'config applied');
        publish();
      },
      onError: (err) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'undecodable policy publication ignored'),
    });
  };
  if (redis) {
    // Commands fail fast while Redis is down (no offline queue): wait for it briefly at start, and
    // otherwise pick the publication up as soon as it is reachable.
    if (await whenReady(redis, 5_000)) await startRedisSource(redis);
    else {
      logger.warn({}, 'redis is not reachable yet; policies from Redis will load when it is');
      redis.once('ready', () => void startRedisSource(redis).catch((err: unknown) => logger.error({ err: String(err) }, 'redis policy source failed')));
    }
  }

  const server = options.grpcServer ?? new grpc.Server();
  addAuthorizationService(server, createCheckHandler({ authorizer, metrics, logger }));
  let port = options.port;
  if (!options.grpcServer) {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
    );
  }
  if (!options.grpcServer) logger.info({ port, host: options.host }, 'authz gRPC server listening');

  return {
    port,
    authorizer,
    reloadFiles,
    async close() {
      watcher?.close();
      // Disconnecting drops the subscription; waiting for UNSUBSCRIBE could hang while Redis is down.
      if (!options.grpcServer) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      for (const connection of connections) connection.disconnect();
    },
  };
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
