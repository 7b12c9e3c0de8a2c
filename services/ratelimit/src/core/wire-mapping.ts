// Maps between the Envoy RLS wire objects (protobufjs, snake_case, enums as names) and the core's
// request/answer types, and between the core and the reference's /json format (proto3 JSON).
import type { RateLimitRequest__Output } from '@gatehouse/contracts/generated/envoy/service/ratelimit/v3/RateLimitRequest';
import type { RateLimitResponse } from '@gatehouse/contracts/generated/envoy/service/ratelimit/v3/RateLimitResponse';
import { RateLimitErrorCodes, RateLimitRequestError } from '../errors.js';
import type { RateLimitAnswer } from './rate-limit-answer.js';
import type { CheckDescriptor, CheckRequest } from './rate-limit-request.js';
import { unitFromEnum } from './units.js';

/** The request's descriptor, including `hits_addend` (a UInt64Value newer Envoy versions send). */
interface WireDescriptor {
  entries?: Array<{ key?: string; value?: string }>;
  limit?: { requests_per_unit?: number; unit?: string | number };
  hits_addend?: { value?: string | number } | null;
}

export function checkRequestFromWire(request: RateLimitRequest__Output): CheckRequest {
  return {
    domain: request.domain ?? '',
    hitsAddend: request.hits_addend,
    descriptors: (request.descriptors ?? []).map((d) => descriptorFromWire(d as WireDescriptor)),
  };
}

function descriptorFromWire(d: WireDescriptor): CheckDescriptor {
  const unit = d.limit ? unitFromEnum(d.limit.unit) : undefined;
  const hits = d.hits_addend?.value;
  return {
    entries: (d.entries ?? []).map((e) => ({ key: e.key ?? '', value: e.value ?? '' })),
    limit: d.limit && unit ? { requestsPerUnit: d.limit.requests_per_unit ?? 0, unit } : undefined,
    hitsAddend: d.hits_addend ? Number(hits ?? 0) : undefined,
  };
}

export function answerToWire(answer: RateLimitAnswer): RateLimitResponse {
  return {
    overall_code: answer.overallCode,
    statuses: answer.statuses.map((s) => ({
      code: s.code,
      current_limit: s.currentLimit
        ? { name: s.currentLimit.name ?? '', requests_per_unit: s.currentLimit.requestsPerUnit, unit: s.currentLimit.unit as never }
        : null,
      limit_remaining: s.limitRemaining,
      duration_until_reset: s.durationUntilResetSeconds === undefined ? null : { seconds: s.durationUntilResetSeconds, nanos: 0 },
    })),
    response_headers_to_add: answer.responseHeaders.map((h) => ({ key: h.key, value: h.value })),
    dynamic_metadata: answer.dynamicMetadata
      ? {
          fields: {
            quotaModeEnabled: { boolValue: true },
            quotaModeViolations: { listValue: { values: answer.dynamicMetadata.quotaModeViolations.map((i) => ({ numberValue: i })) } },
          },
        }
      : null,
  };
}

/** A POST /json body that is not a RateLimitRequest; names the offending field. */
function badJson(message: string): RateLimitRequestError {
  return new RateLimitRequestError(RateLimitErrorCodes.badJsonRequest, message);
}

/**
 * Parses the reference's POST /json body: a RateLimitRequest in proto3 JSON, where field names may
 * be lowerCamelCase or the original snake_case.
 * @throws RateLimitRequestError (GH_RATELIMIT_BAD_JSON_REQUEST) naming the offending field.
 */
export function checkRequestFromJson(body: unknown): CheckRequest {
  const root = asObject(body, 'request', ['domain', 'descriptors', 'hits_addend', 'hitsAddend']);
  const domain = optionalString(pick(root, 'domain'), 'domain') ?? '';
  const descriptors = optionalArray(pick(root, 'descriptors'), 'descriptors').map((raw, i) => {
    const d = asObject(raw, `descriptors[${i}]`, ['entries', 'limit', 'hits_addend', 'hitsAddend']);
    const entries = optionalArray(pick(d, 'entries'), `descriptors[${i}].entries`).map((rawEntry, j) => {
      const e = asObject(rawEntry, `descriptors[${i}].entries[${j}]`, ['key', 'value']);
      return { key: optionalString(pick(e, 'key'), 'key') ?? '', value: optionalString(pick(e, 'value'), 'value') ?? '' };
    });
    const rawLimit = pick(d, 'limit');
    let limit: CheckDescriptor['limit'];
    if (rawLimit !== undefined && rawLimit !== null) {
      const l = asObject(rawLimit, `descriptors[${i}].limit`, ['requests_per_unit', 'requestsPerUnit', 'unit']);
      const unitRaw = pick(l, 'unit');
      const unit = unitFromEnum(typeof unitRaw === 'number' || typeof unitRaw === 'string' ? unitRaw : undefined);
      if (!unit) throw badJson(`descriptors[${i}].limit.unit: unknown unit ${JSON.stringify(unitRaw)}`);
      limit = { requestsPerUnit: uint(pick(l, 'requests_per_unit', 'requestsPerUnit'), `descriptors[${i}].limit.requestsPerUnit`) ?? 0, unit };
    }
    const hitsAddend = uint(pick(d, 'hits_addend', 'hitsAddend'), `descriptors[${i}].hitsAddend`);
    return { entries, limit, hitsAddend };
  });
  return { domain, descriptors, hitsAddend: uint(pick(root, 'hits_addend', 'hitsAddend'), 'hitsAddend') };
}

/** proto3 JSON of RateLimitResponse: camelCase, enum names, durations as "<n>s", defaults omitted. */
export function answerToJson(answer: RateLimitAnswer): Record<string, unknown> {
  const json: Record<string, unknown> = { overallCode: answer.overallCode };
  json.statuses = answer.statuses.map((s) => {
    const status: Record<string, unknown> = { code: s.code };
    if (s.currentLimit) {
      const limit: Record<string, unknown> = {};
      if (s.currentLimit.name) limit.name = s.currentLimit.name;
      if (s.currentLimit.requestsPerUnit) limit.requestsPerUnit = s.currentLimit.requestsPerUnit;
      limit.unit = s.currentLimit.unit;
      status.currentLimit = limit;
    }
    if (s.limitRemaining) status.limitRemaining = s.limitRemaining;
    if (s.durationUntilResetSeconds !== undefined) status.durationUntilReset = `${s.durationUntilResetSeconds}s`;
    return status;
  });
  if (answer.responseHeaders.length > 0) json.responseHeadersToAdd = answer.responseHeaders.map((h) => ({ key: h.key, value: h.value }));
  if (answer.dynamicMetadata) json.dynamicMetadata = { ...answer.dynamicMetadata, quotaModeViolations: [...answer.dynamicMetadata.quotaModeViolations] };
  return json;
}

function pick(object: Record<string, unknown>, snake: string, camel?: string): unknown {
  return object[snake] ?? (camel ? object[camel] : undefined);
}

/** Unknown fields are rejected, as proto3 JSON parsing does in the reference. */
function asObject(value: unknown, path: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badJson(`${path}: expected an object`);
  const unknown = Object.keys(value).find((k) => !fields.includes(k));
  if (unknown !== undefined) throw badJson(`${path}: unknown field "${unknown}"`);
  return value as Record<string, unknown>;
}

function optionalArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badJson(`${path}: expected a list`);
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badJson(`${path}: expected a string`);
  return value;
}

function uint(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw badJson(`${path}: expected an unsigned integer`);
  return n;
}
