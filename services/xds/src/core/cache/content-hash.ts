// Content hashes for resources and versions. Versions derived from content (never counters or
// clocks) mean a restarted server, or another replica, hands Envoy the same version string for the
// same config, so Envoy never reloads identical config.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal content always serializes identically. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** Short (16 hex chars) sha256 of a value's stable JSON form. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 16);
}

/** Version of a set of named, versioned resources: independent of order. */
export function versionOfSet(entries: Iterable<{ name: string; version: string }>): string {
  const pairs = [...entries].map((e) => `${e.name}\u0000${e.version}`).sort();
  return createHash('sha256').update(pairs.join('\n')).digest('hex').slice(0, 16);
}
