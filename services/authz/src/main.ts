// Wires config, adapters and the core of the authz service; shared plumbing (env, logging, metrics,
// Redis URL forms, admin and gRPC servers, health, shutdown) comes from the kit.
import { ConfigError, env, runService, type EnvSpec } from '@gatehouse/kit';
import { parseDurationMs } from './core/policy/fields.js';
import { startAuthzService } from './service.js';

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

await runService({
  name: 'authz',
  env: {
    AUTHZ_CONFIG_PATH: env.optionalString({ description: 'SecurityPolicy YAML file or directory, watched and hot-reloaded' }),
    AUTHZ_DEFAULT_POLICY: policyRef,
    AUTHZ_COOKIE_SECRET: cookieSecret,
    AUTHZ_CLOCK_SKEW_SECONDS: env.int({ default: 30, min: 0, max: 600, description: 'tolerance for exp/nbf/iat' }),
    AUTHZ_ALLOWED_REDIRECT_ORIGINS: env.optionalString({ description: 'comma-separated https origins post-login redirects may target' }),
    AUTHZ_JWKS_MAX_STALE: duration('how long cached JWKS keys keep working while the endpoint fails (default 24h)'),
    AUTHZ_VERDICT_CACHE_SIZE: env.int({ default: 10_000, min: 0, description: 'verified tokens remembered (until their exp) per JWT provider and for introspection; 0 verifies every request' }),
  },
  defaults: { grpcPort: 9001, adminPort: 9002 },
  async start(ctx) {
    const c = ctx.config;
    const service = await startAuthzService({
      host: c.BIND_HOST,
      port: c.GRPC_PORT,
      grpcServer: ctx.grpc,
      ...(c.AUTHZ_CONFIG_PATH && { configPath: c.AUTHZ_CONFIG_PATH }),
      ...(c.AUTHZ_DEFAULT_POLICY && { defaultPolicy: c.AUTHZ_DEFAULT_POLICY }),
      redisUrl: c.REDIS_URL,
      ...(c.AUTHZ_COOKIE_SECRET && { cookieSecret: c.AUTHZ_COOKIE_SECRET }),
      clockSkewSeconds: c.AUTHZ_CLOCK_SKEW_SECONDS,
      allowedRedirectOrigins: (c.AUTHZ_ALLOWED_REDIRECT_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      ...(c.AUTHZ_JWKS_MAX_STALE !== undefined && { jwksMaxStaleMs: c.AUTHZ_JWKS_MAX_STALE }),
      verdictCacheSize: c.AUTHZ_VERDICT_CACHE_SIZE,
      logger: ctx.logger,
      meter: ctx.meter,
    });
    // Ready once a config is enforced: a bad file at start keeps the replica out of rotation.
    ctx.ready.probe('config', () => service.authorizer.policies.policies.size > 0 || !c.AUTHZ_CONFIG_PATH);
    ctx.onShutdown(() => service.close());
  },
});
