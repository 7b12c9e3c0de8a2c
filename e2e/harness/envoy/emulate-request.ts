// Plays Envoy's part for one HTTP request against a served snapshot: picks the listener, virtual host
// and route, settles the client address (XFF hops, a custom header), runs the HTTP filters in their
// configured order (fault, cors, csrf, the policies' own ext_authz, ext_authz, ext_proc, local_ratelimit, ratelimit,
// router), calls the real authz and ratelimit services (and a user's HTTP authorization service) with the
// requests Envoy would build, and applies their answers.
import { randomUUID } from 'node:crypto';
import { applyHeaderOptions, buildCheckRequest, EXT_AUTHZ_FILTER, httpStatusOf, perFilterConfig, type ExtAuthzPerRoute, type HeaderValueOption } from './ext-authz-request.js';
import { buildDescriptors } from './ratelimit-request.js';
import { applyUnderscoreHeaderPolicy, sanitizeEdgeHeaders } from './edge-headers.js';
import { checkClientCertificate, forwardClientCert } from './client-certificate.js';
import { setCookiesOf } from './set-cookie.js';
import { CORS_FILTER, runCors, type CorsPolicy } from './cors.js';
import { CSRF_FILTER, runCsrf, type CsrfPolicy } from './csrf.js';
import { runUserExtAuthz, USER_EXT_AUTHZ_PREFIX } from './user-ext-authz.js';
import { EXT_PROC_PREFIX, extProcEnabled, runExtProc } from './ext-proc.js';
import { selectRoute, selectVirtualHost, type EmulatedRequest } from './route-matching.js';
import {
  detectClientAddress,
  FAULT_FILTER,
  faultAbort,
  LOCAL_RATE_LIMIT_FILTER,
  pickHashedEndpoint,
  takeLocalToken,
  takeSharedLocalTokens,
  type HttpFaultConfig,
  type LocalRateLimitConfig,
  type SharedLocalRateLimitConfig,
} from './traffic-filters.js';
import type { EnvoySnapshot, HttpConnectionManager, Route, RouteConfiguration, TypedConfig } from './types.js';
import type { ServedSnapshot } from './ads-snapshot.js';
import { upstreamAddress } from './upstream-address.js';
import { forwardWithRetries, type Forward, type RetryPolicy } from './upstream-forward.js';

export const RATELIMIT_FILTER = 'envoy.filters.http.ratelimit';

export interface EnvoyPeers {
  /** envoy.service.auth.v3.Authorization/Check */
  check(request: object): Promise<CheckResponseLike>;
  /** envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit */
  shouldRateLimit(request: object): Promise<RateLimitResponseLike>;
  /** When set, the router sends the request upstream (with the route's retries); else it stops at the routing decision. */
  forward?: Forward;
}

export interface CheckResponseLike {
  status?: { code?: number; message?: string };
  denied_response?: { status?: { code?: unknown }; headers?: HeaderValueOption[]; body?: string };
  ok_response?: { headers?: HeaderValueOption[]; headers_to_remove?: string[]; response_headers_to_add?: HeaderValueOption[] };
  dynamic_metadata?: unknown;
}

export interface RateLimitResponseLike {
  overall_code?: string;
  statuses?: Array<{ code?: string; current_limit?: { requests_per_unit?: number; unit?: string; name?: string }; limit_remaining?: number; duration_until_reset?: { seconds?: string | number } }>;
  response_headers_to_add?: Array<{ key?: string; value?: string }>;
  request_headers_to_add?: Array<{ key?: string; value?: string }>;
}

export interface EmulatedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Set when the router would forward the request; `endpoint` when a consistent-hash cluster picks one,
   * `attempts` when it was forwarded (peers.forward), retries included.
   */
  upstream?: { cluster: string; headers: Record<string, string>; endpoint?: string; attempts?: number };
  /** What Envoy sent to the services, for assertions. */
  sent: { check?: object; rateLimit?: object };
  routeName?: string;
  dynamicMetadata?: unknown;
  /** Every Set-Cookie line of the response (the `headers` map folds repeated ones). */
  setCookies?: string[];
}

const UNIT_SECONDS: Record<string, number> = { SECOND: 1, MINUTE: 60, HOUR: 3600, DAY: 86400, WEEK: 604800, MONTH: 2592000, YEAR: 31536000 };

