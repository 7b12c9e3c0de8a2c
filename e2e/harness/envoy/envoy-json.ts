// Turns resources decoded from ADS (protobufjs object form, Any as {type_url, value}) back into Envoy's
// JSON form with "@type", which is what the emulator and the golden files read.
import { unpackAny } from '@gatehouse/contracts';

export function expandAny(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandAny);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.type_url === 'string' && (record.value instanceof Uint8Array || record.value === undefined) && Object.keys(record).length <= 2) {
    const inner = unpackAny(record as { type_url: string; value?: Uint8Array });
    return { '@type': record.type_url, ...(expandAny(inner) as Record<string, unknown>) };
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, expandAny(v)]));
}
