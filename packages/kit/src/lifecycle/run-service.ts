// The one way a Gatehouse service starts: config from env, logging, telemetry, Redis, admin and gRPC
// servers, then the service's own start(); graceful shutdown on SIGTERM/SIGINT.
import type { Server } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import type { Meter, Tracer } from '@opentelemetry/api';
import { buildAdminServer } from '../admin/admin-server.js';
import { Readiness } from '../admin/readiness.js';
import { ConfigError } from '../config/config-error.js';
import { commonEnv, type CommonConfig } from '../config/common-env.js';
import { loadConfig, type ConfigOf, type EnvSpecs } from '../config/env-spec.js';
import { bindGrpcServer, createGrpcServer, shutdownGrpcServer } from '../grpc/grpc-server.js';
import type { HealthService } from '../grpc/health-service.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { connectRedis, type RedisConnection } from '../redis/connect.js';
import { describeRedisPlan, parseRedisUrl } from '../redis/redis-url.js';
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
  /**
   * The shared Redis connection, or a new one: `{ dedicated: true }` for SUBSCRIBE, `{ blocking: true }`
   * for BullMQ workers (maxRetriesPerRequest: null). Every connection is closed at shutdown.
   */
  redis(options?: { dedicated?: boolean; blocking?: boolean }): RedisConnection;
  /** Runs at shutdown, in reverse order of registration, after the servers stopped accepting. */
  onShutdown(hook: () => Promise<void> | void): void;
}

export interface ServiceDefinition<S extends EnvSpecs> {
  readonly name: string;
  readonly env: S;
  readonly defaults: { grpcPort: number; adminPort: number };
  start(ctx: ServiceContext<ConfigOf<S>>): Promise<void>;
}

export interface RunningService {
  readonly grpcPort: number;
  readonly adminPort: number;
  readonly context: ServiceContext<unknown>;
  stop(): Promise<void>;
}

const REDIS_PROBE_TIMEOUT_MS = 1000;

/** Starts a service in this process without touching signals or process.exit (tests use it). */
export async function startService<S extends EnvSpecs>(definition: ServiceDefinition<S>, environment: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig({ ...commonEnv(definition.defaults), ...definition.env }, environment) as ConfigOf<S> & CommonConfig;
  const telemetry = setupTelemetry({ serviceName: definition.name, environment });
  const logger = createLogger(`gatehouse-${definition.name}`, config.LOG_LEVEL);
  const redisPlan = parseRedisUrl(config.REDIS_URL);
  const connections: RedisConnection[] = [];
  let shared: RedisConnection | undefined;
  const open = (options: { blocking?: boolean } = {}): RedisConnection => {
    const connection = connectRedis(redisPlan, {
      connectionName: `gatehouse-${definition.name}`,
      options: options.blocking ? { maxRetriesPerRequest: null } : {},
    });
    // ioredis emits errors while reconnecting; they are expected during an outage, not fatal.
    connection.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));
    connections.push(connection);
    return connection;
  };
  const redis = (options: { dedicated?: boolean; blocking?: boolean } = {}): RedisConnection =>
    options.dedicated || options.blocking ? open(options) : (shared ??= open());

  // Connect now, so the first /readyz already reflects Redis.
  const sharedConnection = redis();
  const ready = new Readiness();
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
  const admin = buildAdminServer({ logger, readiness: ready, serveMetrics: telemetry.serveMetrics, adminToken: config.ADMIN_TOKEN });
  const { server: grpc, health } = createGrpcServer();
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
    redis,
    onShutdown: (hook) => hooks.push(hook),
  };

  await definition.start(context);
  const grpcPort = await bindGrpcServer(grpc, config.BIND_HOST, config.GRPC_PORT);
  await admin.listen({ host: config.BIND_HOST, port: config.ADMIN_PORT });
  const adminAddress = admin.server.address();
  const adminPort = typeof adminAddress === 'object' && adminAddress ? adminAddress.port : config.ADMIN_PORT;
  health.setAll('SERVING');
  logger.info({ grpcPort, adminPort, redis: describeRedisPlan(redisPlan) }, `gatehouse-${definition.name} started`);

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
      await telemetry.shutdown();
      logger.info('stopped');
    })());
  return { grpcPort, adminPort, context: context as ServiceContext<unknown>, stop };
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