function httpConnectionManager(snapshot: EnvoySnapshot, port: number, request: EmulatedRequest): HttpConnectionManager {
  const listener = snapshot.listeners.find((l) => l.address?.socket_address?.port_value === port);
  if (!listener) throw new Error(`no listener on port ${port}; listeners: ${snapshot.listeners.map((l) => l.name).join(', ')}`);
  const sni = request.host.replace(/:\d+$/, '');
  const chains = listener.filter_chains ?? [];
  const chain =
    chains.find((c) => c.filter_chain_match?.server_names?.some((n) => n === sni || (n.startsWith('*.') && sni.endsWith(n.slice(1))))) ??
    chains.find((c) => !c.filter_chain_match?.server_names?.length);
  const hcm = chain?.filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager')?.typed_config;
  if (!hcm) throw new Error(`listener ${listener.name} has no HTTP connection manager for ${sni}`);
  return hcm as HttpConnectionManager;
}

function routeConfiguration(snapshot: EnvoySnapshot, hcm: HttpConnectionManager): RouteConfiguration {
  if (hcm.route_config) return hcm.route_config;
  const name = hcm.rds?.route_config_name;
  const found = snapshot.routes.find((r) => r.name === name);
  if (!found) throw new Error(`route configuration ${name} is not in the snapshot`);
  return found;
}

function localReply(status: number, body = '', headers: Record<string, string> = {}, sent: EmulatedResponse['sent'] = {}): EmulatedResponse {
  return { status, headers: { 'content-type': 'text/plain', ...headers }, body, sent };
}

