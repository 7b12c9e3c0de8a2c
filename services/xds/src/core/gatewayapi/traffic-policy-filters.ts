// BackendTrafficPolicy fields Envoy Gateway translates into HTTP filters of their own:
// responseOverride (custom_response), admissionControl (admission_control) and bandwidthLimit
// (bandwidth_limit), read with the rules the CRD and Envoy's protos set.
import type { AdmissionControlIR, BandwidthLimitIR, HeaderValueIR, ResponseOverrideIR, ResponseOverrideRuleIR } from '../ir/types.js';
import type { PolicyValues } from './policy-values.js';
import { describeRegexProblem } from './regex.js';
import type { ResourceIndex } from './resource-index.js';

interface HeaderSpec {
  name?: string;
  value?: string;
}

export interface ResponseOverrideSpec {
  match?: {
    statusCodes?: Array<{ type?: 'Value' | 'Range'; value?: number; range?: { start?: number; end?: number } }>;
    responseHeaders?: Array<{ name?: string; value?: { type?: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression'; value?: string } }>;
  };
  source?: string;
  response?: {
    contentType?: string;
    statusCode?: number;
    body?: { type?: 'Inline' | 'ValueRef'; inline?: string; valueRef?: { group?: string; kind?: string; name?: string } };
    header?: { add?: HeaderSpec[]; set?: HeaderSpec[]; remove?: string[] };
  };
  redirect?: { scheme?: string; hostname?: string; port?: number; statusCode?: number; path?: { type?: string; replaceFullPath?: string; replacePrefixMatch?: string } };
}

/** The key of a ConfigMap holding a response body, as Envoy Gateway reads it. */
const BODY_KEY = 'response.body';

export function translateResponseOverride(policy: string, namespace: string, spec: ResponseOverrideSpec[] | undefined, values: PolicyValues, index?: ResourceIndex): ResponseOverrideIR | undefined {
  if (!spec?.length) return undefined;
  const rules: ResponseOverrideRuleIR[] = [];
  spec.forEach((entry, i) => {
    const at = `spec.responseOverride[${i}]`;
    const rule: ResponseOverrideRuleIR = { statusCodes: [], responseHeaders: [] };
    (entry.match?.statusCodes ?? []).forEach((code, c) => {
      const where = `${at}.match.statusCodes[${c}]`;
      if ((code.type ?? 'Value') === 'Value') {
        const value = values.integer(code.value, `${where}.value`, 100, 599);
        if (code.value === undefined) values.problems.push(`${where}.value: is required for type Value`);
        else if (value !== undefined) rule.statusCodes.push({ kind: 'value', value });
      } else if (code.type === 'Range') {
        const start = values.integer(code.range?.start, `${where}.range.start`, 100, 599);
        const end = values.integer(code.range?.end, `${where}.range.end`, 100, 599);
        if (start === undefined || end === undefined) {
          if (!code.range) values.problems.push(`${where}.range: is required for type Range`);
        } else if (end <= start) values.problems.push(`${where}.range: end must be greater than start`);
        else rule.statusCodes.push({ kind: 'range', start, end });
      } else values.problems.push(`${where}.type: "${String(code.type)}" is not one of Value, Range`);
    });
    (entry.match?.responseHeaders ?? []).forEach((header, h) => {
      const where = `${at}.match.responseHeaders[${h}]`;
      const type = header.value?.type ?? 'Exact';
      const value = header.value?.value ?? '';
      const problem = type === 'RegularExpression' ? describeRegexProblem(value) : undefined;
      if (!header.name) values.problems.push(`${where}.name: is required`);
      else if (problem) values.problems.push(`${where}.value: ${problem}`);
      else rule.responseHeaders.push({ name: header.name.toLowerCase(), match: { type, value } });
    });
    if (!entry.match?.statusCodes?.length && !entry.match?.responseHeaders?.length) values.problems.push(`${at}.match: set statusCodes or responseHeaders`);
    // Envoy's custom_response filter sees every response, the backend's and Envoy's own alike.
    if (entry.source !== undefined && entry.source !== 'All') values.problems.push(`${at}.source: ${entry.source} is not translated: Envoy's custom_response filter cannot tell local replies from the backend's; use All`);
    if ((entry.response === undefined) === (entry.redirect === undefined)) values.problems.push(`${at}: set exactly one of response and redirect`);
    if (entry.response) {
      const response = translateResponse(entry.response, `${at}.response`, namespace, values, index);
      if (response) rule.response = response;
    }
    if (entry.redirect) {
      const redirect = translateRedirect(entry.redirect, `${at}.redirect`, values);
      if (redirect) rule.redirect = redirect;
    }
    rules.push(rule);
  });
  return { policy, rules };
}

function translateResponse(spec: NonNullable<ResponseOverrideSpec['response']>, at: string, namespace: string, values: PolicyValues, index?: ResourceIndex): ResponseOverrideRuleIR['response'] {
  // Envoy's LocalResponsePolicy takes statuses from 200 to 599.
  const statusCode = values.integer(spec.statusCode, `${at}.statusCode`, 200, 599);
  const headers = (list: HeaderSpec[] | undefined, field: string): HeaderValueIR[] =>
    (list ?? []).flatMap((h, i) => {
      if (!h.name || h.value === undefined) {
        values.problems.push(`${at}.header.${field}[${i}]: needs name and value`);
        return [];
      }
      return [{ name: h.name, value: h.value }];
    });
  if (spec.header?.remove?.length) values.problems.push(`${at}.header.remove: is not supported for a custom response`);
  let body: string | undefined;
  const source = spec.body;
  if (source && (source.type ?? 'Inline') === 'Inline') {
    if (source.inline === undefined) values.problems.push(`${at}.body.inline: is required for type Inline`);
    else body = source.inline;
  } else if (source?.type === 'ValueRef') {
    const ref = source.valueRef;
    if (!ref?.name || ref.kind !== 'ConfigMap' || (ref.group ?? '') !== '') values.problems.push(`${at}.body.valueRef: only a ConfigMap (group "") is supported`);
    else {
      const configMap = index?.get('ConfigMap', namespace, ref.name);
      const data = (configMap as { data?: Record<string, unknown> } | undefined)?.data;
      if (!configMap || configMap.issues?.length) values.problems.push(`${at}.body.valueRef: ConfigMap ${namespace}/${ref.name} does not exist or is invalid`);
      else if (typeof data?.[BODY_KEY] !== 'string') values.problems.push(`${at}.body.valueRef: ConfigMap ${namespace}/${ref.name} has no "${BODY_KEY}" key`);
      else body = data[BODY_KEY];
    }
  } else if (source) values.problems.push(`${at}.body.type: "${String(source.type)}" is not one of Inline, ValueRef`);
  return {
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(spec.contentType ? { contentType: spec.contentType } : {}),
    ...(body !== undefined ? { body } : {}),
    add: headers(spec.header?.add, 'add'),
    set: headers(spec.header?.set, 'set'),
  };
}

function translateRedirect(spec: NonNullable<ResponseOverrideSpec['redirect']>, at: string, values: PolicyValues): ResponseOverrideRuleIR['redirect'] {
  const statusCode = spec.statusCode ?? 302;
  if (statusCode !== 301 && statusCode !== 302) values.problems.push(`${at}.statusCode: ${statusCode} is not one of 301, 302`);
  if (spec.scheme !== undefined && spec.scheme !== 'http' && spec.scheme !== 'https') values.problems.push(`${at}.scheme: "${spec.scheme}" is not one of http, https`);
  const port = values.integer(spec.port, `${at}.port`, 1, 65535);
  let path: string | undefined;
  if (spec.path) {
    // The CRD's rule: a custom redirect replaces the whole path (there is no matched prefix to replace).
    if (spec.path.type !== 'ReplaceFullPath') values.problems.push(`${at}.path.type: only ReplaceFullPath is supported`);
    else if (spec.path.replaceFullPath === undefined) values.problems.push(`${at}.path.replaceFullPath: is required for type ReplaceFullPath`);
    else path = spec.path.replaceFullPath;
  }
  return {
    ...(spec.scheme ? { scheme: spec.scheme } : {}),
    ...(spec.hostname ? { hostname: spec.hostname } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(path !== undefined ? { path } : {}),
    statusCode,
  };
}

export interface AdmissionControlSpec {
  samplingWindow?: string;
  minSuccessRate?: number;
  rejectionAggression?: number;
  minRequestRate?: number;
  maxRejectionPercent?: number;
  successCriteria?: { http?: { statusCodes?: number[] }; grpc?: { statusCodes?: string[] } };
}

const GRPC_CODES = [
  'Ok', 'Cancelled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted',
  'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
] as const;

/** The CRD's defaults: a 30s window, 95% success, rejecting at most 80%, a linear curve, no minimum rate. */
export function translateAdmissionControl(policy: string, spec: AdmissionControlSpec | undefined, values: PolicyValues): AdmissionControlIR | undefined {
  if (!spec) return undefined;
  const at = 'spec.admissionControl';
  const window = values.duration(spec.samplingWindow ?? '30s', `${at}.samplingWindow`);
  // Envoy truncates the window to whole seconds and divides by it.
  if (window !== undefined && window < 1000) values.problems.push(`${at}.samplingWindow: must be at least 1s`);
  const successRate = values.integer(spec.minSuccessRate ?? 95, `${at}.minSuccessRate`, 1, 100);
  const aggression = values.integer(spec.rejectionAggression ?? 1, `${at}.rejectionAggression`, 1, 2_147_483_647);
  const minRequestRate = values.integer(spec.minRequestRate ?? 0, `${at}.minRequestRate`);
  const maxRejection = values.integer(spec.maxRejectionPercent ?? 80, `${at}.maxRejectionPercent`, 0, 100);
  const httpSuccessStatuses = (spec.successCriteria?.http?.statusCodes ?? []).flatMap((code, i) => {
    const status = values.integer(code, `${at}.successCriteria.http.statusCodes[${i}]`, 100, 599);
    return status === undefined ? [] : [status];
  });
  const grpcSuccessStatuses = (spec.successCriteria?.grpc?.statusCodes ?? []).flatMap((name, i) => {
    const code = (GRPC_CODES as readonly string[]).indexOf(name);
    if (code < 0) values.problems.push(`${at}.successCriteria.grpc.statusCodes[${i}]: "${name}" is not a gRPC status code name`);
    return code < 0 ? [] : [code];
  });
  if (window === undefined || window < 1000 || successRate === undefined || aggression === undefined || minRequestRate === undefined || maxRejection === undefined) return undefined;
  return {
    policy,
    samplingWindowMs: window,
    minSuccessRatePercent: successRate,
    aggression,
    minRequestRate,
    maxRejectionPercent: maxRejection,
    httpSuccessStatuses: [...new Set(httpSuccessStatuses)].sort((a, b) => a - b),
    grpcSuccessStatuses: [...new Set(grpcSuccessStatuses)].sort((a, b) => a - b),
  };
}

export interface BandwidthLimitSpec {
  request?: { limit?: { value?: string | number; unit?: string } };
  response?: { limit?: { value?: string | number; unit?: string }; responseTrailers?: { prefix?: string } };
}

const UNIT_SECONDS: Record<string, number> = { Second: 1, Minute: 60, Hour: 3600 };

/** Bytes per unit -> Envoy's limit_kbps (KiB per second), which must be at least 1. */
export function translateBandwidthLimit(spec: BandwidthLimitSpec | undefined, values: PolicyValues): BandwidthLimitIR | undefined {
  if (!spec) return undefined;
  const at = 'spec.bandwidthLimit';
  if (!spec.request && !spec.response) {
    values.problems.push(`${at}: set request or response`);
    return undefined;
  }
  const kibps = (limit: { value?: string | number; unit?: string } | undefined, direction: string): number | undefined => {
    const seconds = UNIT_SECONDS[limit?.unit ?? ''];
    const bytes = values.bytes(limit?.value, `${at}.${direction}.limit.value`, Number.MAX_SAFE_INTEGER);
    if (seconds === undefined) values.problems.push(`${at}.${direction}.limit.unit: "${String(limit?.unit)}" is not one of Second, Minute, Hour`);
    if (seconds === undefined || bytes === undefined) return undefined;
    const rate = Math.floor(bytes / 1024 / seconds);
    if (rate < 1) values.problems.push(`${at}.${direction}.limit: ${String(limit?.value)} per ${String(limit?.unit)} is below 1 KiB per second, Envoy's smallest limit`);
    return rate < 1 ? undefined : rate;
  };
  const ir: BandwidthLimitIR = {};
  if (spec.request) {
    const rate = kibps(spec.request.limit, 'request');
    if (rate !== undefined) ir.requestKibps = rate;
  }
  if (spec.response) {
    const rate = kibps(spec.response.limit, 'response');
    if (rate !== undefined) ir.responseKibps = rate;
    const prefix = spec.response.responseTrailers?.prefix;
    if (spec.response.responseTrailers) {
      if (prefix !== undefined && prefix !== '' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(prefix)) values.problems.push(`${at}.response.responseTrailers.prefix: "${prefix}" cannot start a header name`);
      else ir.responseTrailerPrefix = prefix ?? '';
    }
  }
  return ir;
}
