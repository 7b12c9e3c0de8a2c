// The one way a Gatehouse service starts: config from env, logging, telemetry, Redis, admin and gRPC
// servers, then the service's own start(); graceful shutdown on SIGTERM/SIGINT.
import type { Server, ServerOptions } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import type { Meter, Tracer } from '@opentelemetry/api';
import { buildAdminServer } from '../admin/admin-server.js';
import { Readiness } from '../admin/readiness.js';
import { ConfigError } from '../config/config-error.js';
import { commonEnv, serviceEnvironment, type CommonConfig } from '../config/common-env.js';
import { loadConfig, type ConfigOf, type EnvSpecs } from '../config/env-spec.js';
import { bindGrpcServer, createGrpcServer, shutdownGrpcServer } from '../grpc/grpc-server.js';
import { grpcTransport, planTransport, type TransportPlan } from '../grpc/transport-security.js';
import type { TlsFileWatcher } from '../tls/tls-file-watcher.js';
import type { HealthService } from '../grpc/health-service.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { RedisOptions } from 'ioredis';
import { connectRedis, type RedisConnection } from '../redis/connect.js';
import { describeRedisPlan, parseRedisUrl, type RedisPlan } from '../redis/redis-url.js';
import { setupTelemetry } from '../telemetry/telemetry.js';

export interface ServiceContext<C> {
  readonly name: string;
  readonly config: C & CommonConfig;
  readonly logger: Logger;
  readonly meter: Meter;
  readonly tracer: Tracer;
  /** Add routes here; /healthz, /readyz and /metrics exist already. */
  readonly admin: FastifyInstance;
  /** Add services here; grpc.health.v1 exists already. */
  readonly grpc: Server;
  readonly health: HealthService;
  readonly ready: Readiness;
  /** The service's own TLS files, followed as they rotate; absent with GATEHOUSE_INSECURE_PLAINTEXT. */
  readonly internalTls: TlsFileWatcher | undefined;
  /**
   * The shared Redis connection, or a new one (see RedisRequest). Every connection is opened, logged,
   * probed (when named) and closed at shutdown here, so the services never hold one of their own.
   */
  redis(options?: RedisRequest): RedisConnection;
  /** Runs at shutdown, in reverse order of registration, after the servers stopped accepting. */
  onShutdown(hook: () => Promise<void> | void): void;
}

export interface RedisRequest {
  /** A connection of its own, e.g. for SUBSCRIBE. */
  readonly dedicated?: boolean;
  /** For BullMQ workers: maxRetriesPerRequest null, commands wait for Redis. Implies dedicated. */
  readonly blocking?: boolean;
  /** CLIENT LIST name gatehouse-<service>-<name>, and a /readyz probe "redis-<name>". Implies dedicated. */
  readonly name?: string;
  /** Another Redis than REDIS_URL (e.g. ratelimit's REDIS_PERSECOND_URL). Implies dedicated. */
  readonly url?: string;
  /** Fail commands at once while disconnected rather than queue them (no offline queue, no retries). */
  readonly failFast?: boolean;
  /** Overrides failFast's 0. */
  readonly maxRetriesPerRequest?: number;
  /** Rejects a command that got no answer within this time (a hung Redis). */
  readonly commandTimeoutMs?: number;
  /** Default true; hot paths that write their own pipelines turn it off. */
  readonly autoPipelining?: boolean;
}

export interface ServiceDefinition<S extends EnvSpecs> {
  readonly name: string;
  readonly env: S;
  readonly defaults: { grpcPort: number; adminPort: number };
  /** gRPC server options over the kit's defaults, e.g. a smaller receive limit for a service whose clients send little. */
  readonly grpcOptions?: ServerOptions;
  start(ctx: ServiceContext<ConfigOf<S>>): Promise<void>;
}

