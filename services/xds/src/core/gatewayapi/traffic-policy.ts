// BackendTrafficPolicy spec -> IR: rate limits, retries and the other route-level fields here, the
// cluster-level fields in ./traffic-policy-cluster.ts. Fields the table refuses are reported by
// path (./field-support), never silently dropped.
import type { RouteTracingIR } from '../ir/types.js';
import type { AdmissionControlIR, BandwidthLimitIR, ClusterPolicyIR, CompressorType, FaultIR, GlobalRateLimitIR, HashPolicyIR, LocalRateLimitIR, RateLimitRuleIR, RateLimitUnit, ResponseOverrideIR, RetryIR, StringMatchIR } from '../ir/types.js';
import { backendTrafficPolicyFields } from './field-support/backend-traffic-policy.js';
import { findRefusedFields } from './field-support/refused-fields.js';
import { PolicyValues } from './policy-values.js';
import { describeRegexProblem } from './regex.js';
import type { ResourceIndex } from './resource-index.js';
import { translateClusterSettings, type ClusterSettingsSpec } from './traffic-policy-cluster.js';
import { translateAdmissionControl, translateBandwidthLimit, translateResponseOverride, type AdmissionControlSpec, type BandwidthLimitSpec, type ResponseOverrideSpec } from './traffic-policy-filters.js';
import { translateRouteTracing, type TracingSpec } from './traffic-policy-tracing.js';
import { translateCompressorMinLengths, translateFault, translateHashPolicies, translateLocalRateLimit, type CompressorSpec, type FaultSpec } from './traffic-policy-route.js';

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

interface RateLimitCostSpec {
  from?: 'Number' | 'Metadata';
  number?: number;
  metadata?: { namespace?: string; key?: string };
}

interface RateLimitRuleSpec {
  clientSelectors?: ClientSelector[];
  limit?: { requests?: number; unit?: string; fromMetadata?: { namespace?: string; key?: string } };
  cost?: { request?: RateLimitCostSpec; response?: RateLimitCostSpec };
  shadowMode?: boolean;
  shared?: boolean;
  xRateLimitHeaders?: 'Off' | 'DraftVersion03';
}

export interface TrafficPolicySpec extends ClusterSettingsSpec {
  rateLimit?: { type?: 'Global' | 'Local'; global?: { rules?: RateLimitRuleSpec[] }; local?: { rules?: RateLimitRuleSpec[] } };
  faultInjection?: FaultSpec;
  httpUpgrade?: Array<{ type: string; connect?: { terminate?: boolean } }>;
  requestBuffer?: { limit?: string | number };
  responseOverride?: ResponseOverrideSpec[];
  admissionControl?: AdmissionControlSpec;
  bandwidthLimit?: BandwidthLimitSpec;
  telemetry?: { metrics?: { routeStatName?: string }; tracing?: TracingSpec };
  compression?: CompressorSpec[];
  compressor?: CompressorSpec[];
  timeout?: ClusterSettingsSpec['timeout'] & { http?: { streamIdleTimeout?: string; maxStreamDuration?: string } };
  retry?: {
    numRetries?: number;
    numAttemptsPerPriority?: number;
    retryOn?: { triggers?: string[]; httpStatusCodes?: number[] };
    perRetry?: { timeout?: string; backOff?: { baseInterval?: string; maxInterval?: string } };
  };
}

