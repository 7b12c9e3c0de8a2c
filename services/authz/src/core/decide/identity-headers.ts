// Identity headers are written only by this service. Any client-sent header that a lenient upstream could
// read as one of them (any case, "_" for "-") is removed on every allowed request.

/** Canonical form used for comparison: lower-case with underscores as dashes. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes('_') ? lower.replace(/_/g, '-') : lower;
}

/**
 * The owned names plus the request's own header names that collide with one, plus `extra` (headers a
 * policy strips, such as a sanitized API key), each once, except the names the answer writes: Envoy
 * applies headers_to_remove after the headers it sets, so a written header must never be listed
 * (setting it already replaces any client value of that exact name).
 * Runs on every allowed request: one pass, no intermediate sets.
 */
export function headersToRemove(
  requestHeaders: Readonly<Record<string, string>>,
  owned: ReadonlySet<string>,
  written: ReadonlyArray<readonly [string, string]> = [],
  extra: readonly string[] = [],
): string[] {
  const isWritten = (name: string): boolean => written.some(([w]) => w === name);
  const remove: string[] = [];
  for (const name of owned) if (!isWritten(name)) remove.push(name);
  for (const name in requestHeaders) {
    if (!owned.has(name) && owned.has(canonicalHeaderName(name)) && !isWritten(name)) remove.push(name);
  }
  for (const name of extra) if (!isWritten(name) && !remove.includes(name)) remove.push(name);
  return remove;
}