export interface RunningService {
  readonly grpcPort: number;
  /** 'mtls' unless GATEHOUSE_INSECURE_PLAINTEXT chose plaintext. */
  readonly grpcTransport: TransportPlan['kind'];
  readonly adminPort: number;
  readonly context: ServiceContext<unknown>;
  stop(): Promise<void>;
}

const REDIS_PROBE_TIMEOUT_MS = 1000;

/** Starts a service in this process without touching signals or process.exit (tests use it). */
export async function startService<S extends EnvSpecs>(definition: ServiceDefinition<S>, environment: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig({ ...commonEnv(definition.defaults), ...definition.env }, serviceEnvironment(definition.name, environment)) as ConfigOf<S> & CommonConfig;
  const transportPlan = planTransport(config);
  const telemetry = await setupTelemetry({ serviceName: definition.name, environment });
  const logger = createLogger(`gatehouse-${definition.name}`, config.LOG_LEVEL);
  const redisPlan = withCredentials(parseRedisUrl(config.REDIS_URL), config);
  const ready = new Readiness();
  const connections: RedisConnection[] = [];
  let shared: RedisConnection | undefined;
  const open = (request: RedisRequest = {}): RedisConnection => {
    const connectionName = request.name ? `gatehouse-${definition.name}-${request.name}` : `gatehouse-${definition.name}`;
    const connection = connectRedis(request.url ? withCredentials(parseRedisUrl(request.url), config) : redisPlan, { connectionName, options: ioredisOptions(request) });
    // ioredis emits errors while reconnecting; they are expected during an outage, not fatal.
    connection.on('error', (err: Error) => logger.debug({ err: err.message, connection: connectionName }, 'redis connection error'));
    if (request.name) ready.probe(`redis-${request.name}`, () => connection.status === 'ready');
    connections.push(connection);
    return connection;
  };
  const redis = (request: RedisRequest = {}): RedisConnection => {
    const ownConnection = request.dedicated || request.blocking || request.name || request.url || request.failFast || request.commandTimeoutMs !== undefined || request.autoPipelining === false || request.maxRetriesPerRequest !== undefined;
    return ownConnection ? open(request) : (shared ??= open());
  };

  // Connect now, so the first /readyz already reflects Redis.
  const sharedConnection = redis();
  ready.probe('redis', () => {
    const connection = sharedConnection;
    if (connection.status !== 'ready') return false;
    return Promise.race([
      connection.ping().then((pong) => pong === 'PONG'),
      new Promise<boolean>((resolve) => setTimeout(resolve, REDIS_PROBE_TIMEOUT_MS, false).unref()),
    ]);
  });
  // Two gauges every service exposes, so a dashboard can tell "up" from "up and connected".
  telemetry.meter
    .createObservableGauge('gatehouse_redis_connected', { description: '1 while the shared Redis connection is ready' })
    .addCallback((result) => result.observe(sharedConnection.status === 'ready' ? 1 : 0));
  telemetry.meter
    .createObservableGauge('gatehouse_service_info', { description: 'always 1; labels name the service' })
    .addCallback((result) => result.observe(1, { service: definition.name, node_version: process.version }));
  const admin = buildAdminServer({ logger, readiness: ready, serveMetrics: telemetry.serveMetrics, adminToken: config.ADMIN_TOKEN, readToken: config.ADMIN_READ_TOKEN });
  const transport = grpcTransport(transportPlan, {
    onRefused: (err) => logger.error({ err: err.message }, 'new TLS files refused; the previous certificate keeps serving'),
  });
  transport.watcher?.onChange((material) => logger.info({ notAfter: material.leaf.validTo }, 'TLS certificate reloaded'));
  warnIfPlaintext(transportPlan, logger, telemetry.meter);
  const { server: grpc, health } = createGrpcServer(definition.grpcOptions);
  const hooks: Array<() => Promise<void> | void> = [];
  const context: ServiceContext<ConfigOf<S>> = {
    name: definition.name,
    config,
    logger,
    meter: telemetry.meter,
    tracer: telemetry.tracer,
    admin,
    grpc,
    health,
    ready,
    internalTls: transport.watcher,
    redis,
    onShutdown: (hook) => hooks.push(hook),
  };

  await definition.start(context);
  const grpcPort = await bindGrpcServer(grpc, config.BIND_HOST, config.GRPC_PORT, transport.credentials);
  await admin.listen({ host: config.BIND_HOST, port: config.ADMIN_PORT });
  const adminAddress = admin.server.address();
  const adminPort = typeof adminAddress === 'object' && adminAddress ? adminAddress.port : config.ADMIN_PORT;
  health.setAll('SERVING');
  logger.info({ grpcPort, adminPort, grpcTransport: transportPlan.kind, redis: describeRedisPlan(redisPlan) }, `gatehouse-${definition.name} started`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      ready.markShuttingDown();
      health.setAll('NOT_SERVING');
      health.endWatches();
      const deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS;
      const remaining = (): number => Math.max(0, deadline - Date.now());
      await Promise.all([shutdownGrpcServer(grpc, remaining()), admin.close()]);
      for (const hook of hooks.reverse()) {
        await withTimeout(Promise.resolve().then(hook), remaining()).catch((err: unknown) => logger.warn({ err }, 'shutdown hook failed'));
      }
      await Promise.all(connections.map((c) => withTimeout(c.quit(), remaining()).catch(() => c.disconnect())));
      transport.close();
      await telemetry.shutdown();
      logger.info('stopped');
    })());
  return { grpcPort, adminPort, grpcTransport: transportPlan.kind, context: context as ServiceContext<unknown>, stop };
}

