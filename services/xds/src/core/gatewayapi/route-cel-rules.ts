// The CRDs' CEL rules (x-kubernetes-validations) that JSON-schema validation does not run but
// translation depends on, for HTTPRoute and GRPCRoute, with the CRDs' own messages. Like the
// Kubernetes API server, a violation rejects the whole resource.
import type { GatewayResource, ResourceIssue } from '../provider/resource-types.js';
import { parseDurationMs } from './durations.js';

interface Filter {
  type: string;
  [field: string]: unknown;
}

interface Rule {
  matches?: Array<{ path?: { type?: string; value?: string } }>;
  filters?: Filter[];
  backendRefs?: Array<{ filters?: Filter[] }>;
  timeouts?: { request?: string; backendRequest?: string };
}

const FILTER_FIELDS: Record<string, string> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
};
const NOT_REPEATABLE = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'CORS'];
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

export function checkRouteCelRules(route: GatewayResource): ResourceIssue[] {
  const issues: ResourceIssue[] = [];
  const spec = (route.spec ?? {}) as { parentRefs?: Array<{ name: string; namespace?: string; kind?: string; sectionName?: string; port?: number }>; rules?: Rule[] };
  const parents = new Map<string, Array<string | undefined>>();
  for (const ref of spec.parentRefs ?? []) {
    const key = `${ref.kind ?? 'Gateway'}/${ref.namespace ?? ''}/${ref.name}`;
    parents.set(key, [...(parents.get(key) ?? []), ref.sectionName === undefined ? undefined : `${ref.sectionName}:${ref.port ?? ''}`]);
  }
  for (const sections of parents.values()) {
    if (sections.length < 2) continue;
    if (sections.some((s) => s === undefined)) issues.push({ path: '/spec/parentRefs', message: 'sectionName must be specified when parentRefs includes 2 or more references to the same parent' });
    else if (new Set(sections).size !== sections.length) issues.push({ path: '/spec/parentRefs', message: 'sectionName must be unique when parentRefs includes 2 or more references to the same parent' });
  }
  (spec.rules ?? []).forEach((rule, r) => {
    const at = `/spec/rules/${r}`;
    checkFilters(rule.filters ?? [], `${at}/filters`, issues);
    (rule.backendRefs ?? []).forEach((ref, b) => checkFilters(ref.filters ?? [], `${at}/backendRefs/${b}/filters`, issues));
    const types = (rule.filters ?? []).map((f) => f.type);
    if (types.includes('RequestRedirect') && (rule.backendRefs ?? []).length > 0) issues.push({ path: at, message: 'RequestRedirect filter must not be used together with backendRefs' });
    const prefixReplaced = (rule.filters ?? []).some((f) => ((f.requestRedirect ?? f.urlRewrite) as { path?: { type?: string } } | undefined)?.path?.type === 'ReplacePrefixMatch');
    if (prefixReplaced && !(rule.matches?.length === 1 && (rule.matches[0]?.path?.type ?? 'PathPrefix') === 'PathPrefix')) {
      issues.push({ path: at, message: 'When using RequestRedirect or URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified' });
    }
    (rule.matches ?? []).forEach((match, m) => {
      const problem = describePathProblem(match.path?.type ?? 'PathPrefix', match.path?.value ?? '/');
      if (problem) issues.push({ path: `${at}/matches/${m}/path`, message: problem });
    });
    const request = rule.timeouts?.request === undefined ? undefined : parseDurationMs(rule.timeouts.request);
    const backend = rule.timeouts?.backendRequest === undefined ? undefined : parseDurationMs(rule.timeouts.backendRequest);
    if (request !== undefined && backend !== undefined && request !== 0 && backend > request) {
      issues.push({ path: `${at}/timeouts`, message: 'backendRequest timeout cannot be longer than request timeout' });
    }
  });
  return issues;
}

function checkFilters(filters: Filter[], at: string, issues: ResourceIssue[]): void {
  const types = filters.map((f) => f.type);
  for (const type of NOT_REPEATABLE) if (types.filter((t) => t === type).length > 1) issues.push({ path: at, message: `${type} filter cannot be repeated` });
  if (types.includes('RequestRedirect') && types.includes('URLRewrite')) issues.push({ path: at, message: 'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both' });
  filters.forEach((filter, f) => {
    for (const [type, field] of Object.entries(FILTER_FIELDS)) {
      if (filter.type === type && filter[field] === undefined) issues.push({ path: `${at}/${f}`, message: `filter.${field} must be specified for ${type} filter.type` });
      if (filter.type !== type && filter[field] !== undefined) issues.push({ path: `${at}/${f}`, message: `filter.${field} must be nil if the filter.type is not ${type}` });
    }
    const mirror = filter.requestMirror as { percent?: number; fraction?: { numerator: number; denominator?: number } } | undefined;
    if (mirror?.percent !== undefined && mirror.fraction !== undefined) issues.push({ path: `${at}/${f}/requestMirror`, message: 'Only one of percent or fraction may be specified in HTTPRequestMirrorFilter' });
    if (mirror?.fraction && mirror.fraction.numerator > (mirror.fraction.denominator ?? 100)) issues.push({ path: `${at}/${f}/requestMirror/fraction`, message: 'numerator must be less than or equal to denominator' });
    for (const field of ['requestRedirect', 'urlRewrite']) {
      const path = (filter[field] as { path?: { type?: string; replaceFullPath?: string; replacePrefixMatch?: string } } | undefined)?.path;
      if (!path) continue;
      if (path.type === 'ReplaceFullPath' && path.replaceFullPath === undefined) issues.push({ path: `${at}/${f}/${field}/path`, message: "replaceFullPath must be specified when type is set to 'ReplaceFullPath'" });
      if (path.type === 'ReplacePrefixMatch' && path.replacePrefixMatch === undefined) issues.push({ path: `${at}/${f}/${field}/path`, message: "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'" });
      if (path.type !== 'ReplaceFullPath' && path.replaceFullPath !== undefined) issues.push({ path: `${at}/${f}/${field}/path`, message: "type must be 'ReplaceFullPath' when replaceFullPath is set" });
      if (path.type !== 'ReplacePrefixMatch' && path.replacePrefixMatch !== undefined) issues.push({ path: `${at}/${f}/${field}/path`, message: "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set" });
    }
  });
}

function describePathProblem(type: string, value: string): string | undefined {
  if (type !== 'Exact' && type !== 'PathPrefix') return undefined;
  const when = "when type one of ['Exact', 'PathPrefix']";
  if (!value.startsWith('/')) return `value must be an absolute path and start with '/' ${when}`;
  for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) if (value.includes(bad)) return `must not contain '${bad}' ${when}`;
  for (const bad of ['/..', '/.']) if (value.endsWith(bad)) return `must not end with '${bad}' ${when}`;
  if (!PATH_CHARS.test(value)) return `must only contain valid characters (matching ${PATH_CHARS.source}) for types ['Exact', 'PathPrefix']`;
  return undefined;
}
