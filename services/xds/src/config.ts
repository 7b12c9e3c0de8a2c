// Every environment variable the xds service reads (beyond the kit's common ones), with its default.
import { DEFAULT_ENVOY_SDS_DIR, formatIdentity } from '@gatehouse/contracts';
import { ConfigError, controlKeyEnv, env, type ConfigOf, type EnvSpec } from '@gatehouse/kit';
import type { ServiceEndpoint, TranslateOptions } from './core/index.js';
import { parseProxylessClients } from './core/server/stream-authorization.js';

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

/** XDS_PROXYLESS_CLIENTS: which client identities may open which node clusters; unset = any. */
const proxylessClients: EnvSpec<ReadonlyMap<string, ReadonlySet<string>> | undefined> = {
  description: 'proxyless clients allowed per Gateway: "<client>=<namespace>/<gateway>" entries, comma-separated; unset = a client identity may open any Gateway (proxyless view only)',
  parse(raw, name) {
    if (raw === undefined || raw.trim() === '') return undefined;
    const parsed = parseProxylessClients(raw);
    if ('error' in parsed) throw new ConfigError(name, parsed.error as string);
    return parsed as ReadonlyMap<string, ReadonlySet<string>>;
  },
};

export const xdsEnv = {
  ...controlKeyEnv(),
  GATEWAY_CONFIG_PATH: env.optionalString({ description: 'directory of Gateway API YAML to watch (recursively); unset = admin API only' }),
  AUTHZ_ADDRESS: endpoint('gatehouse-authz', '127.0.0.1:9001', 'ext_authz gRPC service Envoy calls'),
  // Covers the IdP round trips authz makes on login callbacks and token refreshes (authz README).
  AUTHZ_TIMEOUT_MS: env.int({ default: 2000, min: 1, max: 60_000, description: 'how long Envoy waits for authz before answering 503 (status_on_error)' }),
  RATELIMIT_ADDRESS: endpoint('gatehouse-ratelimit', '127.0.0.1:8081', 'rate limit gRPC service Envoy calls'),
  // Envoy's own default: the ratelimit service answers within its RATELIMIT_REDIS_TIMEOUT_MS (10 ms) even
  // when Redis is slow, so a longer wait would only hold requests when the service itself is unreachable.
  RATELIMIT_TIMEOUT_MS: env.int({ default: 20, min: 1, max: 60_000, description: 'how long Envoy waits for a rate limit answer before applying failure_mode_deny' }),
  // Envoy Gateway's rateLimit.failClosed: off by default (a rate limit outage should not take the site down);
  // on, Envoy answers 500 when the service cannot answer, for limits that guard a paid or fragile upstream.
  RATELIMIT_FAIL_CLOSED: env.bool({ default: false, description: 'failure_mode_deny on the rate limit filter: deny requests while the rate limit service cannot answer' }),
  CERTS_HTTP01_ADDRESS: endpoint('gatehouse-certs', '127.0.0.1:8089', 'certs service HTTP-01 responder'),
  CERTS_ENCRYPTION_KEY: env.encryptionKey({ description: '32 bytes (base64 or hex) the certs service encrypts private keys with' }),
  CERTS_ALLOW_PLAINTEXT_KEYS: env.bool({ default: false, description: 'serve private keys stored without encryption although CERTS_ENCRYPTION_KEY is set' }),
  GATEWAY_CONTROLLER_NAME: env.string({ default: 'gatehouse.dev/gateway-controller', description: 'GatewayClass controllerName this instance serves' }),
  XDS_SERVICE_DNS_TEMPLATE: {
    description: 'DNS name of a Service backendRef: {name} and {namespace} are replaced ({name} for compose, {name}.{namespace}.svc.cluster.local in Kubernetes)',
    parse(raw: string | undefined, name: string): string {
      const value = raw || '{name}';
      if (!value.includes('{name}') || /\s/.test(value)) throw new ConfigError(name, `"${value}" must contain {name} and no spaces`);
      return value;
    },
  } satisfies EnvSpec<string>,
  XDS_DEBOUNCE_MS: env.int({ default: 50, min: 0, description: 'quiet period before a change is translated and pushed' }),
  XDS_MAX_DELAY_MS: env.int({ default: 500, min: 0, description: 'bound on the push delay during a stream of changes' }),
  XDS_PROXYLESS_CLIENTS: proxylessClients,
  XDS_INTERNAL_TLS: env.oneOf(['auto', 'mtls', 'plaintext'], {
    default: 'auto',
    description: "how Envoy reaches authz, ratelimit and certs' HTTP-01 responder: mtls, plaintext, or auto = mtls unless this xds runs with GATEHOUSE_INSECURE_PLAINTEXT",
  }),
  // Envoy Gateway's extensionApis.enableEnvoyPatchPolicy: off by default, since a patch can change anything
  // the translation produced (Gatehouse still refuses a patch whose result Envoy would NACK).
  XDS_ENABLE_ENVOY_PATCH_POLICY: env.bool({ default: false, description: 'apply EnvoyPatchPolicy JSON patches to the generated xDS (off: each policy says it is disabled)' }),
  // Envoy Gateway v1.9's extensionApis.enableLua: off by default, since a Lua script runs inside Envoy
  // with little sandboxing (it sees every request and response of the routes it is on).
  XDS_ENABLE_LUA: env.bool({ default: false, description: 'run EnvoyExtensionPolicy lua scripts (off: a policy with lua is refused, saying so)' }),
  XDS_ENVOY_SDS_DIR: env.string({
    default: DEFAULT_ENVOY_SDS_DIR,
    description: "directory, as every Envoy sees it, of the file-based SDS secrets `gatehouse bootstrap` writes (the Envoy's certificate, the CA)",
  }),
  CONSOLE_CERTS_URL: env.optionalString({ description: 'the certs service\'s admin API (e.g. http://certs:9102): the console shows renewal, failures and renew/revoke' }),
  CONSOLE_METRICS_URLS: env.optionalString({ description: 'services whose /metrics the console\'s Traffic view reads, "name=url,…" (e.g. authz=http://authz:9002/metrics)' }),
};