export interface TrafficPolicyIR {
  rateLimit?: GlobalRateLimitIR;
  retry?: RetryIR;
  localRateLimit?: LocalRateLimitIR;
  fault?: FaultIR;
  hashPolicies?: HashPolicyIR[];
  compressors?: CompressorType[];
  compressorMinLengths?: Array<{ type: CompressorType; bytes: number }>;
  upgrades?: Array<{ type: string; terminateConnect?: boolean }>;
  requestBufferBytes?: number;
  responseOverride?: ResponseOverrideIR;
  admissionControl?: AdmissionControlIR;
  bandwidthLimit?: BandwidthLimitIR;
  /** telemetry.metrics.routeStatName, its %ROUTE_…% operators substituted per route. */
  routeStatName?: string;
  /** telemetry.tracing: the routes' tracing. */
  tracing?: RouteTracingIR;
  streamIdleTimeoutMs?: number;
  maxStreamDurationMs?: number;
  /** timeout.http.requestTimeout: the route timeout, unless the route sets its own. */
  requestTimeoutMs?: number;
  /** Settings for the clusters of the targeted routes (each gets a per-policy copy). */
  cluster?: ClusterPolicyIR;
  /** mergeType: this policy merged over the parent policy, by the parent's target ("gateway:…", "listener:…"). */
  merged?: Record<string, TrafficPolicyIR>;
}

/**
 * A policy with a field its kind's table refuses is rejected whole (Accepted=False naming the
 * field), never half-applied; so is one with a value Envoy would refuse.
 */
export function translateTrafficPolicy(policy: string, spec: Record<string, unknown>, index?: ResourceIndex): { ir: TrafficPolicyIR; problems: string[] } {
  const problems: string[] = findRefusedFields(spec, backendTrafficPolicyFields);
  const values = new PolicyValues(problems);
  const typed = spec as TrafficPolicySpec;
  const ir: TrafficPolicyIR = {};
  if (typed.rateLimit) {
    if (typed.rateLimit.type === 'Local' || typed.rateLimit.local) {
      const local = translateLocalRateLimit(policy, typed.rateLimit, values, (rule, at) => translateRuleSelectors(rule as RateLimitRuleSpec, at, problems));
      if (local) ir.localRateLimit = local;
    } else {
      const rateLimit = translateRateLimit(policy, typed.rateLimit, problems);
      if (rateLimit) ir.rateLimit = rateLimit;
    }
  }
  if (typed.retry) ir.retry = translateRetry(typed.retry, values);
  if (typed.faultInjection) {
    const fault = translateFault(typed.faultInjection, values);
    if (fault) ir.fault = fault;
  }
  const compressorField = typed.compressor ? 'compressor' : 'compression';
  const compressors = translateCompressors(typed.compressor ?? typed.compression, compressorField, problems);
  if (compressors) ir.compressors = compressors;
  const minLengths = translateCompressorMinLengths(typed.compressor ?? typed.compression, compressorField, values);
  if (minLengths) ir.compressorMinLengths = minLengths;
  const hashPolicies = translateHashPolicies(typed.loadBalancer as Parameters<typeof translateHashPolicies>[0], values);
  if (hashPolicies) ir.hashPolicies = hashPolicies;
  const requestTimeout = values.duration(typed.timeout?.http?.requestTimeout, 'spec.timeout.http.requestTimeout', false);
  if (requestTimeout !== undefined) ir.requestTimeoutMs = requestTimeout;
  const streamIdle = values.duration(typed.timeout?.http?.streamIdleTimeout, 'spec.timeout.http.streamIdleTimeout', false);
  if (streamIdle !== undefined) ir.streamIdleTimeoutMs = streamIdle;
  const streamMax = values.duration(typed.timeout?.http?.maxStreamDuration, 'spec.timeout.http.maxStreamDuration', false);
  if (streamMax !== undefined) ir.maxStreamDurationMs = streamMax;
  if (typed.httpUpgrade) {
    ir.upgrades = typed.httpUpgrade.map((upgrade, i) => {
      if (upgrade.connect && upgrade.type !== 'CONNECT') problems.push(`spec.httpUpgrade[${i}].connect: only for type CONNECT`);
      return { type: upgrade.type, ...(upgrade.connect?.terminate ? { terminateConnect: true } : {}) };
    });
  }
  const buffer = values.bytes(typed.requestBuffer?.limit, 'spec.requestBuffer.limit');
  if (buffer !== undefined) {
    if (buffer === 0) problems.push('spec.requestBuffer.limit: must be greater than 0');
    else ir.requestBufferBytes = buffer;
  }
  const namespace = policy.slice(0, policy.indexOf('/'));
  const responseOverride = translateResponseOverride(policy, namespace, typed.responseOverride, values, index);
  if (responseOverride) ir.responseOverride = responseOverride;
  const admissionControl = translateAdmissionControl(policy, typed.admissionControl, values);
  if (admissionControl) ir.admissionControl = admissionControl;
  const bandwidthLimit = translateBandwidthLimit(typed.bandwidthLimit, values);
  if (bandwidthLimit) ir.bandwidthLimit = bandwidthLimit;
  const statName = typed.telemetry?.metrics?.routeStatName;
  if (statName !== undefined && statName !== '') ir.routeStatName = statName;
  const tracing = translateRouteTracing(typed.telemetry?.tracing, values);
  if (tracing) ir.tracing = tracing;
  const cluster = translateClusterSettings(policy, typed, values);
  if (cluster) ir.cluster = cluster;
  return { ir, problems };
}

