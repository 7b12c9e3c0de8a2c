// What the fault, local_ratelimit and original-IP-detection parts of Envoy do to one request, for the
// emulator: the route's HTTPFault abort, the route's token bucket (kept per route across requests,
// refilled by the clock like Envoy's), a policy's shared buckets (a local_ratelimit in the HCM), and the client address the connection manager settles on
// (X-Forwarded-For hops, a custom header).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { EmulatedRequest } from './route-matching.js';
import type { HttpConnectionManager } from './types.js';

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';

type Duration = string | { seconds?: string | number; nanos?: number } | undefined;
type Wrapped = number | string | { value?: number | string } | undefined;

/** A Duration in Envoy JSON ("1.5s") or protobufjs object form ({ seconds, nanos }). */
export function durationMs(value: Duration): number {
  if (value === undefined) return 0;
  if (typeof value === 'string') return Math.round(Number.parseFloat(value) * 1000);
  return Number(value.seconds ?? 0) * 1000 + Math.round((value.nanos ?? 0) / 1e6);
}

export function unwrap(value: Wrapped): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'object') return value.value === undefined ? undefined : Number(value.value);
  return Number(value);
}

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

/** A FractionalPercent as a probability; a request is picked when a draw falls under it. */
function applies(percentage: { numerator?: number; denominator?: string } | undefined): boolean {
  const probability = percentage ? (percentage.numerator ?? 0) / (DENOMINATORS[percentage.denominator ?? 'HUNDRED'] ?? 100) : 1;
  return probability >= 1 || Math.random() < probability;
}

export interface HttpFaultConfig {
  abort?: { http_status?: number; grpc_status?: number; percentage?: { numerator?: number; denominator?: string } };
  delay?: { fixed_delay?: Duration; percentage?: { numerator?: number; denominator?: string } };
}

/** The local reply an HTTPFault abort gives, or undefined when the request goes on (delays only wait). */
export function faultAbort(config: HttpFaultConfig | undefined): { status: number; headers: Record<string, string>; body: string } | undefined {
  const abort = config?.abort;
  if (!abort || !applies(abort.percentage)) return undefined;
  if (abort.grpc_status !== undefined) return { status: 200, headers: { 'content-type': 'application/grpc', 'grpc-status': String(abort.grpc_status) }, body: '' };
  return { status: abort.http_status ?? 503, headers: {}, body: 'fault filter abort' };
}

export interface LocalRateLimitConfig {
  token_bucket?: { max_tokens?: number; tokens_per_fill?: Wrapped; fill_interval?: Duration };
  filter_enforced?: unknown;
  enable_x_ratelimit_headers?: string;
}

const buckets = new Map<string, { tokens: number; filledAt: number }>();

/** Takes a token from the route's bucket: false when it is empty (Envoy answers 429). */
export function takeLocalToken(key: string, config: LocalRateLimitConfig | undefined): boolean {
  const bucket = config?.token_bucket;
  if (!bucket) return true;
  const max = Number(bucket.max_tokens ?? 0);
  const perFill = unwrap(bucket.tokens_per_fill) ?? 1;
  const interval = Math.max(1, durationMs(bucket.fill_interval));
  const id = `${key}\u0000${JSON.stringify(bucket)}`;
  const now = Date.now();
  const state = buckets.get(id) ?? { tokens: max, filledAt: now };
  const fills = Math.floor((now - state.filledAt) / interval);
  if (fills > 0) {
    state.tokens = Math.min(max, state.tokens + fills * perFill);
    state.filledAt += fills * interval;
  }
  const allowed = state.tokens > 0;
  if (allowed) state.tokens -= 1;
  buckets.set(id, state);
  return allowed;
}

export interface SharedLocalRateLimitConfig {
  filter_enabled?: { default_value?: { numerator?: number; denominator?: string } };
  filter_enforced?: { default_value?: { numerator?: number; denominator?: string } };
  descriptors?: Array<{ entries?: Array<{ key?: string; value?: string }>; token_bucket?: LocalRateLimitConfig['token_bucket'] }>;
  stage?: number;
}

