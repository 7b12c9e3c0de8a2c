// ClientExtrasIR onto the Envoy resources of a chain, as Envoy Gateway's xDS translator writes them:
// the HCM (skip_xff_append, early header mutation, HTTP/1 options, scheme, the header_mutation
// filter for late response headers, rate limit headers), the filter chain (TLS handshake timeout,
// session resumption), the listener (socket buffer, inspection timeout, JA3) and the routes
// (local rate limit headers, alt-svc for HTTP/3).
import type { HeaderMutationIR } from '../ir/client-extras.js';
import type { FilterChainIR, PortIR } from '../ir/types.js';
import { duration, EnvoyNames, type EnvoyObject } from './envoy-types.js';

const T = 'type.googleapis.com/';
const EARLY_HEADER_MUTATION = 'envoy.http.early_header_mutation.header_mutation';
const HEADER_MUTATION_FILTER = 'envoy.filters.http.header_mutation';
const LOCAL_RATE_LIMIT = 'envoy.filters.http.local_ratelimit';
const ROUTER = 'envoy.filters.http.router';

/** mutation_rules HeaderMutation entries: append with its action (keeping an empty value), or remove. */
function mutationRules(mutations: readonly HeaderMutationIR[]): EnvoyObject[] {
  return mutations.map((m) =>
    m.kind === 'remove'
      ? { remove: m.name }
      : { append: { header: { key: m.name, value: m.value }, append_action: m.action, ...(m.value === '' ? { keep_empty_value: true } : {}) } },
  );
}

export function applyClientExtrasToHcm(hcm: EnvoyObject, chain: FilterChainIR): void {
  const extras = chain.client?.extras;
  if (!extras) return;
  if (extras.skipXffAppend !== undefined) hcm.skip_xff_append = extras.skipXffAppend;
  // directSourceIP: the peer address is the client, which is the edge default (no trusted hop, no detection extension).
  if (extras.directSourceIp) {
    hcm.xff_num_trusted_hops = 0;
    delete hcm.original_ip_detection_extensions;
  }
  if (extras.earlyRequestHeaders) {
    hcm.early_header_mutation_extensions = [
      {
        name: EARLY_HEADER_MUTATION,
        typed_config: { '@type': `${T}envoy.extensions.http.early_header_mutation.header_mutation.v3.HeaderMutation`, mutations: mutationRules(extras.earlyRequestHeaders) },
      },
    ];
  }
  const http1: EnvoyObject = { ...((hcm.http_protocol_options as EnvoyObject | undefined) ?? {}) };
  if (extras.preserveHeaderCase) {
    http1.header_key_format = { stateful_formatter: { name: 'preserve_case', typed_config: { '@type': `${T}envoy.extensions.http.header_formatters.preserve_case.v3.PreserveCaseFormatterConfig` } } };
  }
  if (extras.http10) {
    http1.accept_http_10 = true;
    const host = extras.http10.useDefaultHost ? defaultHost(chain) : undefined;
    if (host) http1.default_host_for_http_10 = host;
  }
  if (Object.keys(http1).length > 0) hcm.http_protocol_options = http1;
  if (extras.schemeMatchBackend) hcm.scheme_header_transformation = { match_upstream: true };

  // Copies: the chain's filter list is shared with its QUIC twin. The listener's ratelimit filter and
  // the shared local buckets' filters (configured in the HCM, like the routes' local limits) go quiet.
  const quiet = (name: unknown) => name === EnvoyNames.rateLimit || (typeof name === 'string' && name.startsWith(`${LOCAL_RATE_LIMIT}/shared/`));
  const filters = ((hcm.http_filters as EnvoyObject[] | undefined) ?? []).map((filter) =>
    extras.disableRateLimitHeaders && quiet(filter.name) ? { ...filter, typed_config: { ...(filter.typed_config as EnvoyObject), enable_x_ratelimit_headers: 'OFF' } } : filter,
  );
  if (extras.disableRateLimitHeaders) hcm.http_filters = filters;
  if (extras.lateResponseHeaders) {
    // Last before the router: its response mutations run first on the way out, for every response.
    const late = {
      name: HEADER_MUTATION_FILTER,
      typed_config: { '@type': `${T}envoy.extensions.filters.http.header_mutation.v3.HeaderMutation`, mutations: { response_mutations: mutationRules(extras.lateResponseHeaders) } },
    };
    const router = filters.findIndex((f) => f.name === ROUTER);
    filters.splice(router < 0 ? filters.length : router, 0, late);
    hcm.http_filters = filters;
  }
}