export async function emulateRequest(snapshot: EnvoySnapshot, listenerPort: number, received: EmulatedRequest, peers: EnvoyPeers): Promise<EmulatedResponse> {
  const hcm = httpConnectionManager(snapshot, listenerPort, received);
  // The TLS handshake comes first: a refused client certificate throws, as a connection error.
  const clientCertificate = checkClientCertificate(snapshot, listenerPort, received);
  const codecHeaders = applyUnderscoreHeaderPolicy(hcm, received.headers);
  if (!codecHeaders) return localReply(400, 'Bad Request');
  // The connection manager settles on the client address before any filter runs.
  const detected = detectClientAddress(hcm, { ...received, headers: codecHeaders });
  if ('rejectCode' in detected) return localReply(httpStatusOf(detected.rejectCode, 403));
  const request: EmulatedRequest = { ...received, headers: codecHeaders, clientAddress: detected.address };
  const routes = routeConfiguration(snapshot, hcm);
  const virtualHost = selectVirtualHost(routes, request.host);
  const route = virtualHost && selectRoute(virtualHost, request);
  if (!virtualHost || !route) return localReply(404, 'no route');
  const upstreamHeaders: Record<string, string> = { ...request.headers };
  for (const name of routes.request_headers_to_remove ?? []) delete upstreamHeaders[name.toLowerCase()];
  sanitizeEdgeHeaders(hcm, request, upstreamHeaders);
  forwardClientCert(hcm, clientCertificate, upstreamHeaders);
  const responseHeaders: Record<string, string> = {};
  const sent: EmulatedResponse['sent'] = {};
  const cluster = route.route?.cluster ?? pickWeightedCluster(route.route?.weighted_clusters?.clusters ?? [], request.weightedPick) ?? '';
  const requestId = randomUUID();
  let dynamicMetadata: unknown;
  const setCookies: string[] = [];

  for (const filter of hcm.http_filters ?? []) {
    const config = filter.typed_config as TypedConfig | undefined;
    if (filter.name === CORS_FILTER) {
      const policy = perFilterConfig<CorsPolicy>(CORS_FILTER, route, virtualHost);
      if (!policy) continue;
      const outcome = runCors(policy, request.method, request.headers);
      if (outcome.kind === 'reply') return { ...localReply(outcome.status, '', outcome.headers, sent), routeName: route.name };
      Object.assign(responseHeaders, outcome.responseHeaders);
    } else if (filter.name === CSRF_FILTER) {
      const policy = perFilterConfig<CsrfPolicy>(CSRF_FILTER, route, virtualHost);
      const status = policy && runCsrf(policy, request.method, request.host, request.headers);
      if (status) return { ...localReply(status, 'Invalid origin', responseHeaders, sent), routeName: route.name };
    } else if (filter.name.startsWith(USER_EXT_AUTHZ_PREFIX)) {
      // A SecurityPolicy's own ext_authz: disabled in the HCM, enabled by its routes' per-route config.
      const perRoute = perFilterConfig<ExtAuthzPerRoute>(filter.name, route, virtualHost);
      if ((filter.disabled && !perRoute) || perRoute?.disabled || !config) continue;
      const outcome = await runUserExtAuthz(config, snapshot, { method: request.method, path: request.path, host: request.host, headers: upstreamHeaders });
      if (outcome.kind === 'deny') return { ...localReply(outcome.status, outcome.body, outcome.headers, sent), routeName: route.name };
      Object.assign(upstreamHeaders, outcome.upstreamHeaders);
    } else if (filter.name.startsWith(EXT_PROC_PREFIX)) {
      // An EnvoyExtensionPolicy's ext_proc: disabled in the HCM, enabled by its routes' FilterConfig.
      if (!config || !extProcEnabled(filter.name, filter.disabled === true, route, virtualHost)) continue;
      const outcome = await runExtProc(config, snapshot, { method: request.method, path: request.path, host: request.host, headers: upstreamHeaders });
      if (outcome.kind === 'reply') return { ...localReply(outcome.status, outcome.body, outcome.headers, sent), routeName: route.name };
      for (const name of outcome.remove) delete upstreamHeaders[name];
      Object.assign(upstreamHeaders, outcome.set);
    } else if (filter.name === FAULT_FILTER) {
      const abort = faultAbort(perFilterConfig<HttpFaultConfig>(FAULT_FILTER, route, virtualHost));
      if (abort) return { ...localReply(abort.status, abort.body, abort.headers, sent), routeName: route.name };
    } else if (filter.name.startsWith(`${LOCAL_RATE_LIMIT_FILTER}/`)) {
      // A policy's shared local buckets: configured in the HCM, fed by the route's rate_limits of its stage.
      const shared = config as SharedLocalRateLimitConfig | undefined;
      const policies = [...(route.route?.rate_limits ?? []), ...(virtualHost.rate_limits ?? [])];
      const descriptors = buildDescriptors(policies, { ...request, headers: upstreamHeaders }, cluster, Number(shared?.stage ?? 0));
      if (shared && !takeSharedLocalTokens(filter.name, shared, descriptors)) {
        return { ...localReply(429, 'local_rate_limited', { 'x-local-rate-limit': 'true' }, sent), routeName: route.name };
      }
    } else if (filter.name === LOCAL_RATE_LIMIT_FILTER) {
      const perRoute = perFilterConfig<LocalRateLimitConfig>(LOCAL_RATE_LIMIT_FILTER, route, virtualHost);
      if (perRoute && !takeLocalToken(route.name ?? '', perRoute)) {
        return { ...localReply(429, 'local_rate_limited', { 'x-local-rate-limit': 'true' }, sent), routeName: route.name };
      }
    } else if (filter.name === EXT_AUTHZ_FILTER) {
      const perRoute = perFilterConfig<ExtAuthzPerRoute>(EXT_AUTHZ_FILTER, route, virtualHost);
      if (filter.disabled && !perRoute) continue;
      if (perRoute?.disabled) continue;
      const checkRequest = buildCheckRequest({ ...request, headers: upstreamHeaders }, perRoute, requestId);
      sent.check = checkRequest;
      let answer: CheckResponseLike;
      try {
        answer = await peers.check(checkRequest);
      } catch {
        if (config?.failure_mode_allow === true) continue;
        // Envoy answers status_on_error when authz cannot be asked (403 when unset).
        return localReply(httpStatusOf((config?.status_on_error as { code?: unknown } | undefined)?.code, 403), '', {}, sent);
      }
      if ((answer.status?.code ?? 0) !== 0) {
        const denied = answer.denied_response;
        const headers: Record<string, string> = {};
        applyHeaderOptions(headers, denied?.headers, false);
        return { ...localReply(httpStatusOf(denied?.status?.code, 403), denied?.body ?? '', headers, sent), routeName: route.name, setCookies: setCookiesOf(denied?.headers) };
      }
      applyHeaderOptions(upstreamHeaders, answer.ok_response?.headers, false);
      for (const name of answer.ok_response?.headers_to_remove ?? []) delete upstreamHeaders[name.toLowerCase()];
      applyHeaderOptions(responseHeaders, answer.ok_response?.response_headers_to_add, false);
      setCookies.push(...setCookiesOf(answer.ok_response?.response_headers_to_add));
      dynamicMetadata = answer.dynamic_metadata;
    } else if (filter.name === RATELIMIT_FILTER || filter.name.startsWith(`${RATELIMIT_FILTER}/`)) {
      // The listener's ratelimit filter, or one for rules with their own x-ratelimit headers setting (its own stage).
      const stage = Number(config?.stage ?? 0);
      const policies = [...(route.route?.rate_limits ?? []), ...(virtualHost.rate_limits ?? [])];
      const descriptors = buildDescriptors(policies, { ...request, headers: upstreamHeaders }, cluster, stage);
      if (descriptors.length === 0) continue;
      const rateLimitRequest = { domain: String(config?.domain ?? ''), descriptors };
      sent.rateLimit = rateLimitRequest;
      let answer: RateLimitResponseLike;
      try {
        answer = await peers.shouldRateLimit(rateLimitRequest);
      } catch {
        if (config?.failure_mode_deny === true) return localReply(500, '', {}, sent);
        continue;
      }
      const limitHeaders = config?.enable_x_ratelimit_headers === 'DRAFT_VERSION_03' ? xRateLimitHeaders(answer) : {};
      for (const h of answer.response_headers_to_add ?? []) if (h.key) limitHeaders[h.key.toLowerCase()] = h.value ?? '';
      if (answer.overall_code === 'OVER_LIMIT') {
        const status = Number((config?.rate_limited_status as { code?: unknown } | undefined)?.code ?? 429) || 429;
        const headers = config?.disable_x_envoy_ratelimited_header ? limitHeaders : { ...limitHeaders, 'x-envoy-ratelimited': 'true' };
        return { ...localReply(status, '', headers, sent), routeName: route.name };
      }
      Object.assign(responseHeaders, limitHeaders);
      for (const h of answer.request_headers_to_add ?? []) if (h.key) upstreamHeaders[h.key.toLowerCase()] = h.value ?? '';
    } else if (filter.name === 'envoy.filters.http.router') {
      break;
    }
  }

  if (route.direct_response) return { ...localReply(route.direct_response.status, route.direct_response.body?.inline_string ?? '', responseHeaders, sent), routeName: route.name };
  if (route.redirect) return { ...localReply(redirectStatus(route.redirect), '', { ...responseHeaders, location: redirectLocation(route.redirect, request) }, sent), routeName: route.name };
  // The router looks the cluster up only now: a route naming a cluster Envoy does not have answers 503
  // (response flag NC), an EDS cluster without endpoints 503 "no healthy upstream" (UH).
  const served = snapshot.clusters?.find((c) => c.name === cluster);
  if (snapshot.clusters && !served) return { ...localReply(503, 'cluster not found', responseHeaders, sent), routeName: route.name };
  if (served?.type === 'EDS' && snapshot.endpoints && !snapshot.endpoints.some((e) => e.cluster_name === cluster && e.endpoints?.some((l) => l.lb_endpoints?.length))) {
    return { ...localReply(503, 'no healthy upstream', responseHeaders, sent), routeName: route.name };
  }
  // Envoy's header mutation at a route removes first, then adds: a header both removed and set arrives set.
  for (const name of route.request_headers_to_remove ?? []) delete upstreamHeaders[name.toLowerCase()];
  for (const option of route.request_headers_to_add ?? []) upstreamHeaders[option.header.key.toLowerCase()] = option.header.value;
  const endpoint = hashedEndpoint(snapshot, cluster, route, request);
  if (peers.forward) {
    const [host, port] = endpoint ? [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))] : [undefined, undefined];
    const address = host !== undefined && port !== undefined ? { host, port } : upstreamAddress(snapshot as ServedSnapshot, cluster);
    const retryPolicy = (route.route as { retry_policy?: RetryPolicy } | undefined)?.retry_policy;
    const { answer, attempts } = await forwardWithRetries(peers.forward, address, { method: request.method, path: request.path, headers: upstreamHeaders, ...(request.body !== undefined ? { body: request.body } : {}) }, retryPolicy);
    return {
      status: answer.status,
      headers: { ...answer.headers, ...responseHeaders },
      body: answer.body,
      upstream: { cluster, headers: upstreamHeaders, attempts, ...(endpoint ? { endpoint } : {}) },
      sent,
      routeName: route.name,
      dynamicMetadata,
      setCookies,
    };
  }
  return { status: 200, headers: responseHeaders, body: '', upstream: { cluster, headers: upstreamHeaders, ...(endpoint ? { endpoint } : {}) }, sent, routeName: route.name, dynamicMetadata, setCookies };
}

