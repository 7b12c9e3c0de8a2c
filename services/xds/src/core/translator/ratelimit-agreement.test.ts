// Envoy's rate limit actions and the ratelimit service's domain config come from one plan; this
// checks they agree by simulating both: Envoy turning a request into descriptors (per its action
// semantics), and envoyproxy/ratelimit looking each descriptor up in the domain's YAML tree.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCidr } from '../gatewayapi/traffic-policy.js';
import { loadResourcesFromFiles } from '../provider/load-files.js';
import { GOLDEN_OPTIONS } from '../golden-output.js';
import { translateAll } from '../translate.js';

interface Request {
  path: string;
  method: string;
  headers: Record<string, string>;
  remoteAddress: string;
}
type Entry = [key: string, value: string];
interface StringMatcher {
  exact?: string;
  prefix?: string;
  safe_regex?: { regex: string };
}
interface NamedMatcher {
  name: string;
  string_match: StringMatcher;
}
/** The rate limit actions the translator emits, as far as the simulation reads them. */
interface Action {
  generic_key?: { descriptor_key: string; descriptor_value: string };
  request_headers?: { header_name: string; descriptor_key: string };
  header_value_match?: { descriptor_key: string; descriptor_value: string; expect_match: boolean; headers: NamedMatcher[] };
  query_parameter_value_match?: { descriptor_key: string; descriptor_value: string; expect_match: boolean; query_parameters: NamedMatcher[] };
  masked_remote_address?: { v4_prefix_mask_len: number };
  remote_address?: Record<string, never>;
}
interface EnvoyRoute {
  match: { prefix?: string; path_separated_prefix?: string };
  route: { rate_limits?: Array<{ actions: Action[] }> };
}
interface Descriptor {
  key: string;
  value?: string;
  rate_limit?: { unit: string; requests_per_unit: number };
  descriptors?: Descriptor[];
}

function matches(matcher: StringMatcher, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (typeof matcher.exact === 'string') return value === matcher.exact;
  if (typeof matcher.prefix === 'string') return value.startsWith(matcher.prefix);
  const regex = matcher.safe_regex?.regex;
  return regex !== undefined && new RegExp(`^(?:${regex})$`).test(value);
}

/** Envoy: every action must produce an entry, or the whole descriptor is skipped. */
function envoyDescriptor(actions: Action[], request: Request): Entry[] | undefined {
  const query = request.path.split('?')[1] ?? '';
  const headers: Record<string, string> = { ...request.headers, ':method': request.method, ':path': request.path };
  const params = new URLSearchParams(query);
  const entries: Entry[] = [];
  for (const action of actions) {
    if (action.generic_key) entries.push([action.generic_key.descriptor_key, action.generic_key.descriptor_value]);
    else if (action.request_headers) {
      const value = headers[action.request_headers.header_name];
      if (value === undefined) return undefined;
      entries.push([action.request_headers.descriptor_key, value]);
    } else if (action.header_value_match) {
      const m = action.header_value_match;
      const all = m.headers.every((h) => matches(h.string_match, headers[h.name]));
      if (all !== m.expect_match) return undefined;
      entries.push([m.descriptor_key, m.descriptor_value]);
    } else if (action.query_parameter_value_match) {
      const m = action.query_parameter_value_match;
      const all = m.query_parameters.every((q) => matches(q.string_match, params.get(q.name) ?? undefined));
      if (all !== m.expect_match) return undefined;
      entries.push([m.descriptor_key, m.descriptor_value]);
    } else if (action.masked_remote_address) {
      const len = action.masked_remote_address.v4_prefix_mask_len;
      entries.push(['masked_remote_address', parseCidr(`${request.remoteAddress}/${len}`)!.cidr]);
    } else if (action.remote_address) entries.push(['remote_address', request.remoteAddress]);
    else throw new Error(`action not simulated: ${JSON.stringify(action)}`);
  }
  return entries;
}