const UNITS: ReadonlySet<string> = new Set(['second', 'minute', 'hour', 'day', 'week', 'month', 'year']);

function translateRateLimit(policy: string, spec: NonNullable<TrafficPolicySpec['rateLimit']>, problems: string[]): GlobalRateLimitIR | undefined {
  const rules: RateLimitRuleIR[] = [];
  (spec.global?.rules ?? []).forEach((rule, r) => {
    const at = `spec.rateLimit.global.rules[${r}]`;
    const unit = (rule.limit?.unit ?? '').toLowerCase();
    if (!UNITS.has(unit) || !rule.limit?.requests) {
      problems.push(`${at}.limit needs requests and unit`);
      return;
    }
    const translated: RateLimitRuleIR = { ...translateRuleSelectors(rule, at, problems), requests: rule.limit.requests, unit: unit as RateLimitUnit };
    // Envoy Gateway shares per rule: a shared rule counts for all the policy's routes, the others per route.
    if (rule.shared === true) translated.shared = true;
    if (rule.xRateLimitHeaders === 'Off' || rule.xRateLimitHeaders === 'DraftVersion03') translated.xRateLimitHeaders = rule.xRateLimitHeaders;
    // Envoy Gateway's shadowMode lives in the rate limit service's config: counted, reported, never enforced.
    if (rule.shadowMode) translated.shadowMode = true;
    const fromMetadata = rule.limit.fromMetadata;
    if (fromMetadata) {
      if (!fromMetadata.namespace || !fromMetadata.key) problems.push(`${at}.limit.fromMetadata: namespace and key are required`);
      else translated.limitFromMetadata = { namespace: fromMetadata.namespace, key: fromMetadata.key };
    }
    const cost = translateRequestCost(rule.cost?.request, `${at}.cost.request`, problems);
    if (cost !== undefined) translated.cost = cost;
    rules.push(translated);
  });
  if (rules.length === 0) return undefined;
  return { policy, shared: rules.every((rule) => rule.shared === true), rules };
}

/**
 * A global rule's request cost: a number (0 checks without spending). Metadata and response costs are refused
 * by the field table; `from: Metadata` without its metadata object is caught here.
 */
function translateRequestCost(cost: RateLimitCostSpec | undefined, at: string, problems: string[]): number | undefined {
  if (!cost) return undefined;
  if (cost.from !== 'Number') {
    problems.push(`${at}.from: Metadata is not translated: a cost from dynamic metadata needs Envoy's hits_addend substitution format, which the Envoy API Gatehouse validates against does not have`);
    return undefined;
  }
  if (cost.number === undefined) {
    problems.push(`${at}.number: required when from is Number`);
    return undefined;
  }
  if (!Number.isSafeInteger(cost.number) || cost.number < 0 || cost.number > MAX_RATE_LIMIT_COST) {
    problems.push(`${at}.number: must be a whole number from 0 to ${MAX_RATE_LIMIT_COST}`);
    return undefined;
  }
  return cost.number;
}

