// Readers shared by the SecurityPolicy section compilers: loose field access over an already
// schema-validated document, header names, durations, fetch URLs and the extractFrom block. Each
// reader reports a problem through the compile context and returns a usable fallback.
import type { ExtractFrom } from './policy-model.js';

export type Obj = Record<string, unknown>;

/** What a section compiler reports to, and the resources it may resolve. */
export interface CompileContext {
  readonly issue: (path: string, message: string, code?: string) => void;
  readonly lookup: ResourceDataLookup;
  readonly namespace: string;
  /** "<namespace>/<name>" of the policy being compiled. */
  readonly key: string;
}

/** Secret or ConfigMap data by kind, namespace and name; undefined when absent. */
export type ResourceDataLookup = (kind: 'Secret' | 'ConfigMap' | 'Backend', namespace: string, name: string) => Readonly<Record<string, Buffer>> | undefined;

export function asObj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// Headers that steer routing, framing or other credentials: never written from a claim or a client id.
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'cookie', 'set-cookie', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-envoy-original-path', 'x-request-id']);

/** Header names are compared lower-case. */
export function headerName(value: unknown, path: string, ctx: CompileContext): string {
  const name = typeof value === 'string' ? value.toLowerCase() : '';
  if (!TOKEN.test(name)) ctx.issue(path, 'is not a valid header name');
  return name;
}

/** A header the service writes: hop-by-hop, routing and framing headers are refused. */
export function identityHeaderName(value: unknown, path: string, ctx: CompileContext): string {
  const name = headerName(value, path, ctx);
  if (RESERVED_HEADERS.has(name) || name.startsWith('proxy-') || name.startsWith('x-envoy-')) ctx.issue(path, `"${name}" is reserved and cannot carry identity`);
  return name;
}

// Gateway API style durations ("1h30m", "500ms", "10s"), as the CRD pattern allows.
const DURATION_PATTERN = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const DURATION_PART = /([0-9]{1,5})(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
const MAX_STATIC_TTL_MS = 366 * 24 * 3_600_000;

/** Milliseconds, or undefined when the text is not a valid duration. */
export function parseDurationMs(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(DURATION_PART)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  return total;
}

export function durationField(value: unknown, path: string, fallback: number, ctx: CompileContext): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
  if (ms === undefined || ms > MAX_STATIC_TTL_MS) {
    ctx.issue(path, 'is not a valid duration like "10s", "5m" or "1h30m"');
    return fallback;
  }
  return ms;
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Identity material must come over TLS; plain http is accepted for loopback development only. */
export function isAllowedFetchUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

/** Where a JWT provider looks when it names no extractFrom. */
export function defaultBearer(): ExtractFrom {
  return { headers: [{ name: 'authorization', valuePrefix: 'Bearer ' }], cookies: [], params: [] };
}

export function compileExtractFrom(e: Obj, path: string, ctx: CompileContext): ExtractFrom {
  // JWT providers name headers as {name, valuePrefix}; apiKeyAuth as plain strings.
  const headers = arr(e.headers).map((h, i) =>
    typeof h === 'string'
      ? { name: headerName(h, `${path}/headers/${i}`, ctx), valuePrefix: '' }
      : { name: headerName(asObj(h).name, `${path}/headers/${i}/name`, ctx), valuePrefix: str(asObj(h).valuePrefix) ?? '' },
  );
  const cookies = arr(e.cookies).filter((c): c is string => typeof c === 'string');
  const params = arr(e.params).filter((c): c is string => typeof c === 'string');
  if (headers.length + cookies.length + params.length === 0) ctx.issue(path, 'names no header, cookie or query parameter');
  return { headers, cookies, params };
}