/** envoyproxy/ratelimit: walk key/value (or key-only wildcard) nodes; the last one holds the limit. */
function serviceLimit(tree: Descriptor[], entries: Entry[]): string | undefined {
  let level = tree;
  let node: Descriptor | undefined;
  for (const [key, value] of entries) {
    node = level.find((d) => d.key === key && d.value === value) ?? level.find((d) => d.key === key && d.value === undefined);
    if (!node) return undefined;
    level = node.descriptors ?? [];
  }
  return node?.rate_limit ? `${node.rate_limit.requests_per_unit}/${node.rate_limit.unit}` : undefined;
}

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'testdata', 'end-to-end');
const file = 'backendtrafficpolicy-global-ratelimit.in.yaml';
const result = translateAll(loadResourcesFromFiles([{ path: file, text: readFileSync(join(testdata, file), 'utf8') }]).resources, GOLDEN_OPTIONS);
const routeConfig = result.snapshots.get('default/edge')!.routes[0] as { virtual_hosts: Array<{ routes: EnvoyRoute[] }> };
const domain = result.rateLimitDomains[0]!;
const tree = (parse(domain.yaml) as { descriptors: Descriptor[] }).descriptors;

/** The limits that apply to a request, as Envoy would ask for them and the service would find them. */
function limitsFor(request: Request): string[] {
  const route = routeConfig.virtual_hosts[0]!.routes.find((r) => {
    const prefix = r.match.path_separated_prefix ?? r.match.prefix;
    const path = request.path.split('?')[0]!;
    return path === prefix || path.startsWith(`${prefix}/`) || (r.match.prefix !== undefined && path.startsWith(r.match.prefix));
  })!;
  const limits: string[] = [];
  for (const rateLimit of route.route.rate_limits ?? []) {
    const entries = envoyDescriptor(rateLimit.actions, request);
    if (!entries) continue;
    // A descriptor the config has no limit for is not limited (e.g. an address outside the CIDR).
    const limit = serviceLimit(tree, entries);
    if (limit) limits.push(limit);
  }
  return limits;
}

const base: Request = { path: '/api/items', method: 'GET', headers: {}, remoteAddress: '192.0.2.1' };

describe('rate limit actions and domain config agree', () => {
  it('uses the filter chain name as the domain on both sides', () => {
    type Listener = { filter_chains: Array<{ filters: Array<{ typed_config: { http_filters: Array<{ name: string; typed_config: { domain?: string } }> } }> }> };
    const listener = result.snapshots.get('default/edge')!.listeners[0] as Listener;
    const filter = listener.filter_chains[0]!.filters[0]!.typed_config.http_filters.find((f) => f.name === 'envoy.filters.http.ratelimit')!;
    expect(filter.typed_config.domain).toBe(domain.domain);
  });

  it('applies only the catch-all rule to a request no selector picks', () => {
    expect(limitsFor(base)).toEqual(['1000/second']);
  });

  it('counts a header-selected request per distinct user', () => {
    expect(limitsFor({ ...base, headers: { 'x-plan': 'free', 'x-user-id': 'u1' } })).toEqual(['10/minute', '1000/second']);
    expect(limitsFor({ ...base, headers: { 'x-plan': 'paid', 'x-user-id': 'u1' } })).toEqual(['1000/second']);
  });

  it('counts writes from inside the CIDR per client address', () => {
    expect(limitsFor({ ...base, method: 'PUT', remoteAddress: '10.1.7.7' })).toEqual(['5/second', '1000/second']);
    expect(limitsFor({ ...base, method: 'PUT', remoteAddress: '10.2.7.7' })).toEqual(['1000/second']);
    expect(limitsFor({ ...base, method: 'GET', remoteAddress: '10.1.7.7' })).toEqual(['1000/second']);
  });

  it('selects by path prefix and query parameter together', () => {
    expect(limitsFor({ ...base, path: '/api/search?expensive=true' })).toEqual(['100/hour', '1000/second']);
    expect(limitsFor({ ...base, path: '/api/search?expensive=false' })).toEqual(['1000/second']);
  });

  it('puts both routes of a shared policy in one bucket', () => {
    const upload = limitsFor({ ...base, path: '/upload/x' });
    const imports = limitsFor({ ...base, path: '/import/y' });
    expect(upload).toEqual(['50/day']);
    expect(imports).toEqual(upload);
    const actions = (path: string) => routeConfig.virtual_hosts[0]!.routes.find((r) => r.match.path_separated_prefix === path)!.route.rate_limits;
    expect(actions('/upload')).toEqual(actions('/import'));
  });
});