/** The HTTP/1.0 default host: the one non-wildcard hostname the chain's routes are served under. */
function defaultHost(chain: FilterChainIR): string | undefined {
  const hosts = new Set(chain.virtualHosts.flatMap((vh) => vh.domains).filter((d) => d !== '*' && !d.startsWith('*')));
  if (chain.serverNames.length === 1 && !chain.serverNames[0]!.startsWith('*')) return chain.serverNames[0];
  return hosts.size === 1 ? [...hosts][0] : undefined;
}

/** The filter chain's TLS handshake timeout and its DownstreamTlsContext session resumption. */
export function applyClientExtrasToChain(filterChain: EnvoyObject, chain: FilterChainIR): void {
  const extras = chain.client?.extras;
  if (!extras) return;
  if (extras.tlsHandshakeTimeoutMs !== undefined) filterChain.transport_socket_connect_timeout = duration(extras.tlsHandshakeTimeoutMs);
  const downstream = (filterChain.transport_socket as { typed_config?: EnvoyObject } | undefined)?.typed_config;
  if (downstream && extras.sessionResumption) {
    downstream.disable_stateless_session_resumption = !extras.sessionResumption.stateless;
    downstream.disable_stateful_session_resumption = !extras.sessionResumption.stateful;
  }
}

/**
 * Listener-wide settings, one per Envoy listener: the socket buffers (the smallest asked for,
 * SOL_SOCKET/SO_RCVBUF and SO_SNDBUF before bind), the listener filters' inspection timeout (the
 * shortest) and JA3 in the tls_inspector (when any chain asks).
 */
export function applyClientExtrasToListener(listener: EnvoyObject, port: PortIR): void {
  const all = port.chains.flatMap((chain) => (chain.client?.extras ? [chain.client.extras] : []));
  const min = (values: Array<number | undefined>) => {
    const set = values.filter((v): v is number => v !== undefined);
    return set.length > 0 ? Math.min(...set) : undefined;
  };
  const buffer = min(all.map((e) => e.socketBufferBytes));
  if (buffer !== undefined) {
    // Set on the listening socket before bind, so every accepted connection inherits both buffers.
    const option = (name: number) => ({ level: 1, name, int_value: buffer, state: 'STATE_PREBIND' });
    listener.socket_options = [...((listener.socket_options as EnvoyObject[] | undefined) ?? []), option(8), option(7)];
  }
  const inspection = min(all.map((e) => e.connectionInspectionTimeoutMs));
  if (inspection !== undefined) listener.listener_filters_timeout = duration(inspection);
  if (all.some((e) => e.ja3Fingerprint)) {
    for (const filter of (listener.listener_filters as EnvoyObject[] | undefined) ?? []) {
      if (filter.name === EnvoyNames.tlsInspector) (filter.typed_config as EnvoyObject).enable_ja3_fingerprinting = true;
    }
  }
}

/** Per route: local rate limit headers off (disableRateLimitHeaders); per virtual host: alt-svc (http3). */
export function applyClientExtrasToRoutes(routeConfiguration: EnvoyObject, chain: FilterChainIR, port: PortIR): EnvoyObject {
  const extras = chain.client?.extras;
  if (!extras) return routeConfiguration;
  for (const virtualHost of (routeConfiguration.virtual_hosts as EnvoyObject[] | undefined) ?? []) {
    if (extras.disableRateLimitHeaders) {
      for (const route of (virtualHost.routes as EnvoyObject[] | undefined) ?? []) {
        const local = (route.typed_per_filter_config as Record<string, EnvoyObject> | undefined)?.[LOCAL_RATE_LIMIT];
        if (local) local.enable_x_ratelimit_headers = 'OFF';
      }
    }
    if (extras.http3 && port.protocol === 'HTTPS') {
      const altSvc = { header: { key: 'alt-svc', value: `h3=":${port.port}"; ma=86400` }, append_action: 'APPEND_IF_EXISTS_OR_ADD' };
      virtualHost.response_headers_to_add = [...((virtualHost.response_headers_to_add as EnvoyObject[] | undefined) ?? []), altSvc];
    }
  }
  return routeConfiguration;
}
