// RouteIR -> Envoy Route; virtual hosts -> RouteConfiguration.
import type { HeaderModifierIR, RedirectIR, RouteIR, RouteMatchIR, VirtualHostIR, WeightedClusterIR } from '../ir/types.js';
import { addCredential, applyRewriteParts } from './route-filter-parts.js';
import { duration, type EnvoyObject } from './envoy-types.js';
import { applyRouteActionPolicy } from './route-action-policy.js';
import type { HttpFilterTranslator } from './filters/http-filter.js';
import { stripIdentityHeaders } from './identity-headers.js';
import { stringMatcher } from './matchers.js';
import { buildRouteTracing } from './route-tracing.js';

export interface RouteConfigurationOptions {
  /** Internal routes ahead of every virtual host's own (the ACME challenge). */
  leading?: readonly EnvoyObject[];
  /** Headers clients may not send upstream (GatewayIR.identityHeaders). */
  identityHeaders?: readonly string[];
}

export function buildRouteConfiguration(name: string, virtualHosts: readonly VirtualHostIR[], filters: readonly HttpFilterTranslator[], options: RouteConfigurationOptions = {}): EnvoyObject {
  const owned = options.identityHeaders ?? [];
  return {
    name,
    // Envoy matches domains against ":authority" with its port ("app.example.com:8443" never matches
    // "app.example.com"); Gateway API hostnames carry no port, so ignore it (as Envoy Gateway does).
    ignore_port_in_host_matching: true,
    virtual_hosts: virtualHosts.map((vh) => ({
      name: vh.name,
      domains: vh.domains,
      routes: [
        ...(options.leading ?? []).map((route) => {
          const envoyRoute = patchInternal(structuredClone(route), filters);
          stripIdentityHeaders(envoyRoute, undefined, owned);
          return envoyRoute;
        }),
        ...vh.routes.map((route) => {
          const envoyRoute = buildRoute(route);
          for (const filter of filters) filter.patchRoute(envoyRoute, route);
          stripIdentityHeaders(envoyRoute, route, owned);
          return envoyRoute;
        }),
      ],
    })),
  };
}

function patchInternal(route: EnvoyObject, filters: readonly HttpFilterTranslator[]): EnvoyObject {
  for (const filter of filters) filter.patchRoute(route, undefined);
  return route;
}

export function buildRoute(ir: RouteIR): EnvoyObject {
  const route: EnvoyObject = { name: ir.name, match: buildMatch(ir.match) };
  if (ir.redirect) route.redirect = buildRedirect(ir.redirect, ir.match);
  else if (ir.directResponse) route.direct_response = { status: ir.directResponse.status, ...(ir.directResponse.body !== undefined ? { body: { inline_string: ir.directResponse.body } } : {}) };
  else route.route = buildRouteAction(ir);
  if (ir.statPrefix) route.stat_prefix = ir.statPrefix;
  if (ir.tracing) route.tracing = buildRouteTracing(ir.tracing);
  addHeaderModifier(route, 'request', ir.requestHeaders);
  addHeaderModifier(route, 'response', ir.responseHeaders);
  addCredential(route, ir.credential);
  return route;
}

function buildMatch(match: RouteMatchIR): EnvoyObject {
  const result: EnvoyObject = {};
  const path = match.path;
  if (path.type === 'Exact') result.path = path.value;
  else if (path.type === 'RegularExpression') result.safe_regex = { regex: path.value };
  // Gateway API prefixes match whole path segments: "/api" matches "/api" and "/api/x", not "/apix".
  // Values ending in "/" are already segment-aligned ("/", gRPC "/pkg.Service/") and stay plain
  // prefixes, which proxyless gRPC clients also understand.
  else if (path.value.endsWith('/')) result.prefix = path.value;
  else result.path_separated_prefix = path.value;
  const headers = match.headers.map((h) => ({ name: h.name, string_match: stringMatcher(h.match), ...(h.invert ? { invert_match: true } : {}) }));
  if (match.method) headers.push({ name: ':method', string_match: { exact: match.method } });
  if (headers.length > 0) result.headers = headers;
  if (match.queryParams.length > 0) result.query_parameters = match.queryParams.map((q) => ({ name: q.name, string_match: stringMatcher(q.match) }));
  return result;
}

