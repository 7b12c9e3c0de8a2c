// BackendTrafficPolicy spec -> IR: global rate limits and retries. Unsupported parts are
// reported, never silently dropped.
import type { GlobalRateLimitIR, RateLimitRuleIR, RateLimitUnit, RetryIR, StringMatchIR } from '../ir/types.js';
import { parseDurationMs } from './durations.js';
import { describeRegexProblem } from './regex.js';

interface StringSelector {
  name?: string;
  type?: 'Exact' | 'RegularExpression' | 'Distinct';
  value?: string;
  invert?: boolean;
}

interface ClientSelector {
  headers?: StringSelector[];
  methods?: Array<{ value: string; invert?: boolean }>;
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string; invert?: boolean };
  queryParams?: StringSelector[];
  sourceCIDR?: { type?: 'Exact' | 'Distinct'; value: string; invert?: boolean };
}

interface RateLimitRuleSpec {
  clientSelectors?: ClientSelector[];
  limit?: { requests?: number; unit?: string; fromMetadata?: unknown };
  cost?: unknown;
  shadowMode?: boolean;
  shared?: boolean;
}

export interface TrafficPolicySpec {
  rateLimit?: { type?: 'Global' | 'Local'; global?: { rules?: RateLimitRuleSpec[] }; local?: unknown };
  retry?: {
    numRetries?: number;
    retryOn?: { triggers?: string[]; httpStatusCodes?: number[] };
    perRetry?: { timeout?: string; backOff?: { baseInterval?: string; maxInterval?: string } };
  };
}

export interface TrafficPolicyIR {
  rateLimit?: GlobalRateLimitIR;
  retry?: RetryIR;
}

/** Everything in the spec Gatehouse does not translate yet; the policy is then rejected. */
const UNSUPPORTED_FIELDS = [
  'admissionControl',
  'bandwidthLimit',
  'circuitBreaker',
  'compression',
  'compressor',
  'connection',
  'dns',
  'faultInjection',
  'healthCheck',
  'http2',
  'httpUpgrade',
  'loadBalancer',
  'proxyProtocol',
  'requestBuffer',
  'responseOverride',
  'tcpKeepalive',
  'telemetry',
  'timeout',
  'useClientProtocol',
  'routingType',
  'mergeType',
  'targetSelectors',
];

export function translateTrafficPolicy(policy: string, spec: Record<string, unknown>): { ir: TrafficPolicyIR; problems: string[] } {
  const problems: string[] = [];
  for (const field of UNSUPPORTED_FIELDS) if (spec[field] !== undefined) problems.push(`spec.${field} is not supported`);
  const typed = spec as TrafficPolicySpec;
  const ir: TrafficPolicyIR = {};
  if (typed.rateLimit) {
    const rateLimit = translateRateLimit(policy, typed.rateLimit, problems);
    if (rateLimit) ir.rateLimit = rateLimit;
  }
  if (typed.retry) ir.retry = translateRetry(typed.retry, problems);
  return { ir, problems };
}

const UNITS: ReadonlySet<string> = new Set(['second', 'minute', 'hour', 'day', 'week', 'month', 'year']);

function translateRateLimit(policy: string, spec: NonNullable<TrafficPolicySpec['rateLimit']>, problems: string[]): GlobalRateLimitIR | undefined {
  if (spec.local !== undefined || spec.type === 'Local') {
    problems.push('spec.rateLimit.local is not supported; use global');
    return undefined;
  }
  const rules: RateLimitRuleIR[] = [];
  let shared = false;
  (spec.global?.rules ?? []).forEach((rule, r) => {
    const at = `spec.rateLimit.global.rules[${r}]`;
    if (rule.cost !== undefined) problems.push(`${at}.cost is not supported`);
    if (rule.shadowMode) problems.push(`${at}.shadowMode is not supported`);
    if (rule.limit?.fromMetadata !== undefined) problems.push(`${at}.limit.fromMetadata is not supported`);
    const unit = (rule.limit?.unit ?? '').toLowerCase();
    if (!UNITS.has(unit) || !rule.limit?.requests) {
      problems.push(`${at}.limit needs requests and unit`);
      return;
    }
    shared ||= rule.shared === true;
    const translated: RateLimitRuleIR = { selectors: [], requests: rule.limit.requests, unit: unit as RateLimitUnit };
    for (const [s, selector] of (rule.clientSelectors ?? []).entries()) {
      translateSelector(selector, translated, `${at}.clientSelectors[${s}]`, problems);
    }
    for (const selector of translated.selectors) {
      const match = 'match' in selector ? selector.match : undefined;
      const problem = match?.type === 'RegularExpression' ? describeRegexProblem(match.value) : undefined;
      if (problem) problems.push(`${at}: ${problem}`);
    }
    rules.push(translated);
  });
  if (rules.length === 0) return undefined;
  return { policy, shared, rules };
}

