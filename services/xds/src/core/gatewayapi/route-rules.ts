// One HTTPRoute or GRPCRoute rule -> the parts of RouteIR that do not depend on the listener:
// matches, action (backends / redirect / 500), header modifiers, rewrites, mirrors, timeouts.
import type { CorsIR, HeaderMatchIR, HeaderModifierIR, MirrorIR, RedirectIR, RewriteIR, RouteIR, RouteMatchIR, StringMatchIR, WeightedClusterIR } from '../ir/types.js';
import { resolveBackendRef, type BackendRef, type ClusterRegistry } from './backends.js';
import { combineFallbacks } from './fallback.js';
import { Reasons } from './conditions.js';
import { parseDurationMs } from './durations.js';
import { describeRegexProblem } from './regex.js';
import type { ResourceIndex } from './resource-index.js';
import { originMatcher } from './security-features.js';
import { applyExtensionRef, type ExtensionRefSpec } from './route-filter-refs.js';

/** A route rule without name/policies: those are filled in per listener and hostname. */
export type RuleIR = Omit<RouteIR, 'name' | 'match' | 'securityPolicy' | 'rateLimit' | 'retry'> & { matches: RouteMatchIR[]; ruleName?: string };

export interface RuleProblem {
  /** Condition to set: ResolvedRefs (a backend) or PartiallyInvalid (the rule is dropped). */
  condition: 'ResolvedRefs' | 'PartiallyInvalid';
  reason: string;
  message: string;
}

interface KeyValue {
  name: string;
  value: string;
}

interface HeaderModifierSpec {
  set?: KeyValue[];
  add?: KeyValue[];
  remove?: string[];
}

