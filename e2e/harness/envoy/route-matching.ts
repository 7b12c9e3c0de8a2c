// Envoy's virtual host and route selection, as documented for envoy.config.route.v3: domains by exact,
// then longest suffix wildcard, then longest prefix wildcard, then "*"; routes in order, first match wins.
import type { HeaderMatcher, QueryParameterMatcher, Route, RouteConfiguration, RouteMatch, StringMatcher, VirtualHost } from './types.js';

export interface EmulatedRequest {
  method: string;
  /** Path with query, as sent (":path"). */
  path: string;
  /** ":authority", host[:port]. */
  host: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  scheme?: 'http' | 'https';
  /** Downstream peer address as Envoy sees it (use_remote_address: true). */
  clientAddress: string;
  clientPort?: number;
  body?: string;
  /** PEM of the certificate the client presents in the TLS handshake (HTTPS listeners). */
  clientCertificate?: string;
  /**
   * The router's random draw for weighted_clusters, in [0, 1): the cluster whose cumulative weight range holds
   * draw x total weight, as Envoy picks (a test passes a seeded sequence). Absent: the first cluster.
   */
  weightedPick?: number;
}

export function selectVirtualHost(config: RouteConfiguration, authority: string): VirtualHost | undefined {
  const host = authority.toLowerCase();
  const hostWithoutPort = host.replace(/:\d+$/, '');
  // Envoy matches domains against ":authority" as sent, port included, unless the route configuration
  // sets ignore_port_in_host_matching (RouteConfiguration field 14).
  const candidates = config.ignore_port_in_host_matching ? [hostWithoutPort] : [host];
  // An empty repeated field is absent from the JSON Envoy is given: no virtual host, so a 404.
  const hosts = config.virtual_hosts ?? [];
  for (const candidate of candidates) {
    const exact = hosts.find((vh) => vh.domains.some((d) => d.toLowerCase() === candidate));
    if (exact) return exact;
  }
  const best = (kind: 'suffix' | 'prefix'): VirtualHost | undefined => {
    let found: VirtualHost | undefined;
    let length = -1;
    for (const vh of hosts) {
      for (const domain of vh.domains.map((d) => d.toLowerCase())) {
        if (domain === '*') continue;
        const matches = candidates.some((c) =>
          kind === 'suffix' ? domain.startsWith('*') && c.endsWith(domain.slice(1)) && c.length > domain.length - 1 : domain.endsWith('*') && c.startsWith(domain.slice(0, -1)),
        );
        if (matches && domain.length > length) {
          found = vh;
          length = domain.length;
        }
      }
    }
    return found;
  };
  return best('suffix') ?? best('prefix') ?? hosts.find((vh) => vh.domains.includes('*'));
}

export function matchString(matcher: StringMatcher, value: string): boolean {
  const fold = (s: string): string => (matcher.ignore_case ? s.toLowerCase() : s);
  const v = fold(value);
  if (matcher.exact !== undefined) return v === fold(matcher.exact);
  if (matcher.prefix !== undefined) return v.startsWith(fold(matcher.prefix));
  if (matcher.suffix !== undefined) return v.endsWith(fold(matcher.suffix));
  if (matcher.contains !== undefined) return v.includes(fold(matcher.contains));
  if (matcher.safe_regex) return new RegExp(`^(?:${matcher.safe_regex.regex})$`).test(value);
  return false;
}

export function matchHeader(matcher: HeaderMatcher, headers: Record<string, string>): boolean {
  const value = headers[matcher.name.toLowerCase()];
  let matched: boolean;
  if (matcher.present_match !== undefined) matched = (value !== undefined) === matcher.present_match;
  else if (value === undefined) matched = false;
  else if (matcher.string_match) matched = matchString(matcher.string_match, value);
  else if (matcher.exact_match !== undefined) matched = value === matcher.exact_match;
  else if (matcher.prefix_match !== undefined) matched = value.startsWith(matcher.prefix_match);
  else matched = true; // only the name: header present
  return matcher.invert_match ? !matched : matched;
}

function matchQuery(matcher: QueryParameterMatcher, query: URLSearchParams): boolean {
  const value = query.get(matcher.name);
  if (matcher.present_match) return value !== null;
  if (value === null) return false;
  return matcher.string_match ? matchString(matcher.string_match, value) : true;
}

function caseSensitive(match: RouteMatch): boolean {
  const flag = match.case_sensitive;
  if (flag === undefined) return true;
  return typeof flag === 'boolean' ? flag : flag.value;
}

export function matchRoute(match: RouteMatch, request: EmulatedRequest): boolean {
  const [rawPath = '/', rawQuery = ''] = request.path.split('?', 2);
  const sensitive = caseSensitive(match);
  const path = sensitive ? rawPath : rawPath.toLowerCase();
  const fold = (s: string): string => (sensitive ? s : s.toLowerCase());
  let pathOk: boolean;
  if (match.prefix !== undefined) pathOk = path.startsWith(fold(match.prefix));
  else if (match.path !== undefined) pathOk = path === fold(match.path);
  else if (match.path_separated_prefix !== undefined) {
    const prefix = fold(match.path_separated_prefix);
    pathOk = path === prefix || path.startsWith(`${prefix}/`);
  } else if (match.safe_regex) pathOk = new RegExp(`^(?:${match.safe_regex.regex})$`).test(rawPath);
  else pathOk = false;
  if (!pathOk) return false;
  const headers = { ...request.headers, ':method': request.method, ':path': request.path, ':authority': request.host };
  if (!(match.headers ?? []).every((h) => matchHeader(h, headers))) return false;
  const query = new URLSearchParams(rawQuery);
  return (match.query_parameters ?? []).every((q) => matchQuery(q, query));
}

export function selectRoute(virtualHost: VirtualHost, request: EmulatedRequest): Route | undefined {
  return virtualHost.routes.find((route) => matchRoute(route.match, request));
}
