import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { env, loadConfig } from './env-spec.js';
import { commonEnv } from './common-env.js';

const specs = {
  PORT: env.port({ default: 8080 }),
  MODE: env.oneOf(['allow', 'deny'] as const, { default: 'allow' }),
  TIMEOUT_MS: env.int({ default: 10, min: 1, max: 1000 }),
  STRICT: env.bool({ default: false }),
  NAME: env.string(),
  TOKEN: env.optionalString(),
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults and parses typed values', () => {
    expect(loadConfig(specs, { NAME: 'x', STRICT: 'true', TIMEOUT_MS: '15' })).toEqual({
      PORT: 8080,
      MODE: 'allow',
      TIMEOUT_MS: 15,
      STRICT: true,
      NAME: 'x',
      TOKEN: undefined,
    });
  });

  it.each([
    [{ NAME: 'x', PORT: '70000' }, 'invalid PORT: 70000 is above the maximum 65535'],
    [{ NAME: 'x', PORT: '80a' }, 'invalid PORT: "80a" is not an integer'],
    [{ NAME: 'x', MODE: 'maybe' }, 'invalid MODE: "maybe" must be one of allow, deny'],
    [{ NAME: 'x', TIMEOUT_MS: '0' }, 'invalid TIMEOUT_MS: 0 is below the minimum 1'],
    [{ NAME: 'x', STRICT: 'sure' }, 'invalid STRICT: "sure" is not a boolean (true/false)'],
    [{}, 'invalid NAME: is required but not set'],
  ])('rejects %o with one line naming the variable', (environment, message) => {
    const err = errorOf(() => loadConfig(specs, environment));
    expect(err.message).toBe(message);
    expect(err.message).not.toContain('\n');
  });

  it('validates the common variables every service shares', () => {
    const common = commonEnv({ grpcPort: 1, adminPort: 2 });
    expect(loadConfig(common, {})).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', GRPC_PORT: 1, ADMIN_PORT: 2, LOG_LEVEL: 'info', ADMIN_TOKEN: undefined });
    expect(errorOf(() => loadConfig(common, { REDIS_URL: 'http://x' })).variable).toBe('REDIS_URL');
    expect(errorOf(() => loadConfig(common, { LOG_LEVEL: 'loud' })).variable).toBe('LOG_LEVEL');
    expect(errorOf(() => loadConfig(common, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' })).variable).toBe('OTEL_EXPORTER_OTLP_ENDPOINT');
  });
});