/** For a consistent-hash cluster, the endpoint "<address>:<port>" the route's hash_policy picks. */
function hashedEndpoint(snapshot: EnvoySnapshot, cluster: string, route: Route, request: EmulatedRequest): string | undefined {
  const served = snapshot.clusters?.find((c) => c.name === cluster) as { lb_policy?: string } | undefined;
  if (served?.lb_policy !== 'MAGLEV' && served?.lb_policy !== 'RING_HASH') return undefined;
  type Lb = { endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } } };
  const assignment = snapshot.endpoints?.find((e) => e.cluster_name === cluster) as { endpoints?: Array<{ lb_endpoints?: Lb[] }> } | undefined;
  const addresses = (assignment?.endpoints ?? []).flatMap((locality) => locality.lb_endpoints ?? []).map((lb) => `${lb.endpoint?.address?.socket_address?.address}:${lb.endpoint?.address?.socket_address?.port_value}`);
  return pickHashedEndpoint((route.route as { hash_policy?: Parameters<typeof pickHashedEndpoint>[0] } | undefined)?.hash_policy, request, addresses);
}

/** Envoy's x-ratelimit-* headers (draft 03): the descriptor closest to its limit decides. */
function xRateLimitHeaders(answer: RateLimitResponseLike): Record<string, string> {
  const statuses = (answer.statuses ?? []).filter((s) => s.current_limit);
  if (statuses.length === 0) return {};
  const closest = statuses.reduce((a, b) => ((b.limit_remaining ?? 0) < (a.limit_remaining ?? 0) ? b : a));
  const quotas = statuses.map((s) => {
    const window = UNIT_SECONDS[s.current_limit?.unit ?? 'SECOND'] ?? 1;
    return `${s.current_limit?.requests_per_unit ?? 0};w=${window}${s.current_limit?.name ? `;name="${s.current_limit.name}"` : ''}`;
  });
  return {
    'x-ratelimit-limit': `${closest.current_limit?.requests_per_unit ?? 0}, ${quotas.join(', ')}`,
    'x-ratelimit-remaining': String(closest.limit_remaining ?? 0),
    'x-ratelimit-reset': String(Number(closest.duration_until_reset?.seconds ?? 0)),
  };
}