/**
 * A local_ratelimit filter configured in the HCM itself (a policy's shared buckets): every configured
 * descriptor the request's descriptors match in full spends a token from its bucket, one bucket per
 * filter and descriptor whatever the route; false when one is empty and the filter enforces. Like
 * Envoy, no default bucket: a request matching no descriptor passes. Unset percentages are 0%.
 */
export function takeSharedLocalTokens(filterName: string, config: SharedLocalRateLimitConfig, requestDescriptors: Array<{ entries: Array<{ key: string; value: string }> }>): boolean {
  const percent = (p: { default_value?: { numerator?: number; denominator?: string } } | undefined) => (p?.default_value ? applies(p.default_value) : false);
  if (!percent(config.filter_enabled)) return true;
  const same = (a: Array<{ key?: string; value?: string }>, b: Array<{ key: string; value: string }>) =>
    a.length === b.length && a.every((entry, i) => entry.key === b[i]!.key && (entry.value ?? '') === b[i]!.value);
  let allowed = true;
  for (const descriptor of config.descriptors ?? []) {
    if (!requestDescriptors.some((d) => same(descriptor.entries ?? [], d.entries))) continue;
    if (!takeLocalToken(`${filterName}\u0000${JSON.stringify(descriptor.entries)}`, { token_bucket: descriptor.token_bucket })) allowed = false;
  }
  return allowed || !percent(config.filter_enforced);
}

interface OriginalIpDetection {
  name?: string;
  typed_config?: { header_name?: string; reject_with_status?: { code?: unknown } };
}

/**
 * The client address filters see: with xff_num_trusted_hops N on an edge listener, the Nth address
 * from the right of the X-Forwarded-For the client sent (the peer when there are fewer); with the
 * custom_header extension, that header's address, or a rejection when it has none and says so.
 */
export function detectClientAddress(hcm: HttpConnectionManager, request: EmulatedRequest): { address: string } | { rejectCode: unknown } {
  const extensions = (hcm.original_ip_detection_extensions as OriginalIpDetection[] | undefined) ?? [];
  for (const extension of extensions) {
    const headerName = extension.typed_config?.header_name?.toLowerCase();
    if (!headerName) continue;
    const value = request.headers[headerName]?.trim();
    if (value && isIP(value)) return { address: value };
    if (extension.typed_config?.reject_with_status) return { rejectCode: extension.typed_config.reject_with_status.code };
  }
  const hops = Number(unwrap(hcm.xff_num_trusted_hops as Wrapped) ?? 0);
  if (hops > 0) {
    const chain = (request.headers['x-forwarded-for'] ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
    const candidate = chain[chain.length - hops];
    if (candidate && isIP(candidate)) return { address: candidate };
  }
  return { address: request.clientAddress };
}

interface HashPolicy {
  header?: { header_name?: string };
  cookie?: { name?: string };
  query_parameter?: { name?: string };
  connection_properties?: { source_ip?: boolean };
}

/**
 * The endpoint a consistent-hash (MAGLEV, RING_HASH) cluster picks: the same hash key always gets the
 * same endpoint. Not Envoy's Maglev table, but the property a test can see: stickiness per key.
 */
export function pickHashedEndpoint(policies: HashPolicy[] | undefined, request: EmulatedRequest, endpoints: string[]): string | undefined {
  if (!policies?.length || endpoints.length === 0) return undefined;
  const parts: string[] = [];
  const url = new URL(request.path, 'http://emulated');
  const cookies = Object.fromEntries((request.headers.cookie ?? '').split(';').map((c) => c.trim().split('=') as [string, string]));
  for (const policy of policies) {
    if (policy.header?.header_name) parts.push(request.headers[policy.header.header_name.toLowerCase()] ?? '');
    else if (policy.cookie?.name) parts.push(cookies[policy.cookie.name] ?? '');
    else if (policy.query_parameter?.name) parts.push(url.searchParams.get(policy.query_parameter.name) ?? '');
    else if (policy.connection_properties?.source_ip) parts.push(request.clientAddress);
  }
  // Envoy: with no key for any policy, the request is not hashed (a random endpoint).
  if (parts.every((p) => p === '')) return endpoints[Math.floor(Math.random() * endpoints.length)];
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return endpoints[digest.readUInt32BE(0) % endpoints.length];
}