function buildRouteAction(ir: RouteIR): EnvoyObject {
  const backends = ir.backends ?? [];
  // Header changes inside a backendRef live on its weighted cluster, so they need weighted_clusters.
  const perBackend = backends.some((b) => b.requestHeaders || b.responseHeaders);
  const action: EnvoyObject =
    backends.length === 1 && !perBackend
      ? { cluster: backends[0]!.cluster }
      : { weighted_clusters: { clusters: backends.map((b) => ({ name: b.cluster, weight: b.weight, ...weightedClusterHeaders(b) })) } };
  if (ir.timeoutMs !== undefined) action.timeout = duration(ir.timeoutMs);
  if (ir.rewrite?.hostname) action.host_rewrite_literal = ir.rewrite.hostname;
  const path = ir.rewrite?.path;
  if (path?.type === 'ReplaceFullPath') action.regex_rewrite = { pattern: { regex: '^/.*$' }, substitution: path.value };
  else if (path?.type === 'ReplacePrefixMatch') {
    const prefix = ir.match.path.value;
    if (path.value === '/' && prefix !== '/') {
      // "/api/x" with prefix "/api" replaced by "/" must become "/x", not "//x".
      action.regex_rewrite = { pattern: { regex: `^${escapeRegex(prefix.replace(/\/+$/, ''))}/*` }, substitution: '/' };
    } else action.prefix_rewrite = path.value;
  }
  applyRewriteParts(action, ir.rewrite);
  if (ir.mirrors.length > 0) {
    action.request_mirror_policies = ir.mirrors.map((m) => ({
      cluster: m.cluster,
      ...(m.percent !== undefined ? { runtime_fraction: { default_value: { numerator: Math.round(m.percent * 10_000), denominator: 'MILLION' } } } : {}),
    }));
  }
  if (ir.retry || ir.backendTimeoutMs !== undefined) {
    const retry = ir.retry;
    const policy: EnvoyObject = { num_retries: retry?.numRetries ?? 0 };
    if (retry && retry.retryOn.length > 0) policy.retry_on = retry.retryOn.join(',');
    if (retry && retry.statusCodes.length > 0) policy.retriable_status_codes = retry.statusCodes;
    const perTry = retry?.perTryTimeoutMs ?? ir.backendTimeoutMs;
    if (perTry !== undefined) policy.per_try_timeout = duration(perTry);
    if (retry?.backOffBaseMs !== undefined) {
      policy.retry_back_off = { base_interval: duration(retry.backOffBaseMs), ...(retry.backOffMaxMs !== undefined ? { max_interval: duration(retry.backOffMaxMs) } : {}) };
    }
    action.retry_policy = policy;
  }
  applyRouteActionPolicy(action, ir);
  return action;
}

const REDIRECT_CODES: Record<number, string> = { 301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT' };

function buildRedirect(redirect: RedirectIR, match: RouteMatchIR): EnvoyObject {
  const result: EnvoyObject = { response_code: REDIRECT_CODES[redirect.statusCode] ?? 'FOUND' };
  if (redirect.scheme) result.scheme_redirect = redirect.scheme;
  if (redirect.hostname) result.host_redirect = redirect.hostname;
  if (redirect.port) result.port_redirect = redirect.port;
  if (redirect.path?.type === 'ReplaceFullPath') result.path_redirect = redirect.path.value;
  else if (redirect.path?.type === 'ReplacePrefixMatch') {
    if (redirect.path.value === '/' && match.path.value !== '/') {
      result.regex_rewrite = { pattern: { regex: `^${escapeRegex(match.path.value.replace(/\/+$/, ''))}/*` }, substitution: '/' };
    } else result.prefix_rewrite = redirect.path.value;
  }
  return result;
}

function addHeaderModifier(route: EnvoyObject, direction: 'request' | 'response', modifier: HeaderModifierIR | undefined): void {
  if (!modifier) return;
  const add = [
    ...modifier.set.map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...modifier.add.map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
  if (add.length > 0) route[`${direction}_headers_to_add`] = add;
  if (modifier.remove.length > 0) route[`${direction}_headers_to_remove`] = modifier.remove;
}

function weightedClusterHeaders(backend: WeightedClusterIR): EnvoyObject {
  const cluster: EnvoyObject = {};
  addHeaderModifier(cluster, 'request', backend.requestHeaders);
  addHeaderModifier(cluster, 'response', backend.responseHeaders);
  return cluster;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
