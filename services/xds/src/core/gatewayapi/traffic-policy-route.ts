// BackendTrafficPolicy fields Envoy Gateway puts on the targeted routes: the local rate limit's
// token bucket, fault injection, and what a consistent-hash load balancer hashes on.
import type { CompressorType, FaultIR, HashPolicyIR, LocalDescriptorRuleIR, LocalRateLimitIR } from '../ir/types.js';
import type { PolicyValues } from './policy-values.js';

export interface CompressorSpec {
  type?: CompressorType;
  minContentLength?: string | number;
}

export interface FaultSpec {
  delay?: { fixedDelay?: string; percentage?: number };
  abort?: { httpStatus?: number; grpcStatus?: number; percentage?: number };
}

interface ConsistentHashSpec {
  type?: 'SourceIP' | 'Header' | 'Headers' | 'Cookie' | 'QueryParams';
  header?: { name?: string };
  headers?: Array<{ name?: string }>;
  cookie?: { name?: string; ttl?: string; attributes?: Record<string, string> };
  queryParams?: Array<{ name?: string }>;
}

interface LocalRuleSpec {
  clientSelectors?: unknown[];
  limit?: { requests?: number; unit?: string };
  shadowMode?: boolean;
  shared?: boolean;
  xRateLimitHeaders?: 'Off' | 'DraftVersion03';
}

const FILL_INTERVAL_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Envoy Gateway's bucket for requests no rule without selectors limits: as good as unlimited. */
const UNLIMITED = { requests: 4_294_967_295, fillIntervalMs: 1000 };

type SelectorTranslator = (rule: LocalRuleSpec, at: string) => Pick<LocalDescriptorRuleIR, 'selectors' | 'cidr'>;

/**
 * Envoy Gateway's local limit: the rule without clientSelectors (at most one) is the route's own
 * token bucket; each rule with clientSelectors is a descriptor with a bucket of its own. Envoy's
 * local descriptors carry fixed values, so a Distinct selector (a bucket per value) has no place.
 * A shared rule (with or without clientSelectors) is one bucket for all the policy's routes.
 */
export function translateLocalRateLimit(
  policy: string,
  spec: { local?: { rules?: LocalRuleSpec[] } },
  values: PolicyValues,
  selectorsOf: SelectorTranslator,
): LocalRateLimitIR | undefined {
  const rules = spec.local?.rules ?? [];
  if (rules.length === 0) {
    values.problems.push('spec.rateLimit.local.rules: a local rate limit needs a rule');
    return undefined;
  }
  let bucket: { requests: number; fillIntervalMs: number } | undefined;
  const descriptorRules: LocalDescriptorRuleIR[] = [];
  const descriptorPaths: string[] = [];
  const sharedRules: LocalDescriptorRuleIR[] = [];
  let ok = true;
  rules.forEach((rule, r) => {
    const at = `spec.rateLimit.local.rules[${r}]`;
    const limit = rule.limit;
    const interval = FILL_INTERVAL_MS[(limit?.unit ?? '').toLowerCase()];
    const requests = values.integer(limit?.requests, `${at}.limit.requests`, 1);
    if (interval === undefined) values.problems.push(`${at}.limit.unit: ${String(limit?.unit)} is not one of Second, Minute, Hour, Day`);
    if (interval === undefined || requests === undefined) {
      ok = false;
      return;
    }
    if (rule.shared === true) {
      const selectors = rule.clientSelectors?.length ? selectorsOf(rule, at) : { selectors: [] };
      if (!describesDistinct(selectors, at, values)) sharedRules.push({ ...selectors, requests, fillIntervalMs: interval });
      return;
    }
    if (!rule.clientSelectors?.length) {
      if (bucket) values.problems.push(`${at}: only one rule without clientSelectors (the route's own token bucket) is allowed`);
      bucket = { requests, fillIntervalMs: interval };
      return;
    }
    const selectors = selectorsOf(rule, at);
    if (!describesDistinct(selectors, at, values)) {
      descriptorRules.push({ ...selectors, requests, fillIntervalMs: interval });
      descriptorPaths.push(at);
    }
  });
  if (!ok) return undefined;
  // Envoy refuses a descriptor bucket whose fill_interval is not a multiple of the route bucket's.
  descriptorRules.forEach((rule, i) => {
    if (bucket && rule.fillIntervalMs % bucket.fillIntervalMs !== 0) values.problems.push(`${descriptorPaths[i]}.limit.unit: local rateLimit rule limit unit must be a multiple of the default limit unit`);
  });
  // Envoy's local rate limit is enforced or not, with or without headers, per route: the rules must agree.
  const shadow = agreed(rules.map((r) => r.shadowMode === true), 'shadowMode', values);
  const noHeaders = agreed(rules.map((r) => r.xRateLimitHeaders === 'Off'), 'xRateLimitHeaders', values);
  const sharedOnly = sharedRules.length > 0 && sharedRules.length === rules.length;
  return {
    ...(bucket ?? UNLIMITED),
    ...(descriptorRules.length > 0 ? { descriptorRules } : {}),
    ...(shadow ? { shadow } : {}),
    ...(noHeaders ? { noHeaders } : {}),
    ...(sharedRules.length > 0 ? { shared: { policy, rules: sharedRules } } : {}),
    ...(sharedOnly ? { sharedOnly } : {}),
  };
}

