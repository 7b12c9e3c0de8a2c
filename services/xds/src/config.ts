// Every environment variable the xds service reads (beyond the kit's common ones), with its default.
import { ConfigError, env, type ConfigOf, type EnvSpec } from '@gatehouse/kit';
import type { ServiceEndpoint, TranslateOptions } from './core/index.js';

/** "host:port" of a Gatehouse service Envoy must reach, as a translator ServiceEndpoint. */
function endpoint(clusterName: string, fallback: string, description: string): EnvSpec<ServiceEndpoint> {
  return {
    description,
    parse(raw, name) {
      const value = raw || fallback;
      const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535) throw new ConfigError(name, `"${value}" is not host:port`);
      return { clusterName, host: match[1]!.replace(/^\[|\]$/g, ''), port };
    },
  };
}

export const xdsEnv = {
  GATEWAY_CONFIG_PATH: env.optionalString({ description: 'directory of Gateway API YAML to watch (recursively); unset = admin API only' }),
  AUTHZ_ADDRESS: endpoint('gatehouse-authz', '127.0.0.1:9001', 'ext_authz gRPC service Envoy calls'),
  // Covers the IdP round trips authz makes on login callbacks and token refreshes (authz README).
  AUTHZ_TIMEOUT_MS: env.int({ default: 2000, min: 1, max: 60_000, description: 'how long Envoy waits for authz before answering 503 (status_on_error)' }),
  RATELIMIT_ADDRESS: endpoint('gatehouse-ratelimit', '127.0.0.1:8081', 'rate limit gRPC service Envoy calls'),
  // Envoy's own default: the ratelimit service answers within its RATELIMIT_REDIS_TIMEOUT_MS (10 ms) even
  // when Redis is slow, so a longer wait would only hold requests when the service itself is unreachable.
  RATELIMIT_TIMEOUT_MS: env.int({ default: 20, min: 1, max: 60_000, description: 'how long Envoy waits for a rate limit answer before applying failure_mode_deny' }),
  CERTS_HTTP01_ADDRESS: endpoint('gatehouse-certs', '127.0.0.1:8089', 'certs service HTTP-01 responder'),
  CERTS_ENCRYPTION_KEY: env.encryptionKey({ description: '32 bytes (base64 or hex) the certs service encrypts private keys with' }),
  CERTS_ALLOW_PLAINTEXT_KEYS: env.bool({ default: false, description: 'serve private keys stored without encryption although CERTS_ENCRYPTION_KEY is set' }),
  GATEWAY_CONTROLLER_NAME: env.string({ default: 'gatehouse.dev/gateway-controller', description: 'GatewayClass controllerName this instance serves' }),
  XDS_DEBOUNCE_MS: env.int({ default: 50, min: 0, description: 'quiet period before a change is translated and pushed' }),
  XDS_MAX_DELAY_MS: env.int({ default: 500, min: 0, description: 'bound on the push delay during a stream of changes' }),
  CONSOLE_CERTS_URL: env.optionalString({ description: 'the certs service\'s admin API (e.g. http://certs:9102): the console shows renewal, failures and renew/revoke' }),
  CONSOLE_METRICS_URLS: env.optionalString({ description: 'services whose /metrics the console\'s Traffic view reads, "name=url,…" (e.g. authz=http://authz:9002/metrics)' }),
};

export type XdsConfig = ConfigOf<typeof xdsEnv>;

/** The translation's options from the service's variables. */
export function deriveTranslateOptions(config: XdsConfig): TranslateOptions {
  return {
    controllerName: config.GATEWAY_CONTROLLER_NAME,
    authz: { ...config.AUTHZ_ADDRESS, timeoutMs: config.AUTHZ_TIMEOUT_MS },
    rateLimit: { ...config.RATELIMIT_ADDRESS, timeoutMs: config.RATELIMIT_TIMEOUT_MS },
    certs: config.CERTS_HTTP01_ADDRESS,
  };
}
