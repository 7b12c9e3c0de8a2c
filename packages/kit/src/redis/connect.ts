// One ioredis connection factory for every service: standalone, sentinel or cluster, from REDIS_URL.
import { Redis, Cluster, type RedisOptions, type ClusterOptions } from 'ioredis';
import { parseRedisUrl, type RedisPlan } from './redis-url.js';

export type RedisConnection = Redis | Cluster;

export interface RedisConnectOptions {
  /** Extra ioredis options (e.g. `maxRetriesPerRequest: null` for BullMQ workers). */
  readonly options?: RedisOptions;
  /** Connection name shown in CLIENT LIST, e.g. "gatehouse-ratelimit". */
  readonly connectionName?: string;
}

// Reconnect quickly at first, then at most every 2 s, forever: Redis coming back must heal us by itself.
const retryStrategy = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), 2000);

export function connectRedis(url: string | RedisPlan, { options = {}, connectionName }: RedisConnectOptions = {}): RedisConnection {
  const plan = typeof url === 'string' ? parseRedisUrl(url) : url;
  const base: RedisOptions = {
    retryStrategy,
    enableAutoPipelining: true,
    ...(connectionName ? { connectionName } : {}),
    ...(plan.username ? { username: plan.username } : {}),
    ...(plan.password ? { password: plan.password } : {}),
    ...(plan.tls ? { tls: {} } : {}),
    ...options,
  };
  switch (plan.mode) {
    case 'standalone':
      return new Redis({ ...base, host: plan.host, port: plan.port, db: plan.db });
    case 'sentinel':
      return new Redis({ ...base, sentinels: plan.sentinels, name: plan.masterName, db: plan.db });
    case 'cluster': {
      // ioredis reads the auto-pipelining flag of a cluster at the cluster level, not per node.
      const clusterOptions: ClusterOptions = { redisOptions: base, enableAutoPipelining: base.enableAutoPipelining ?? true, clusterRetryStrategy: retryStrategy };
      return new Cluster(plan.nodes, clusterOptions);
    }
  }
}

/** A key prefix that keeps one logical group of keys in one cluster slot (BullMQ needs this). */
export const QUEUE_PREFIX = '{gatehouse}';