const REDIRECT_CODES: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };

function redirectStatus(redirect: Record<string, unknown>): number {
  return REDIRECT_CODES[String(redirect.response_code ?? 'MOVED_PERMANENTLY')] ?? 301;
}

function redirectLocation(redirect: Record<string, unknown>, request: EmulatedRequest): string {
  const scheme = (redirect.scheme_redirect as string | undefined) ?? (redirect.https_redirect ? 'https' : (request.scheme ?? 'http'));
  const host = (redirect.host_redirect as string | undefined) ?? request.host.replace(/:\d+$/, '');
  const port = redirect.port_redirect ? `:${String(redirect.port_redirect)}` : '';
  const path = (redirect.path_redirect as string | undefined) ?? request.path;
  return `${scheme}://${host}${port}${path}`;
}

/** Envoy's weighted_clusters choice: the draw scaled to the total weight falls in one cluster's cumulative range. */
export function pickWeightedCluster(clusters: ReadonlyArray<{ name: string; weight?: { value: number } | number }>, draw: number | undefined): string | undefined {
  if (draw === undefined) return clusters[0]?.name;
  const weights = clusters.map((c) => (typeof c.weight === 'number' ? c.weight : (c.weight?.value ?? 0)));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let at = Math.floor(draw * total);
  for (const [i, cluster] of clusters.entries()) {
    if (at < weights[i]!) return cluster.name;
    at -= weights[i]!;
  }
  return undefined;
}
