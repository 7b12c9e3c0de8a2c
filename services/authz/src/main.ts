// Entry point: configuration from the environment, then startAuthzService. Bad values exit 2 with one
// line naming the variable.
import { createConsoleLogger } from './adapters/logger.js';
import { createAuthzMetrics } from './adapters/metrics.js';
import { parseDurationMs } from './core/duration.js';
import { startAuthzService } from './service.js';

function fail(message: string): never {
  process.stderr.write(`authz: ${message}\n`);
  process.exit(2);
}

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) fail(`${name}=${raw} must be an integer in [${min}, ${max}]`);
  return value;
}

const logger = createConsoleLogger('authz');
const cookieSecret = process.env.AUTHZ_COOKIE_SECRET;
if (cookieSecret !== undefined && Buffer.byteLength(cookieSecret) < 32) fail('AUTHZ_COOKIE_SECRET must be at least 32 bytes');
const maxStale = process.env.AUTHZ_JWKS_MAX_STALE;
const jwksMaxStaleMs = maxStale ? parseDurationMs(maxStale) ?? fail(`AUTHZ_JWKS_MAX_STALE=${maxStale} is not a duration like "1h"`) : undefined;
const defaultPolicy = process.env.AUTHZ_DEFAULT_POLICY;
if (defaultPolicy && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(defaultPolicy)) fail(`AUTHZ_DEFAULT_POLICY=${defaultPolicy} must be "<namespace>/<name>"`);

const service = await startAuthzService({
  host: process.env.BIND_HOST || '0.0.0.0',
  port: intEnv('GRPC_PORT', 9002, 0, 65535),
  ...(process.env.AUTHZ_CONFIG_PATH && { configPath: process.env.AUTHZ_CONFIG_PATH }),
  ...(defaultPolicy && { defaultPolicy }),
  ...(process.env.REDIS_URL && { redisUrl: process.env.REDIS_URL }),
  ...(cookieSecret && { cookieSecret }),
  clockSkewSeconds: intEnv('AUTHZ_CLOCK_SKEW_SECONDS', 30, 0, 600),
  allowedRedirectOrigins: (process.env.AUTHZ_ALLOWED_REDIRECT_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  ...(jwksMaxStaleMs !== undefined && { jwksMaxStaleMs }),
  logger,
  metrics: createAuthzMetrics(),
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    void service.close().then(() => process.exit(0));
  });
}