export type XdsConfig = ConfigOf<typeof xdsEnv>;

/**
 * The translation's options from the service's variables. Envoy reaches authz and ratelimit over mutual TLS
 * whenever the services run it: by default, unless this xds itself is the development plaintext setup.
 * The certs HTTP-01 responder is HTTPS with client certificates then too (HTTP/1.1, so no ALPN h2).
 */
export function deriveTranslateOptions(config: XdsConfig & { GATEHOUSE_INSECURE_PLAINTEXT: boolean }): TranslateOptions {
  const mtls = config.XDS_INTERNAL_TLS === 'mtls' || (config.XDS_INTERNAL_TLS === 'auto' && !config.GATEHOUSE_INSECURE_PLAINTEXT);
  const tls = (service: string) => (mtls ? { tls: { sdsDir: config.XDS_ENVOY_SDS_DIR, serverIdentity: formatIdentity({ kind: 'service', name: service }) } } : {});
  return {
    controllerName: config.GATEWAY_CONTROLLER_NAME,
    serviceDnsTemplate: config.XDS_SERVICE_DNS_TEMPLATE,
    authz: { ...config.AUTHZ_ADDRESS, timeoutMs: config.AUTHZ_TIMEOUT_MS, ...tls('authz') },
    rateLimit: { ...config.RATELIMIT_ADDRESS, timeoutMs: config.RATELIMIT_TIMEOUT_MS, failClosed: config.RATELIMIT_FAIL_CLOSED, ...tls('ratelimit') },
    certs: { ...config.CERTS_HTTP01_ADDRESS, ...tls('certs') },
    ...(config.XDS_ENABLE_ENVOY_PATCH_POLICY ? { enableEnvoyPatchPolicy: true } : {}),
    ...(config.XDS_ENABLE_LUA ? { enableLua: true } : {}),
  };
}
