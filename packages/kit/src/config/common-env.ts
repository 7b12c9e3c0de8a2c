// The variables every Gatehouse service reads, with the same names and meaning everywhere.
import { env, type EnvSpec } from './env-spec.js';
import { LOG_LEVELS } from '../logging/logger.js';
import { parseRedisUrl } from '../redis/redis-url.js';

const redisUrl: EnvSpec<string> = {
  description: 'redis://, rediss://, redis+sentinel://h1,h2/<master> or redis+cluster://h1,h2',
  parse(raw, name) {
    const value = raw || 'redis://127.0.0.1:6379';
    parseRedisUrl(value, name); // throws a ConfigError naming the variable
    return value;
  },
};

/**
 * The environment a service reads:
 * - its own `<SERVICE>_GRPC_PORT` / `<SERVICE>_ADMIN_PORT` take the place of `GRPC_PORT` / `ADMIN_PORT`, so
 *   one environment can start all four services on ports of the user's choosing (`pnpm start`), while a
 *   container still sets the plain names;
 * (`<NAME>_FILE` and the refusal of published demo secrets are loadConfig's, per declared variable.)
 */
export function serviceEnvironment(service: string, environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefix = service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const out = { ...environment };
  for (const name of ['GRPC_PORT', 'ADMIN_PORT']) {
    const own = environment[`${prefix}_${name}`];
    if (own === undefined || own === '') continue;
    env.port().parse(own, `${prefix}_${name}`); // a bad value is reported under the name the user set
    out[name] = own;
  }
  return out;
}

export function commonEnv(defaults: { grpcPort: number; adminPort: number }) {
  return {
    REDIS_URL: redisUrl,
    REDIS_USERNAME: env.optionalString({ description: 'Redis ACL user when REDIS_URL names none (REDIS_USERNAME_FILE from a secrets volume)' }),
    REDIS_PASSWORD: env.optionalString({ description: 'Redis password when REDIS_URL holds none (REDIS_PASSWORD_FILE from a secrets volume)' }),
    GRPC_PORT: env.port({ default: defaults.grpcPort, description: 'gRPC listen port (0 = any free port); <SERVICE>_GRPC_PORT wins' }),
    ADMIN_PORT: env.port({ default: defaults.adminPort, description: 'admin HTTP port: /healthz, /readyz, /metrics; <SERVICE>_ADMIN_PORT wins' }),
    BIND_HOST: env.string({ default: '0.0.0.0', description: 'address the gRPC and admin servers bind to' }),
    LOG_LEVEL: env.oneOf(LOG_LEVELS, { default: 'info' }),
    ADMIN_TOKEN: env.optionalString({ description: 'bearer token for admin endpoints that change state; unset disables them' }),
    ADMIN_READ_TOKEN: env.optionalString({ description: 'when set, reading the admin API (status, config, metrics) needs this token or ADMIN_TOKEN; /healthz and /readyz stay open' }),
    TLS_CERT_FILE: env.optionalString({ description: "this service's certificate (PEM chain) for gRPC mutual TLS; re-read when it changes" }),
    TLS_KEY_FILE: env.optionalString({ description: "this service's private key (PEM); re-read when it changes" }),
    TLS_CA_FILE: env.optionalString({ description: 'the deployment CA (PEM) that every gRPC client certificate must chain to' }),
    GATEHOUSE_INSECURE_PLAINTEXT: env.bool({ default: false, description: 'serve gRPC without TLS or client authentication: local development only, never in a deployment' }),
    GATEHOUSE_DEMO: env.bool({ default: false, description: 'allow the demo secrets published in the deploy files (a throwaway demo only)' }),
    SHUTDOWN_TIMEOUT_MS: env.int({ default: 10_000, min: 0, description: 'bound on finishing in-flight work at SIGTERM' }),
    OTEL_TRACES_EXPORTER: env.oneOf(['otlp', 'none'], { default: 'none' }),
    OTEL_EXPORTER_OTLP_ENDPOINT: { ...env.optionalString(), parse: (raw: string | undefined, name: string) => (raw ? env.url({ protocols: ['http', 'https'] }).parse(raw, name) : undefined) } as EnvSpec<string | undefined>,
  };
}

export type CommonConfig = {
  REDIS_URL: string;
  REDIS_USERNAME: string | undefined;
  REDIS_PASSWORD: string | undefined;
  GRPC_PORT: number;
  ADMIN_PORT: number;
  BIND_HOST: string;
  LOG_LEVEL: (typeof LOG_LEVELS)[number];
  ADMIN_TOKEN: string | undefined;
  ADMIN_READ_TOKEN: string | undefined;
  TLS_CERT_FILE: string | undefined;
  TLS_KEY_FILE: string | undefined;
  TLS_CA_FILE: string | undefined;
  GATEHOUSE_INSECURE_PLAINTEXT: boolean;
  GATEHOUSE_DEMO: boolean;
  SHUTDOWN_TIMEOUT_MS: number;
  OTEL_TRACES_EXPORTER: 'otlp' | 'none';
  OTEL_EXPORTER_OTLP_ENDPOINT: string | undefined;
};
