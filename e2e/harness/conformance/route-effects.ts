// What Envoy's router does with a selected route that the request emulator leaves out, for the
// conformance replay: the path and host rewrites (prefix_rewrite on a matched prefix, regex_rewrite,
// host_rewrite_literal), request header appends (APPEND_IF_EXISTS_OR_ADD joins values with ","),
// response header changes, and a redirect's Location as Envoy composes it (scheme, host, port,
// full path or replaced prefix). Pure functions over the served route JSON.
import type { EmulatedRequest, EnvoySnapshot, Route } from '../envoy/index.js';

interface HeaderOption {
  header: { key: string; value: string };
  append_action?: string;
}
interface RouteJson extends Omit<Route, 'route' | 'redirect'> {
  route?: Route['route'] & { prefix_rewrite?: string; regex_rewrite?: { pattern: { regex: string }; substitution: string }; host_rewrite_literal?: string };
  redirect?: {
    scheme_redirect?: string;
    https_redirect?: boolean;
    host_redirect?: string;
    port_redirect?: number;
    path_redirect?: string;
    prefix_rewrite?: string;
    regex_rewrite?: { pattern: { regex: string }; substitution: string };
  };
  response_headers_to_add?: HeaderOption[];
  response_headers_to_remove?: string[];
}

export function findRoute(snapshot: EnvoySnapshot, name: string | undefined): RouteJson | undefined {
  for (const config of snapshot.routes) for (const host of config.virtual_hosts) for (const route of host.routes) if (route.name === name) return route as RouteJson;
  return undefined;
}

function splitPath(path: string): { path: string; query: string } {
  const i = path.indexOf('?');
  return i < 0 ? { path, query: '' } : { path: path.slice(0, i), query: path.slice(i) };
}

/** The matched prefix of the route, replaced (prefix_rewrite), or the regex substitution. */
function rewritePath(route: RouteJson, rewrite: { prefix?: string; regex?: { pattern: { regex: string }; substitution: string } }, fullPath: string): string {
  const { path, query } = splitPath(fullPath);
  if (rewrite.regex) return path.replace(new RegExp(rewrite.regex.pattern.regex), rewrite.regex.substitution) + query;
  if (rewrite.prefix !== undefined) {
    const match = route.match as { prefix?: string; path_separated_prefix?: string; path?: string };
    const matched = match.path_separated_prefix ?? match.prefix ?? match.path ?? '';
    return rewrite.prefix + path.slice(matched.length) + query;
  }
  return fullPath;
}

/** The request as the upstream gets it, from the emulator's upstream headers and the original request. */
export function upstreamRequest(route: RouteJson, request: EmulatedRequest, emulatedHeaders: Record<string, string>): { path: string; host: string; headers: Record<string, string> } {
  const headers = { ...emulatedHeaders };
  for (const option of route.request_headers_to_add ?? []) {
    const key = option.header.key.toLowerCase();
    const original = request.headers[key];
    if (option.append_action === 'APPEND_IF_EXISTS_OR_ADD' && original !== undefined && !(route.request_headers_to_remove ?? []).some((n) => n.toLowerCase() === key)) {
      headers[key] = `${original},${option.header.value}`;
    }
  }
  const path = rewritePath(route, { ...(route.route?.prefix_rewrite !== undefined ? { prefix: route.route.prefix_rewrite } : {}), ...(route.route?.regex_rewrite ? { regex: route.route.regex_rewrite } : {}) }, request.path);
  return { path, host: route.route?.host_rewrite_literal ?? request.host, headers };
}

/** Response headers after the route's changes to the upstream's answer. */
export function responseHeaders(route: RouteJson, answered: Record<string, string>): Record<string, string> {
  const headers = { ...answered };
  for (const name of route.response_headers_to_remove ?? []) delete headers[name.toLowerCase()];
  for (const option of route.response_headers_to_add ?? []) {
    const key = option.header.key.toLowerCase();
    headers[key] = option.append_action === 'APPEND_IF_EXISTS_OR_ADD' && headers[key] !== undefined ? `${headers[key]},${option.header.value}` : option.header.value;
  }
  return headers;
}

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

/** Envoy's Location: a changed scheme drops the request's port unless one is given; a default port is left out. */
export function redirectLocation(route: RouteJson, request: EmulatedRequest): string {
  const redirect = route.redirect ?? {};
  const requestScheme = request.scheme ?? 'http';
  const scheme = redirect.scheme_redirect ?? (redirect.https_redirect ? 'https' : requestScheme);
  const [requestHost, requestPort] = request.host.split(':') as [string, string | undefined];
  const host = redirect.host_redirect ?? requestHost;
  let port = redirect.port_redirect !== undefined ? String(redirect.port_redirect) : scheme === requestScheme ? requestPort : undefined;
  if (port === DEFAULT_PORTS[scheme]) port = undefined;
  const path =
    redirect.path_redirect ??
    rewritePath(route, { ...(redirect.prefix_rewrite !== undefined ? { prefix: redirect.prefix_rewrite } : {}), ...(redirect.regex_rewrite ? { regex: redirect.regex_rewrite } : {}) }, request.path);
  return `${scheme}://${host}${port ? `:${port}` : ''}${path}`;
}