/** The ratelimit service's largest hits_addend (its defaultRequestLimits): a larger cost would be capped there. */
const MAX_RATE_LIMIT_COST = 1_000_000;

/** A rule's clientSelectors as rate limit selectors (and at most one CIDR), regular expressions RE2-checked. */
function translateRuleSelectors(rule: RateLimitRuleSpec, at: string, problems: string[]): Pick<RateLimitRuleIR, 'selectors' | 'cidr'> {
  const translated: Pick<RateLimitRuleIR, 'selectors' | 'cidr'> = { selectors: [] };
  for (const [s, selector] of (rule.clientSelectors ?? []).entries()) translateSelector(selector, translated, `${at}.clientSelectors[${s}]`, problems);
  for (const selector of translated.selectors) {
    const match = 'match' in selector ? selector.match : undefined;
    const problem = match?.type === 'RegularExpression' ? describeRegexProblem(match.value) : undefined;
    if (problem) problems.push(`${at}: ${problem}`);
  }
  return translated;
}

function translateSelector(selector: ClientSelector, rule: Pick<RateLimitRuleIR, 'selectors' | 'cidr'>, at: string, problems: string[]): void {
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

/** Response compressors in preference order, each type once (Envoy has one filter per type). */
function translateCompressors(spec: CompressorSpec[] | undefined, field: string, problems: string[]): CompressorType[] | undefined {
  if (!spec?.length) return undefined;
  const types: CompressorType[] = [];
  spec.forEach((entry, i) => {
    if (!entry.type) problems.push(`spec.${field}[${i}].type: is required`);
    else if (types.includes(entry.type)) problems.push(`spec.${field}[${i}].type: ${entry.type} is listed twice`);
    else types.push(entry.type);
  });
  return types;
}

/** Envoy Gateway's default when retryOn is left out. */
const DEFAULT_TRIGGERS = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'];

export function translateRetry(spec: NonNullable<TrafficPolicySpec['retry']>, values: PolicyValues): RetryIR {
  const statusCodes = spec.retryOn?.httpStatusCodes ?? (spec.retryOn ? [] : [503]);
  const triggers = spec.retryOn?.triggers ?? (spec.retryOn ? [] : DEFAULT_TRIGGERS);
  const retryOn = [...triggers];
  if (statusCodes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn.push('retriable-status-codes');
  const retry: RetryIR = { numRetries: spec.numRetries ?? 2, retryOn, statusCodes };
  const perTry = values.duration(spec.perRetry?.timeout, 'spec.retry.perRetry.timeout', false);
  // Envoy refuses a retry_back_off whose base_interval is 0s or whose max_interval is below it.
  const base = values.duration(spec.perRetry?.backOff?.baseInterval, 'spec.retry.perRetry.backOff.baseInterval');
  const max = values.duration(spec.perRetry?.backOff?.maxInterval, 'spec.retry.perRetry.backOff.maxInterval');
  if (max !== undefined && spec.perRetry?.backOff?.baseInterval === undefined) values.problems.push('spec.retry.perRetry.backOff.maxInterval: needs baseInterval');
  if (base !== undefined && max !== undefined && max < base) {
    values.problems.push(`spec.retry.perRetry.backOff.maxInterval: ${spec.perRetry!.backOff!.maxInterval} is less than baseInterval ${spec.perRetry!.backOff!.baseInterval}`);
  }
  if (perTry !== undefined) retry.perTryTimeoutMs = perTry;
  if (base !== undefined) retry.backOffBaseMs = base;
  if (max !== undefined) retry.backOffMaxMs = max;
  // Envoy's previous_priorities needs an update frequency of at least 1.
  const perPriority = values.integer(spec.numAttemptsPerPriority, 'spec.retry.numAttemptsPerPriority', 1, 2_147_483_647);
  if (perPriority !== undefined) retry.numAttemptsPerPriority = perPriority;
  return retry;
}
