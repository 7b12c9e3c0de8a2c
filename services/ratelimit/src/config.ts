// Every environment variable of the ratelimit service with its default (the kit adds REDIS_URL,
// ports, LOG_LEVEL...), and the settings derived from several of them. Names follow
// envoyproxy/ratelimit where it has one, so a migration can keep its settings; Gatehouse additions
// start with RATELIMIT_.
import { ConfigError, controlKeyEnv, env, type ConfigOf, type EnvSpec } from '@gatehouse/kit';
import { defaultRequestLimits } from './core/rate-limit-request.js';
import type { RateLimitServiceOptions } from './core/rate-limit-service.js';

function ratio(defaultValue: number): EnvSpec<number> {
  return {
    description: 'a number between 0 and 1',
    parse(raw, name) {
      if (raw === undefined || raw === '') return defaultValue;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(name, `"${raw}" is not a number between 0 and 1`);
      return n;
    },
  };
}

function optionalUint(description: string): EnvSpec<number | undefined> {
  return {
    description,
    parse(raw, name) {
      if (raw === undefined || raw === '') return undefined;
      if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `"${raw}" is not a non-negative integer`);
      return Number(raw);
    },
  };
}

/** The per-second Redis URL, or undefined when the reference's two-Redis setup is off. */
export function perSecondRedisUrl(env: { REDIS_PERSECOND: boolean; REDIS_PERSECOND_URL: string | undefined }): string | undefined {
  if (!env.REDIS_PERSECOND) return undefined;
  if (!env.REDIS_PERSECOND_URL) throw new ConfigError('REDIS_PERSECOND_URL', 'is required when REDIS_PERSECOND=true');
  return env.REDIS_PERSECOND_URL;
}

/** Keys kept by the local cache: RATELIMIT_LOCAL_CACHE_MAX_KEYS, else the reference's byte budget (~100 bytes a key), else 100 000. */
export function localCacheMaxKeys(env: { RATELIMIT_LOCAL_CACHE_MAX_KEYS: number | undefined; LOCAL_CACHE_SIZE_IN_BYTES: number | undefined }): number {
  if (env.RATELIMIT_LOCAL_CACHE_MAX_KEYS !== undefined) return env.RATELIMIT_LOCAL_CACHE_MAX_KEYS;
  if (env.LOCAL_CACHE_SIZE_IN_BYTES !== undefined) return Math.floor(env.LOCAL_CACHE_SIZE_IN_BYTES / 100);
  return 100_000;
}

export const rateLimitEnv = {
  ...controlKeyEnv(),
  RATELIMIT_CONFIG_PATH: env.optionalString({ description: 'a YAML file or a directory tree of *.yaml files (reference format); default unset = only config pushed over Redis' }),
  RATELIMIT_REDIS_CONFIG: env.bool({ default: true, description: 'also apply config published by xds over Redis (files win per domain)' }),
  RATELIMIT_FAILURE_MODE: env.oneOf(['allow', 'deny'], { default: 'allow', description: 'answer when Redis fails or is slower than RATELIMIT_REDIS_TIMEOUT_MS' }),
  REDIS_PERSECOND: env.bool({ default: false, description: "the reference's two-Redis setup: one-second limits count in REDIS_PERSECOND_URL" }),
  REDIS_PERSECOND_URL: env.optionalString({ description: 'Redis for one-second limits when REDIS_PERSECOND=true (same URL forms as REDIS_URL); default unset' }),
  RATELIMIT_REDIS_TIMEOUT_MS: env.int({ default: 10, min: 1, max: 60_000, description: 'budget for the Redis part of one check' }),
  RATELIMIT_LOCAL_CACHE_MAX_KEYS: optionalUint('over-limit keys remembered in-process (0 disables); default 100000'),
  LOCAL_CACHE_SIZE_IN_BYTES: optionalUint("the reference's local cache budget; used when RATELIMIT_LOCAL_CACHE_MAX_KEYS is unset (0 disables)"),
  NEAR_LIMIT_RATIO: ratio(0.8),
  CACHE_KEY_PREFIX: env.optionalString({ description: 'prefix of every Redis key; default none' }),
  EXPIRATION_JITTER_MAX_SECONDS: env.int({ default: 300, min: 0, description: 'random extra expiry on fixed-window keys' }),
  SHADOW_MODE: env.bool({ default: false, description: 'global shadow mode: never answer OVER_LIMIT overall' }),
  HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED: env.bool({ default: false, description: 'not ready (and /healthcheck fails) while no domain is loaded' }),
  MERGE_DOMAIN_CONFIG: env.bool({ default: false, description: 'merge files that declare the same domain instead of rejecting them' }),
  RATELIMIT_MAX_HITS_ADDEND: env.int({ default: defaultRequestLimits.maxHitsAddend, min: 1, max: 4_294_967_295, description: 'largest hits_addend one request may carry (larger: INVALID_ARGUMENT)' }),
  RATELIMIT_MAX_DESCRIPTORS: env.int({ default: defaultRequestLimits.maxDescriptors, min: 1, description: 'most descriptors in one request' }),
  RATELIMIT_MAX_DESCRIPTOR_ENTRIES: env.int({ default: defaultRequestLimits.maxEntries, min: 1, description: 'most entries in one descriptor' }),
  RATELIMIT_MAX_ENTRY_BYTES: env.int({ default: defaultRequestLimits.maxEntryBytes, min: 1, description: 'longest descriptor key or value (and domain), in UTF-8 bytes' }),
  RATELIMIT_JSON_ENABLED: env.bool({ default: false, description: "serve the reference's POST /json (then behind ADMIN_TOKEN: it spends any client's quota)" }),
  LIMIT_RESPONSE_HEADERS_ENABLED: env.bool({ default: false, description: 'add RateLimit-* response headers' }),
  LIMIT_LIMIT_HEADER: env.string({ default: 'RateLimit-Limit' }),
  LIMIT_REMAINING_HEADER: env.string({ default: 'RateLimit-Remaining' }),
  LIMIT_RESET_HEADER: env.string({ default: 'RateLimit-Reset' }),
};

export type RateLimitEnv = ConfigOf<typeof rateLimitEnv>;

/** The decision logic's options, from the variables that shape answers. */
export function decisionOptions(env: RateLimitEnv): RateLimitServiceOptions {
  return {
    keyPrefix: env.CACHE_KEY_PREFIX ?? '',
    nearLimitRatio: env.NEAR_LIMIT_RATIO,
    expirationJitterMaxSeconds: env.EXPIRATION_JITTER_MAX_SECONDS,
    globalShadowMode: env.SHADOW_MODE,
    failureMode: env.RATELIMIT_FAILURE_MODE,
    responseHeaders: env.LIMIT_RESPONSE_HEADERS_ENABLED
      ? { limit: env.LIMIT_LIMIT_HEADER, remaining: env.LIMIT_REMAINING_HEADER, reset: env.LIMIT_RESET_HEADER }
      : undefined,
    requestLimits: {
      maxHitsAddend: env.RATELIMIT_MAX_HITS_ADDEND,
      maxDescriptors: env.RATELIMIT_MAX_DESCRIPTORS,
      maxEntries: env.RATELIMIT_MAX_DESCRIPTOR_ENTRIES,
      maxEntryBytes: env.RATELIMIT_MAX_ENTRY_BYTES,
    },
  };
}
