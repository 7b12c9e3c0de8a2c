// What the admin API shows of a stored resource: everything, except a Secret's values. Keys stay,
// so an operator sees which entries a Secret has; values never leave the server (nor does the copy
// of the whole Secret `kubectl apply` keeps in an annotation).
import { parse, stringify } from 'yaml';
import type { StoredResource } from './stored-resource.js';

export const REDACTED = '[redacted]';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function redactStoredResource(stored: StoredResource): StoredResource {
  if (!stored.key.startsWith('Secret/')) return stored;
  let document: unknown;
  try {
    document = parse(stored.yaml);
  } catch {
    return { key: stored.key, yaml: '' };
  }
  if (!isObject(document)) return { key: stored.key, yaml: '' };
  const redacted: Record<string, unknown> = { ...document };
  for (const field of ['data', 'stringData']) {
    const values = document[field];
    if (values === undefined) continue;
    redacted[field] = isObject(values) ? Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED])) : REDACTED;
  }
  const metadata = document.metadata;
  if (isObject(metadata) && isObject(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
    redacted.metadata = { ...metadata, annotations: { ...metadata.annotations, [LAST_APPLIED]: REDACTED } };
  }
  return { key: stored.key, yaml: stringify(redacted) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
