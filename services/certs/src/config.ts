// Environment of the certs service, beyond the kit's common variables (REDIS_URL, ADMIN_PORT, ...).
// A bad value is one line naming the variable (the kit exits 2 with it).
import { ConfigError, controlKeyEnv, env, type ConfigOf } from '@gatehouse/kit';
import { CertsError, CertsErrorCodes } from './errors.js';

export const certsEnv = {
  ...controlKeyEnv(),
  HTTP_PORT: env.port({ default: 8089, description: 'HTTP-01 challenge responder; Envoy routes /.well-known/acme-challenge/ here' }),
  CERTS_CONFIG_PATH: env.optionalString({ description: 'cert-manager YAML file or directory (Issuer, ClusterIssuer, Certificate, Secret), watched' }),
  ACME_CA_CERTS: env.optionalString({ description: 'extra trusted CA bundle (file path or inline PEM) for a private or test ACME CA' }),
  CERTS_ENCRYPTION_KEY: env.encryptionKey({ description: '32 bytes (base64 or 64 hex chars): AES-256-GCM key for private keys at rest' }),
  CERTS_ALLOW_PLAINTEXT_KEYS: env.bool({ default: false, description: 'store private keys unencrypted when CERTS_ENCRYPTION_KEY is unset' }),
  CERTS_REDIS_PREFIX: env.string({ default: 'gatehouse:certs:', description: 'prefix of the Redis keys of this service' }),
  // Let's Encrypt limits overall requests per IP and endpoint (new-nonce 20/s with a burst of 10,
  // /acme/* 250/s, directory 40/s): 20 per second lets a burst through and stays at the CA's pace.
  CERTS_ACME_CALLS_PER_WINDOW: env.int({ default: 20, min: 1, description: 'ACME HTTP requests per CERTS_ACME_CALLS_WINDOW_MS per CA + account, across all replicas (sliding window in Redis)' }),
  CERTS_ACME_CALLS_WINDOW_MS: env.int({ default: 1000, min: 1, description: 'the window of the ACME request limit' }),
  CERTS_ACME_ORDERS_PER_WINDOW: env.int({ default: 10, min: 1, description: 'orders started per CERTS_ACME_ORDERS_WINDOW_MS per CA + account (BullMQ limiter)' }),
  CERTS_ACME_ORDERS_WINDOW_MS: env.int({ default: 10_000, min: 1, description: 'the window of the order limit' }),
  CERTS_ORDER_CONCURRENCY: env.int({ default: 5, min: 1, max: 1000, description: 'orders running at once per CA + account in one replica' }),
  CERTS_ORDER_LEASE_MS: env.int({ default: 30_000, min: 1000, description: 'per-certificate order lease; a crashed replica\'s order is resumed after it runs out' }),
  CERTS_DNS01_NAMESERVERS: env.optionalString({ description: 'comma-separated ip[:port] resolvers for the DNS-01 propagation check (default: system)' }),
  CERTS_CLUSTER_RESOURCE_NAMESPACE: env.string({ default: 'cert-manager', description: 'namespace of Secrets referenced by ClusterIssuers' }),
  CERTS_REQUIRE_TRUSTED_ROOT: env.bool({ default: true, description: 'issued chains must end at a system root or one in ACME_CA_CERTS' }),
};

export type CertsEnv = ConfigOf<typeof certsEnv>;

/** The settings that need more than one variable or more than a type check. */
export interface DerivedCertsConfig {
  readonly encryptionKey: Buffer | undefined;
  readonly dns01Nameservers: readonly string[];
}

export function deriveCertsConfig(config: CertsEnv): DerivedCertsConfig {
  const encryptionKey = config.CERTS_ENCRYPTION_KEY;
  if (!encryptionKey && !config.CERTS_ALLOW_PLAINTEXT_KEYS) {
    throw new ConfigError(
      'CERTS_ENCRYPTION_KEY',
      new CertsError(
        CertsErrorCodes.ENCRYPTION_KEY_MISSING,
        'is required to encrypt private keys at rest (openssl rand -base64 32); set CERTS_ALLOW_PLAINTEXT_KEYS=true to store them in plaintext instead',
      ).message,
    );
  }
  const dns01Nameservers = (config.CERTS_DNS01_NAMESERVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const ns of dns01Nameservers) {
    if (!/^(\[[0-9a-fA-F:]+\]|[0-9.]+)(:\d+)?$/.test(ns)) throw new ConfigError('CERTS_DNS01_NAMESERVERS', `"${ns}" is not an IP[:port]`);
  }
  return { encryptionKey, dns01Nameservers };
}
