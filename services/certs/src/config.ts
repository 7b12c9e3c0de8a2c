// Environment of the certs service. A bad value is one clear line naming the variable.
import { KeyEnvelopeError, parseEncryptionKey } from './core/key-envelope.js';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface CertsConfig {
  readonly redisUrl: string;
  readonly bindHost: string;
  readonly adminPort: number;
  /** HTTP-01 challenge responder. */
  readonly httpPort: number;
  readonly adminToken?: string;
  readonly logLevel: string;
  readonly configPath?: string;
  /** File path or inline PEM bundle. */
  readonly acmeCaCerts?: string;
  readonly encryptionKey?: Buffer;
  readonly allowPlaintextKeys: boolean;
  readonly redisPrefix: string;
  readonly queuePrefix: string;
  readonly ordersPerWindow: number;
  readonly windowMs: number;
  readonly orderConcurrency: number;
  readonly dns01Nameservers: readonly string[];
  readonly clusterResourceNamespace: string;
  readonly requireTrustedRoot: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

export function readCertsConfig(env: NodeJS.ProcessEnv): CertsConfig {
  const allowPlaintextKeys = bool(env, 'CERTS_ALLOW_PLAINTEXT_KEYS', false);
  let encryptionKey: Buffer | undefined;
  if (env.CERTS_ENCRYPTION_KEY) {
    try {
      encryptionKey = parseEncryptionKey(env.CERTS_ENCRYPTION_KEY);
    } catch (err) {
      throw new ConfigError('CERTS_ENCRYPTION_KEY', err instanceof KeyEnvelopeError ? err.message : String(err));
    }
  } else if (!allowPlaintextKeys) {
    throw new ConfigError(
      'CERTS_ENCRYPTION_KEY',
      'GH_CERTS_ENCRYPTION_KEY_MISSING: is required to encrypt private keys at rest (openssl rand -base64 32); set CERTS_ALLOW_PLAINTEXT_KEYS=true to store them in plaintext instead',
    );
  }
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL', `must start with redis:// or rediss://, got "${redisUrl}"`);
  const nameservers = (env.CERTS_DNS01_NAMESERVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const ns of nameservers) {
    if (!/^(\[[0-9a-fA-F:]+\]|[0-9.]+)(:\d+)?$/.test(ns)) throw new ConfigError('CERTS_DNS01_NAMESERVERS', `"${ns}" is not an IP[:port]`);
  }
  return {
    redisUrl,
    bindHost: env.BIND_HOST || '0.0.0.0',
    adminPort: int(env, 'ADMIN_PORT', 9103, 0, 65535),
    httpPort: int(env, 'HTTP_PORT', 8089, 0, 65535),
    ...(env.ADMIN_TOKEN ? { adminToken: env.ADMIN_TOKEN } : {}),
    logLevel: env.LOG_LEVEL || 'info',
    ...(env.CERTS_CONFIG_PATH ? { configPath: env.CERTS_CONFIG_PATH } : {}),
    ...(env.ACME_CA_CERTS ? { acmeCaCerts: env.ACME_CA_CERTS } : {}),
    ...(encryptionKey ? { encryptionKey } : {}),
    allowPlaintextKeys,
    redisPrefix: env.CERTS_REDIS_PREFIX || 'gatehouse:certs:',
    queuePrefix: env.CERTS_QUEUE_PREFIX || 'gatehouse:bull',
    ordersPerWindow: int(env, 'CERTS_ACME_ORDERS_PER_WINDOW', 10, 1),
    windowMs: int(env, 'CERTS_ACME_WINDOW_MS', 10_000, 1),
    orderConcurrency: int(env, 'CERTS_ORDER_CONCURRENCY', 5, 1, 1000),
    dns01Nameservers: nameservers,
    clusterResourceNamespace: env.CERTS_CLUSTER_RESOURCE_NAMESPACE || 'cert-manager',
    requireTrustedRoot: bool(env, 'CERTS_REQUIRE_TRUSTED_ROOT', true),
  };
}
