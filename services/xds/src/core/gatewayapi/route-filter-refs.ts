// An HTTPRoute/GRPCRoute rule's ExtensionRef filter to an Envoy Gateway HTTPRouteFilter, applied as
// Envoy Gateway v1.9 does: urlRewrite (regex path, Host from a header, the backend or a path regex,
// X-Forwarded-Host), directResponse (status, inline or ConfigMap body, content type, headers),
// credentialInjection (a header from a Secret) and cookie matches. A reference that does not resolve
// is ResolvedRefs=False and the rule answers 500 (the Gateway API's rule for custom filters); a value
// Envoy would refuse drops the rule (PartiallyInvalid), never the whole route configuration.
import type { HeaderMatchIR, HeaderModifierIR, RegexReplaceIR, RouteIR, RouteMatchIR } from '../ir/types.js';
import { describeIssues, Reasons } from './conditions.js';
import { describeRegexProblem } from './regex.js';
import { CORE_GROUP, ENVOY_GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

export interface ExtensionRefSpec {
  group?: string;
  kind?: string;
  name?: string;
}

interface RegexSpec {
  pattern?: string;
  substitution?: string;
}

interface HttpRouteFilterSpec {
  urlRewrite?: {
    path?: { type?: string; replaceRegexMatch?: RegexSpec };
    hostname?: { type?: 'Header' | 'Backend' | 'PathRegex'; header?: string; pathRegex?: RegexSpec };
    appendXForwardedHost?: boolean;
  };
  directResponse?: {
    statusCode?: number;
    contentType?: string;
    body?: { type?: 'Inline' | 'ValueRef'; inline?: string; valueRef?: { group?: string; kind?: string; name?: string } };
    header?: { add?: Array<{ name: string; value: string }>; set?: Array<{ name: string; value: string }>; remove?: string[] };
  };
  credentialInjection?: { header?: string; overwrite?: boolean; credential?: { valueRef?: { group?: string; kind?: string; name?: string; namespace?: string } } };
  matches?: Array<{ cookies?: Array<{ name: string; type?: 'Exact' | 'RegularExpression'; value: string }> }>;
}

/** Envoy's default max_direct_response_body_size_bytes: a longer body NACKs the route configuration. */
const MAX_DIRECT_RESPONSE_BODY = 4096;

/** The parts of a rule (route-rules.ts RuleIR) an HTTPRouteFilter changes. */
type RuleIR = Pick<RouteIR, 'rewrite' | 'directResponse' | 'responseHeaders' | 'credential'> & { matches: RouteMatchIR[] };

/** What applying the filter did: a reference problem (the rule answers 500) or a reason to drop the rule. */
export type ExtensionRefOutcome = { problem?: { condition: 'ResolvedRefs'; reason: string; message: string }; drop?: string };

export function applyExtensionRef(ir: RuleIR, ref: ExtensionRefSpec | undefined, at: string, context: { namespace: string; index: ResourceIndex }): ExtensionRefOutcome {
  const namespace = context.namespace;
  const unresolved = (message: string): ExtensionRefOutcome => {
    ir.directResponse = { status: 500 };
    return { problem: { condition: 'ResolvedRefs', reason: Reasons.backendNotFound, message: `${at}: ${message}` } };
  };
  if (ref?.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'HTTPRouteFilter') return unresolved(`Reference ${namespace}/${ref?.name ?? ''} not found for filter type: ${ref?.kind ?? ''}`);
  const filter = context.index.get('HTTPRouteFilter', namespace, ref.name ?? '');
  if (!filter) return unresolved(`Unable to translate HTTPRouteFilter: ${namespace}/${ref.name}`);
  if (filter.issues?.length) return unresolved(`Invalid filter HTTPRouteFilter: ${describeIssues(filter.issues)}`);
  const spec = (filter.spec ?? {}) as HttpRouteFilterSpec;

  if (spec.urlRewrite) {
    const dropped = applyUrlRewrite(ir, spec.urlRewrite);
    if (dropped) return { drop: dropped };
  }
  if (spec.matches) {
    const dropped = applyCookieMatches(ir, spec.matches);
    if (dropped) return { drop: dropped };
  }
  if (spec.directResponse) {
    const body = directResponseBody(spec.directResponse.body, namespace, context.index);
    if (body.error) return unresolved(`Invalid filter HTTPRouteFilter: ${body.error}`);
    if (spec.directResponse.header?.remove?.length) return { drop: 'header.remove is not supported for DirectResponse' };
    ir.directResponse = { status: spec.directResponse.statusCode ?? 200, ...(body.text !== undefined ? { body: body.text } : {}) };
    const headers: HeaderModifierIR = ir.responseHeaders ?? { set: [], add: [], remove: [] };
    if (spec.directResponse.contentType) headers.set.push({ name: 'Content-Type', value: spec.directResponse.contentType });
    headers.set.push(...(spec.directResponse.header?.set ?? []));
    headers.add.push(...(spec.directResponse.header?.add ?? []));
    if (headers.set.length + headers.add.length + headers.remove.length > 0) ir.responseHeaders = headers;
  }
  if (spec.credentialInjection) {
    const injection = spec.credentialInjection;
    const secretRef = injection.credential?.valueRef ?? {};
    const secretNamespace = secretRef.namespace ?? namespace;
    if ((secretRef.group ?? CORE_GROUP) !== CORE_GROUP || (secretRef.kind ?? 'Secret') !== 'Secret') return unresolved(`Invalid filter HTTPRouteFilter: credential valueRef must be a Secret`);
    const allowed = context.index.isReferenceAllowed({ group: ENVOY_GATEWAY_GROUP, kind: 'HTTPRouteFilter', namespace }, { group: CORE_GROUP, kind: 'Secret', namespace: secretNamespace, name: secretRef.name ?? '' });
    if (!allowed) return unresolved(`Invalid filter HTTPRouteFilter: Secret ${secretNamespace}/${secretRef.name} is in another namespace and no ReferenceGrant allows it`);
    const secret = context.index.get('Secret', secretNamespace, secretRef.name ?? '');
    const value = secret ? secretValue(secret, 'credential') : undefined;
    if (!secret) return unresolved(`Invalid filter HTTPRouteFilter: Secret ${secretNamespace}/${secretRef.name} does not exist`);
    if (!value) return unresolved(`Invalid filter HTTPRouteFilter: credential key credential not found in secret ${secretNamespace}/${secretRef.name}`);
    ir.credential = { header: injection.header ?? 'Authorization', value, overwrite: injection.overwrite ?? false };
  }
  return {};
}

function regexOf(spec: RegexSpec | undefined, what: string): RegexReplaceIR | string {
  if (!spec?.pattern) return `${what} Pattern must be set`;
  if (describeRegexProblem(spec.pattern)) return `${what} must be a valid RE2 regular expression`;
  return { pattern: spec.pattern, substitution: spec.substitution ?? '' };
}

function applyUrlRewrite(ir: RuleIR, spec: NonNullable<HttpRouteFilterSpec['urlRewrite']>): string | undefined {
  const rewrite = { ...ir.rewrite };
  const conflict = 'Cannot configure multiple urlRewrite filters for a single HTTPRouteRule';
  if (spec.path) {
    if (spec.path.type !== 'ReplaceRegexMatch') return `urlRewrite.path type ${String(spec.path.type)} is not supported`;
    const regex = regexOf(spec.path.replaceRegexMatch, 'ReplaceRegexMatch');
    if (typeof regex === 'string') return regex;
    if (rewrite.path || rewrite.regexPath) return conflict;
    rewrite.regexPath = regex;
  }
  if (spec.hostname) {
    if (rewrite.hostname || rewrite.hostFrom) return conflict;
    const { type, header, pathRegex } = spec.hostname;
    if ((header !== undefined) !== (type === 'Header')) return type === 'Header' ? 'header must be specified for Header type' : 'header must be nil if the type is not Header';
    if (type === 'Header') rewrite.hostFrom = { kind: 'header', name: header! };
    else if (type === 'Backend') rewrite.hostFrom = { kind: 'backend' };
    else {
      const regex = regexOf(pathRegex, 'PathRegex');
      if (typeof regex === 'string') return regex;
      rewrite.hostFrom = { kind: 'pathRegex', ...regex };
    }
  }
  if (spec.appendXForwardedHost) rewrite.appendXForwardedHost = true;
  ir.rewrite = rewrite;
  return undefined;
}

/** Cookie matches AND the rule's own matches: every rule match is repeated with each filter match's cookies. */
function applyCookieMatches(ir: RuleIR, matches: NonNullable<HttpRouteFilterSpec['matches']>): string | undefined {
  const sets: HeaderMatchIR[][] = [];
  for (const match of objectsOf<{ cookies?: Array<{ name: string; type?: string; value: string }> }>(matches)) {
    const cookies = objectsOf<{ name: string; type?: string; value: string }>(match.cookies);
    for (const cookie of cookies) if (cookie.type === 'RegularExpression' && describeRegexProblem(cookie.value)) return `cookie ${cookie.name}: ${describeRegexProblem(cookie.value)}`;
    sets.push(cookies.map(cookieMatcher));
  }
  if (sets.length === 0) return undefined;
  ir.matches = ir.matches.flatMap((match): RouteMatchIR[] => sets.map((cookies) => ({ ...match, headers: [...match.headers, ...cookies] })));
  return undefined;
}

/**
 * Envoy has no cookie matcher in a route match: the Cookie header (Envoy joins several with "; "
 * before routing) is matched whole by an RE2 expression that finds the one cookie.
 */
function cookieMatcher(cookie: { name: string; type?: string; value: string }): HeaderMatchIR {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const value = cookie.type === 'RegularExpression' ? `(?:${cookie.value})` : escape(cookie.value);
  return { name: 'cookie', match: { type: 'RegularExpression', value: `^(?:.*;\\s*)?${escape(cookie.name)}=${value}(?:;.*)?$` } };
}

function directResponseBody(body: NonNullable<HttpRouteFilterSpec['directResponse']>['body'], namespace: string, index: ResourceIndex): { text?: string; error?: string } {
  if (!body) return {};
  let text: string | undefined;
  if ((body.type ?? 'Inline') === 'Inline') {
    if (body.inline === undefined) return { error: 'inline must be set for type Inline' };
    text = body.inline;
  } else {
    const ref = body.valueRef;
    if (!ref) return { error: 'valueRef must be set for type ValueRef' };
    if (ref.kind !== 'ConfigMap') return { error: `only a ConfigMap is supported for the response body, not ${String(ref.kind)}` };
    const configMap = index.get('ConfigMap', namespace, ref.name ?? '');
    if (!configMap) return { error: `unable to find ConfigMap ${namespace}/${ref.name}` };
    const data = (configMap as { data?: Record<string, unknown> }).data ?? {};
    const value = 'response.body' in data ? data['response.body'] : Object.values(data)[0];
    if (typeof value !== 'string') return { error: `can't find the key response.body in the referenced configmap ${ref.name}` };
    text = value;
  }
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_DIRECT_RESPONSE_BODY) return { error: `response body size ${size} bytes exceeds the limit of ${MAX_DIRECT_RESPONSE_BODY} bytes` };
  return { text };
}

function secretValue(secret: { data?: Record<string, string>; stringData?: Record<string, string> }, key: string): string | undefined {
  const text = secret.stringData?.[key];
  if (typeof text === 'string' && text !== '') return text;
  const data = secret.data?.[key];
  return typeof data === 'string' && data !== '' ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}