interface PathModifierSpec {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

interface FilterSpec {
  type: string;
  requestHeaderModifier?: HeaderModifierSpec;
  responseHeaderModifier?: HeaderModifierSpec;
  requestRedirect?: { scheme?: string; hostname?: string; path?: PathModifierSpec; port?: number; statusCode?: number };
  urlRewrite?: { hostname?: string; path?: PathModifierSpec };
  requestMirror?: { backendRef: BackendRef; percent?: number; fraction?: { numerator: number; denominator?: number } };
  cors?: { allowOrigins?: string[]; allowCredentials?: boolean; allowMethods?: string[]; allowHeaders?: string[]; exposeHeaders?: string[]; maxAge?: number };
  extensionRef?: ExtensionRefSpec;
}

interface StringMatchSpec {
  type?: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

interface HttpMatchSpec {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: StringMatchSpec[];
  queryParams?: StringMatchSpec[];
  method?: string;
}

interface GrpcMatchSpec {
  method?: { type?: 'Exact' | 'RegularExpression'; service?: string; method?: string };
  headers?: StringMatchSpec[];
}

export interface RuleSpec {
  /** Rule name: policies may target one rule by it (targetRef sectionName). */
  name?: string;
  matches?: Array<HttpMatchSpec & GrpcMatchSpec>;
  filters?: FilterSpec[];
  backendRefs?: Array<BackendRef & { filters?: FilterSpec[] }>;
  timeouts?: { request?: string; backendRequest?: string };
}

export interface RuleContext {
  routeKind: 'HTTPRoute' | 'GRPCRoute';
  namespace: string;
  index: ResourceIndex;
  registry: ClusterRegistry;
}

const HTTP_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror', 'CORS']);
/** Filters inside a backendRef: header changes for that backend only (Envoy's weighted cluster headers). */
const BACKEND_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier']);
const GRPC_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror']);

/** The rule, or undefined when it must be dropped; problems say why (or which backend failed). */
export function translateRule(rule: RuleSpec, at: string, context: RuleContext): { rule?: RuleIR; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const grpc = context.routeKind === 'GRPCRoute';
  const supported = grpc ? GRPC_FILTERS : HTTP_FILTERS;
  const dropped = (message: string) => ({ problems: [...problems, { condition: 'PartiallyInvalid' as const, reason: Reasons.unsupportedValue, message: `${at}: ${message}` }] });

  const ir: RuleIR = { matches: [], mirrors: [], ...(rule.name ? { ruleName: rule.name } : {}) };
  const specMatches = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
  for (const match of specMatches) ir.matches.push(grpc ? translateGrpcMatch(match) : translateHttpMatch(match));
  const regexProblem = ir.matches.flatMap(regexesOf).map(describeRegexProblem).find((p) => p !== undefined);
  if (regexProblem) return dropped(regexProblem);

  let unresolvedFilter = false;
  for (const filter of rule.filters ?? []) {
    if (filter.type === 'ExtensionRef') {
      // An Envoy Gateway HTTPRouteFilter (route-filter-refs.ts); one that does not resolve answers 500.
      const outcome = applyExtensionRef(ir, filter.extensionRef, at, context);
      if (outcome.drop) return dropped(outcome.drop);
      if (outcome.problem) {
        unresolvedFilter = true;
        problems.push(outcome.problem);
      }
      continue;
    }
    if (!supported.has(filter.type)) return dropped(`filter ${filter.type} is not supported`);
    switch (filter.type) {
      case 'RequestHeaderModifier':
        ir.requestHeaders = mergeModifier(ir.requestHeaders, filter.requestHeaderModifier);
        break;
      case 'ResponseHeaderModifier':
        ir.responseHeaders = mergeModifier(ir.responseHeaders, filter.responseHeaderModifier);
        break;
      case 'RequestRedirect':
        ir.redirect = translateRedirect(filter.requestRedirect ?? {});
        break;
      case 'URLRewrite': {
        const rewrite: RewriteIR = {};
        if (filter.urlRewrite?.hostname) rewrite.hostname = filter.urlRewrite.hostname;
        const path = translatePathModifier(filter.urlRewrite?.path);
        if (path) rewrite.path = path;
        ir.rewrite = rewrite;
        break;
      }
      case 'CORS':
        ir.cors = translateCorsFilter(filter.cors ?? {});
        break;
      case 'RequestMirror': {
        const mirror = filter.requestMirror;
        if (!mirror) break;
        const resolved = resolveBackendRef(mirror.backendRef, { kind: context.routeKind, namespace: context.namespace }, context.index, context.registry, grpc);
        if (!resolved.ok) {
          problems.push({ condition: 'ResolvedRefs', reason: resolved.reason, message: `${at}: mirror: ${resolved.message}` });
          break;
        }
        const entry: MirrorIR = { cluster: resolved.cluster };
        if (mirror.percent !== undefined) entry.percent = mirror.percent;
        else if (mirror.fraction) entry.percent = (100 * mirror.fraction.numerator) / (mirror.fraction.denominator ?? 100);
        ir.mirrors.push(entry);
        break;
      }
    }
  }

  const hostProblem = moveHostHeaderToRewrite(ir);
  if (hostProblem) return dropped(hostProblem);

  if (ir.rewrite?.path?.type === 'ReplacePrefixMatch' && ir.matches.some((m) => m.path.type !== 'Prefix')) {
    return dropped('URLRewrite ReplacePrefixMatch needs PathPrefix matches');
  }
  if (ir.redirect?.path?.type === 'ReplacePrefixMatch' && ir.matches.some((m) => m.path.type !== 'Prefix')) {
    return dropped('RequestRedirect ReplacePrefixMatch needs PathPrefix matches');
  }

  if (rule.timeouts) {
    for (const [field, value] of Object.entries(rule.timeouts)) {
      const ms = parseDurationMs(value);
      if (ms === undefined) return dropped(`timeouts.${field} "${value}" is not a duration`);
      if (field === 'request') ir.timeoutMs = ms;
      else ir.backendTimeoutMs = ms;
    }
  }

  if (unresolvedFilter) delete ir.redirect;
  if (!ir.redirect) {
    // Invalid or zero-weight backends leave their share without an upstream: Envoy answers 500.
    const backends: WeightedClusterIR[] = [];
    for (const [b, ref] of (rule.backendRefs ?? []).entries()) {
      const unsupported = (ref.filters ?? []).find((f) => !BACKEND_FILTERS.has(f.type));
      if (unsupported) return dropped(`backendRefs[${b}]: filter ${unsupported.type} inside a backendRef is not supported`);
      const resolved = resolveBackendRef(ref, { kind: context.routeKind, namespace: context.namespace }, context.index, context.registry, grpc);
      if (!resolved.ok) {
        problems.push({ condition: 'ResolvedRefs', reason: resolved.reason, message: `${at}.backendRefs[${b}]: ${resolved.message}` });
        continue;
      }
      const weight = ref.weight ?? 1;
      if (weight > 0) backends.push({ cluster: resolved.cluster, weight, ...backendHeaders(ref.filters ?? []) });
      if (context.registry.get(resolved.cluster)?.dynamicResolver) ir.dynamicResolver = true;
    }
    const failover = combineFallbacks(backends, context.registry);
    if (!failover.ok) return dropped(failover.message);
    backends.splice(0, backends.length, ...failover.backends);
    // An HTTPRouteFilter directResponse answers itself; one that does not resolve answers 500.
    if (unresolvedFilter) ir.directResponse = { status: 500 };
    else if (ir.directResponse) delete ir.backends;
    else if (backends.length > 0) ir.backends = backends;
    else ir.directResponse = { status: 500 };
  }
  return { rule: ir, problems };
}

function translateHttpMatch(match: HttpMatchSpec): RouteMatchIR {
  const type = match.path?.type ?? 'PathPrefix';
  const value = match.path?.value ?? '/';
  // A PathPrefix ignores a trailing slash ("/api/" matches "/api"), so it is kept without one.
  const path: StringMatchIR =
    type === 'Exact' ? { type: 'Exact', value } : type === 'RegularExpression' ? { type: 'RegularExpression', value } : { type: 'Prefix', value: value.replace(/(.)\/+$/, '$1') };
  const ir: RouteMatchIR = { path, headers: (match.headers ?? []).map(toHeaderMatch), queryParams: (match.queryParams ?? []).map(toHeaderMatch) };
  if (match.method) ir.method = match.method;
  return ir;
}

/** gRPC methods are HTTP/2 paths "/<service>/<method>". */
function translateGrpcMatch(match: GrpcMatchSpec): RouteMatchIR {
  const method = match.method;
  let path: StringMatchIR = { type: 'Prefix', value: '/' };
  if (method && method.type === 'RegularExpression') {
    path = { type: 'RegularExpression', value: `/${method.service || '[^/]+'}/${method.method || '[^/]+'}` };
  } else if (method?.service && method.method) path = { type: 'Exact', value: `/${method.service}/${method.method}` };
  else if (method?.service) path = { type: 'Prefix', value: `/${method.service}/` };
  else if (method?.method) path = { type: 'RegularExpression', value: `/[^/]+/${escapeRegex(method.method)}` };
  return { path, headers: (match.headers ?? []).map(toHeaderMatch), queryParams: [] };
}

/**
 * Envoy refuses a route configuration whose header modifiers touch Host, so setting Host becomes a
 * host rewrite (what it means); removing it, or Host in responses, cannot be expressed.
 */
function moveHostHeaderToRewrite(ir: RuleIR): string | undefined {
  const isHost = (name: string) => name.toLowerCase() === 'host';
  const response = ir.responseHeaders;
  if (response && [...response.set, ...response.add].some((h) => isHost(h.name))) return 'ResponseHeaderModifier cannot set Host';
  if (response?.remove.some(isHost)) return 'ResponseHeaderModifier cannot remove Host';
  const request = ir.requestHeaders;
  if (!request) return undefined;
  if (request.remove.some(isHost)) return 'RequestHeaderModifier cannot remove Host';
  const host = [...request.set, ...request.add].find((h) => isHost(h.name));
  if (!host) return undefined;
  request.set = request.set.filter((h) => !isHost(h.name));
  request.add = request.add.filter((h) => !isHost(h.name));
  if (ir.rewrite?.hostname && ir.rewrite.hostname !== host.value) return 'RequestHeaderModifier sets Host and URLRewrite sets another hostname';
  ir.rewrite = { ...ir.rewrite, hostname: host.value };
  return undefined;
}

function regexesOf(match: RouteMatchIR): string[] {
  return [match.path, ...match.headers.map((h) => h.match), ...match.queryParams.map((q) => q.match)].filter((m) => m.type === 'RegularExpression').map((m) => m.value);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toHeaderMatch(spec: StringMatchSpec): HeaderMatchIR {
  return { name: spec.name, match: spec.type === 'RegularExpression' ? { type: 'RegularExpression', value: spec.value } : { type: 'Exact', value: spec.value } };
}

function mergeModifier(existing: HeaderModifierIR | undefined, spec: HeaderModifierSpec | undefined): HeaderModifierIR {
  const result = existing ?? { set: [], add: [], remove: [] };
  result.set.push(...(spec?.set ?? []));
  result.add.push(...(spec?.add ?? []));
  result.remove.push(...(spec?.remove ?? []));
  return result;
}

function translatePathModifier(spec: PathModifierSpec | undefined): RewriteIR['path'] {
  if (!spec) return undefined;
  if (spec.type === 'ReplaceFullPath') return { type: 'ReplaceFullPath', value: spec.replaceFullPath ?? '/' };
  return { type: 'ReplacePrefixMatch', value: spec.replacePrefixMatch ?? '/' };
}

function translateRedirect(spec: NonNullable<FilterSpec['requestRedirect']>): RedirectIR {
  const redirect: RedirectIR = { statusCode: spec.statusCode ?? 302 };
  if (spec.scheme) redirect.scheme = spec.scheme;
  if (spec.hostname) redirect.hostname = spec.hostname;
  if (spec.port) redirect.port = spec.port;
  const path = translatePathModifier(spec.path);
  if (path) redirect.path = path;
  return redirect;
}

/** The Gateway API CORS filter: maxAge in seconds (default 5), origins as Envoy Gateway matches them. */
function translateCorsFilter(spec: NonNullable<FilterSpec['cors']>): CorsIR {
  return {
    allowOrigins: (spec.allowOrigins ?? []).map(originMatcher),
    allowMethods: spec.allowMethods ?? [],
    allowHeaders: spec.allowHeaders ?? [],
    exposeHeaders: spec.exposeHeaders ?? [],
    maxAgeSeconds: spec.maxAge ?? 5,
    allowCredentials: spec.allowCredentials ?? false,
  };
}

function backendHeaders(filters: readonly FilterSpec[]): Pick<WeightedClusterIR, 'requestHeaders' | 'responseHeaders'> {
  const result: Pick<WeightedClusterIR, 'requestHeaders' | 'responseHeaders'> = {};
  for (const filter of filters) {
    if (filter.type === 'RequestHeaderModifier') result.requestHeaders = mergeModifier(result.requestHeaders, filter.requestHeaderModifier);
    else if (filter.type === 'ResponseHeaderModifier') result.responseHeaders = mergeModifier(result.responseHeaders, filter.responseHeaderModifier);
  }
  return result;
}