/** True (and a problem) when a rule counts per distinct value, which Envoy's fixed local descriptors cannot. */
function describesDistinct(selectors: Pick<LocalDescriptorRuleIR, 'selectors' | 'cidr'>, at: string, values: PolicyValues): boolean {
  const distinct = selectors.selectors.some((s) => s.kind === 'header' && s.distinct) || selectors.cidr?.distinct === true;
  if (distinct) values.problems.push(`${at}.clientSelectors: type Distinct is not supported by a local rate limit (Envoy's local descriptors have fixed values); use a Global one`);
  return distinct;
}

function agreed(flags: boolean[], field: string, values: PolicyValues): boolean {
  if (flags.some((f) => f) && !flags.every((f) => f)) values.problems.push(`spec.rateLimit.local.rules: ${field} must be the same on every local rule (Envoy applies it to the route's whole local rate limit)`);
  return flags.every((f) => f);
}

export function translateFault(spec: FaultSpec, values: PolicyValues): FaultIR | undefined {
  const at = 'spec.faultInjection';
  if (!spec.delay && !spec.abort) {
    values.problems.push(`${at}: set delay or abort`);
    return undefined;
  }
  const ir: FaultIR = {};
  if (spec.delay) {
    // Envoy's fixed_delay must be set and greater than 0s.
    const delay = values.duration(spec.delay.fixedDelay, `${at}.delay.fixedDelay`);
    if (spec.delay.fixedDelay === undefined) values.problems.push(`${at}.delay.fixedDelay: is required`);
    const percent = values.percent(spec.delay.percentage, `${at}.delay.percentage`);
    if (delay !== undefined) ir.delay = { fixedDelayMs: delay, ...(percent !== undefined ? { percent } : {}) };
  }
  if (spec.abort) {
    const { httpStatus, grpcStatus } = spec.abort;
    if ((httpStatus === undefined) === (grpcStatus === undefined)) values.problems.push(`${at}.abort: set exactly one of httpStatus and grpcStatus`);
    const http = values.integer(httpStatus, `${at}.abort.httpStatus`, 200, 599);
    const grpc = values.integer(grpcStatus, `${at}.abort.grpcStatus`, 0, 16);
    const percent = values.percent(spec.abort.percentage, `${at}.abort.percentage`);
    if (http !== undefined || grpc !== undefined) {
      ir.abort = { ...(http !== undefined ? { httpStatus: http } : {}), ...(grpc !== undefined ? { grpcStatus: grpc } : {}), ...(percent !== undefined ? { percent } : {}) };
    }
  }
  return ir;
}