function translateSelector(selector: ClientSelector, rule: RateLimitRuleIR, at: string, problems: string[]): void {
  for (const header of selector.headers ?? []) {
    const distinct = header.type === 'Distinct';
    const match = distinct ? undefined : toStringMatch(header.type, header.value ?? '');
    rule.selectors.push({ kind: 'header', name: header.name ?? '', ...(match ? { match } : {}), invert: header.invert === true, distinct });
  }
  const methods = selector.methods ?? [];
  for (const invert of [false, true]) {
    const values = methods.filter((m) => (m.invert === true) === invert).map((m) => m.value);
    if (values.length > 0) rule.selectors.push({ kind: 'method', methods: values, invert });
  }
  if (selector.path) {
    const type = selector.path.type === 'PathPrefix' ? 'Prefix' : selector.path.type === 'RegularExpression' ? 'RegularExpression' : 'Exact';
    rule.selectors.push({ kind: 'path', match: { type, value: selector.path.value }, invert: selector.path.invert === true });
  }
  for (const [q, query] of (selector.queryParams ?? []).entries()) {
    // Envoy's rate limit actions have no "one bucket per query value" (only headers and addresses).
    if (query.type === 'Distinct') problems.push(`${at}.queryParams[${q}]: type Distinct is not supported`);
    else rule.selectors.push({ kind: 'query', name: query.name ?? '', match: toStringMatch(query.type, query.value ?? ''), invert: query.invert === true });
  }
  if (selector.sourceCIDR) {
    if (rule.cidr) problems.push(`${at}.sourceCIDR: only one sourceCIDR per rule is supported`);
    else if (selector.sourceCIDR.invert) problems.push(`${at}.sourceCIDR.invert is not supported`);
    else {
      const parsed = parseCidr(selector.sourceCIDR.value);
      if (!parsed) problems.push(`${at}.sourceCIDR.value "${selector.sourceCIDR.value}" is not a CIDR`);
      else rule.cidr = { ...parsed, distinct: selector.sourceCIDR.type === 'Distinct' };
    }
  }
}

function toStringMatch(type: StringSelector['type'], value: string): StringMatchIR {
  return type === 'RegularExpression' ? { type: 'RegularExpression', value } : { type: 'Exact', value };
}

/** Normalised to the network address, because that is what Envoy's masked_remote_address sends. */
export function parseCidr(text: string): { cidr: string; maskLen: number; ipv6: boolean } | undefined {
  const [address, lengthText] = text.split('/');
  if (!address || lengthText === undefined || !/^\d+$/.test(lengthText)) return undefined;
  const maskLen = Number(lengthText);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) {
    const octets = address.split('.').map(Number);
    if (maskLen > 32 || octets.some((o) => o > 255)) return undefined;
    const value = octets.reduce((acc, o) => acc * 256 + o, 0);
    const masked = maskLen === 0 ? 0 : Math.floor(value / 2 ** (32 - maskLen)) * 2 ** (32 - maskLen);
    const network = [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256).join('.');
    return { cidr: `${network}/${maskLen}`, maskLen, ipv6: false };
  }
  if (address.includes(':') && maskLen <= 128) return { cidr: `${address}/${maskLen}`, maskLen, ipv6: true };
  return undefined;
}

/** Envoy Gateway's default when retryOn is left out. */
const DEFAULT_TRIGGERS = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'];

function translateRetry(spec: NonNullable<TrafficPolicySpec['retry']>, problems: string[]): RetryIR {
  const statusCodes = spec.retryOn?.httpStatusCodes ?? (spec.retryOn ? [] : [503]);
  const triggers = spec.retryOn?.triggers ?? (spec.retryOn ? [] : DEFAULT_TRIGGERS);
  const retryOn = [...triggers];
  if (statusCodes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn.push('retriable-status-codes');
  const retry: RetryIR = { numRetries: spec.numRetries ?? 2, retryOn, statusCodes };
  const duration = (text: string | undefined, field: string): number | undefined => {
    if (text === undefined) return undefined;
    const ms = parseDurationMs(text);
    if (ms === undefined) problems.push(`spec.retry.${field} "${text}" is not a duration`);
    return ms;
  };
  const perTry = duration(spec.perRetry?.timeout, 'perRetry.timeout');
  const base = duration(spec.perRetry?.backOff?.baseInterval, 'perRetry.backOff.baseInterval');
  const max = duration(spec.perRetry?.backOff?.maxInterval, 'perRetry.backOff.maxInterval');
  if (perTry !== undefined) retry.perTryTimeoutMs = perTry;
  if (base !== undefined) retry.backOffBaseMs = base;
  if (max !== undefined) retry.backOffMaxMs = max;
  return retry;
}
