// Every environment variable of the authz service with its default (the kit adds GRPC_PORT/ADMIN_PORT,
// REDIS_URL, LOG_LEVEL …), and the fixed settings that follow from how Envoy calls the service.
// A bad value exits 2 with one line naming the variable.
import { ConfigError, controlKeyEnv, env, type CommonConfig, type ConfigOf, type EnvSpec } from '@gatehouse/kit';
import type { GeoDatabase } from './core/decide/geo.js';
import { parseDurationMs } from './core/policy/fields.js';

const duration = (description: string): EnvSpec<number | undefined> => ({
  description,
  parse(raw, name) {
    if (raw === undefined || raw === '') return undefined;
    const ms = parseDurationMs(raw);
    if (ms === undefined) throw new ConfigError(name, `"${raw}" is not a duration like "30s" or "1h"`);
    return ms;
  },
});

const policyRef: EnvSpec<string | undefined> = {
  description: 'policy "<namespace>/<name>" for routes that name none; unset denies them',
  parse(raw, name) {
    if (raw === undefined || raw === '') return undefined;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(raw)) throw new ConfigError(name, `"${raw}" must be "<namespace>/<name>"`);
    return raw;
  },
};

const cookieSecret: EnvSpec<string | undefined> = {
  description: 'secret (>= 32 bytes, same on every replica) sealing OIDC session cookies',
  parse(raw, name) {
    if (raw === undefined || raw === '') return undefined;
    if (Buffer.byteLength(raw) < 32) throw new ConfigError(name, 'must be at least 32 bytes');
    return raw;
  },
};

export const authzEnv = {
  ...controlKeyEnv(),
  AUTHZ_CONFIG_PATH: env.optionalString({ description: 'SecurityPolicy YAML file or directory, watched and hot-reloaded' }),
  AUTHZ_DEFAULT_POLICY: policyRef,
  AUTHZ_COOKIE_SECRET: cookieSecret,
  AUTHZ_CLOCK_SKEW_SECONDS: env.int({ default: 30, min: 0, max: 600, description: 'tolerance for exp/nbf/iat' }),
  AUTHZ_ALLOWED_REDIRECT_ORIGINS: env.optionalString({ description: 'comma-separated https origins post-login redirects may target' }),
  AUTHZ_JWKS_MAX_STALE: duration('how long cached JWKS keys keep working while the endpoint fails (default 24h)'),
  AUTHZ_BASIC_HASH_THREADS: env.int({ default: 0, min: 0, max: 16, description: 'threads verifying bcrypt passwords off the event loop; 0: the cores but one (1 to 4)' }),
  AUTHZ_BASIC_HASH_QUEUE: env.int({ default: 8, min: 0, max: 1000, description: 'bcrypt checks waiting for a thread before more are denied 503 GH_AUTHZ_BASIC_BUSY' }),
  AUTHZ_BASIC_MAX_FAILURES: env.int({ default: 10, min: 0, description: 'failed basic-auth checks per user name and window before 429 GH_AUTHZ_BASIC_LOCKED; 0 turns it off' }),
  AUTHZ_BASIC_FAILURE_WINDOW: duration('the window AUTHZ_BASIC_MAX_FAILURES counts in (default 5m)'),
  AUTHZ_GEOIP_CITY_DB: env.optionalString({ description: 'MaxMind DB (.mmdb) of cities (GeoLite2-City, GeoIP2-City, DBIP-City-Lite): country, region, city rules' }),
  AUTHZ_GEOIP_ASN_DB: env.optionalString({ description: 'MaxMind DB of autonomous systems (GeoLite2-ASN, DBIP-ASN-Lite): asn rules' }),
  AUTHZ_GEOIP_ISP_DB: env.optionalString({ description: 'MaxMind DB of ISPs (GeoIP2-ISP): isp rules, and asn rules without an ASN database' }),
  AUTHZ_GEOIP_ANONYMOUS_IP_DB: env.optionalString({ description: 'MaxMind DB of anonymous networks (GeoIP2-Anonymous-IP): anonymous rules' }),
  AUTHZ_GEOIP_RELOAD_INTERVAL: duration('how often the geo database files are checked for changes and reloaded (default 30s)'),
  AUTHZ_VERDICT_CACHE_SIZE: env.int({ default: 10_000, min: 0, description: 'verified tokens remembered (until their exp) per JWT provider and for introspection; 0 verifies every request' }),
};

/** The variable naming each geo database kind (README "Geo databases"). */
export const GEOIP_VARIABLES = {
  city: 'AUTHZ_GEOIP_CITY_DB',
  asn: 'AUTHZ_GEOIP_ASN_DB',
  isp: 'AUTHZ_GEOIP_ISP_DB',
  anonymousIp: 'AUTHZ_GEOIP_ANONYMOUS_IP_DB',
} as const satisfies Record<GeoDatabase, string>;

export const authzDefaults = { grpcPort: 9001, adminPort: 9002 };

/** The variables above, parsed. */
export type AuthzSettings = ConfigOf<typeof authzEnv>;

export type AuthzConfig = AuthzSettings & CommonConfig;

export function allowedRedirectOrigins(config: AuthzConfig): string[] {
  return (config.AUTHZ_ALLOWED_REDIRECT_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Session and refresh-lock commands. Envoy waits 2 s for a Check (the `timeout: 2s` xds serves, sized
 * for IdP round trips on login callbacks and refreshes) and answers 503 when the call fails
 * (`status_on_error`). A hung Redis must still get our own coded 503 GH_AUTHZ_REDIS_UNAVAILABLE back
 * within that budget, next to the IdP call a refresh may also make: 400 ms is well below it.
 */
export const SESSION_REDIS = { failFast: true, maxRetriesPerRequest: 1, commandTimeoutMs: 400 } as const;

/** How long start waits for Redis before serving file policies alone (the publication loads later). */
export const REDIS_STARTUP_WAIT_MS = 5_000;