export function translateHashPolicies(spec: { type?: string; consistentHash?: ConsistentHashSpec } | undefined, values: PolicyValues): HashPolicyIR[] | undefined {
  if (spec?.type !== 'ConsistentHash') return undefined;
  const at = 'spec.loadBalancer.consistentHash';
  const hash = spec.consistentHash;
  const named = (list: Array<{ name?: string }> | undefined, field: string): string[] => {
    const names = (list ?? []).map((entry) => entry.name).filter((name): name is string => typeof name === 'string' && name !== '');
    if (names.length === 0) values.problems.push(`${at}.${field}: is required for type ${hash?.type}`);
    return names;
  };
  switch (hash?.type) {
    case 'SourceIP':
      return [{ kind: 'sourceIP' }];
    case 'Header':
      return named(hash.header ? [hash.header] : [], 'header').map((name) => ({ kind: 'header', name }));
    case 'Headers':
      return named(hash.headers, 'headers').map((name) => ({ kind: 'header', name }));
    case 'QueryParams':
      return named(hash.queryParams, 'queryParams').map((name) => ({ kind: 'query', name }));
    case 'Cookie': {
      const ttl = values.duration(hash.cookie?.ttl, `${at}.cookie.ttl`);
      const attributes = cookieAttributes(hash.cookie?.attributes, values);
      return named(hash.cookie ? [hash.cookie] : [], 'cookie').map((name) => ({ kind: 'cookie', name, ...(ttl !== undefined ? { ttlMs: ttl } : {}), ...(attributes ? { attributes } : {}) }));
    }
    default:
      values.problems.push(`${at}.type: one of SourceIP, Header, Headers, Cookie, QueryParams is required`);
      return undefined;
  }
}

/** Attributes of the cookie Envoy sets, by name; Envoy refuses an empty name or one a header cannot carry. */
function cookieAttributes(spec: Record<string, string> | undefined, values: PolicyValues): Array<{ name: string; value: string }> | undefined {
  if (!spec || Object.keys(spec).length === 0) return undefined;
  const attributes: Array<{ name: string; value: string }> = [];
  for (const name of Object.keys(spec).sort()) {
    const value = spec[name] ?? '';
    if (!/^[!#-'*+.0-9A-Z^-z|~-]+$/.test(name)) values.problems.push(`spec.loadBalancer.consistentHash.cookie.attributes: "${name}" is not a cookie attribute name`);
    else if (/[\0\r\n;]/.test(value)) values.problems.push(`spec.loadBalancer.consistentHash.cookie.attributes.${name}: a value cannot hold ";", CR, LF or NUL`);
    else attributes.push({ name, value });
  }
  return attributes;
}

/** Envoy's compressor compresses nothing shorter than 30 bytes; the CRD says so too. */
const MIN_CONTENT_LENGTH = 30;

/** minContentLength per compressor type: Envoy sets it on the filter, so each value gets a filter of its own. */
export function translateCompressorMinLengths(spec: CompressorSpec[] | undefined, field: string, values: PolicyValues): Array<{ type: CompressorType; bytes: number }> | undefined {
  const lengths: Array<{ type: CompressorType; bytes: number }> = [];
  (spec ?? []).forEach((entry, i) => {
    const bytes = values.bytes(entry.minContentLength, `spec.${field}[${i}].minContentLength`);
    if (bytes === undefined || !entry.type) return;
    if (bytes < MIN_CONTENT_LENGTH) values.problems.push(`spec.${field}[${i}].minContentLength: ${String(entry.minContentLength)} is below Envoy's minimum of 30 bytes`);
    else if (!lengths.some((l) => l.type === entry.type)) lengths.push({ type: entry.type, bytes });
  });
  return lengths.length > 0 ? lengths : undefined;
}