/** Plaintext is a development switch: say so at every start, and expose it so a dashboard can alarm on it. */
function warnIfPlaintext(plan: TransportPlan, logger: Logger, meter: Meter): void {
  meter
    .createObservableGauge('gatehouse_grpc_insecure_plaintext', { description: '1 when gRPC runs without TLS (GATEHOUSE_INSECURE_PLAINTEXT)' })
    .addCallback((result) => result.observe(plan.kind === 'plaintext' ? 1 : 0));
  if (plan.kind === 'plaintext') {
    logger.warn('INSECURE: gRPC is served in plaintext with no client authentication (GATEHOUSE_INSECURE_PLAINTEXT=true); anyone who reaches the port is trusted. Local development only.');
  }
}

/** For main.ts: starts the service, exits 2 with one line on bad config, exits 0 after a clean SIGTERM/SIGINT. */
export async function runService<S extends EnvSpecs>(definition: ServiceDefinition<S>): Promise<void> {
  let running: RunningService;
  try {
    running = await startService(definition);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse-${definition.name}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`gatehouse-${definition.name}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    running.context.logger.info({ signal }, 'signal received');
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Credentials in the URL win; else REDIS_USERNAME / REDIS_PASSWORD (kept out of the URL, e.g. from a secrets file). */
function withCredentials(plan: RedisPlan, config: CommonConfig): RedisPlan {
  return {
    ...plan,
    ...(plan.username === undefined && config.REDIS_USERNAME !== undefined && { username: config.REDIS_USERNAME }),
    ...(plan.password === undefined && config.REDIS_PASSWORD !== undefined && { password: config.REDIS_PASSWORD }),
  };
}

function ioredisOptions(request: RedisRequest): RedisOptions {
  const options: RedisOptions = {};
  if (request.blocking) options.maxRetriesPerRequest = null;
  if (request.failFast) Object.assign(options, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  if (request.maxRetriesPerRequest !== undefined) options.maxRetriesPerRequest = request.maxRetriesPerRequest;
  if (request.commandTimeoutMs !== undefined) options.commandTimeout = request.commandTimeoutMs;
  if (request.autoPipelining === false) options.enableAutoPipelining = false;
  return options;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
