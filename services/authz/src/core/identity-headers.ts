// Identity headers are written only by this service. Any client-sent header that a lenient upstream could
// read as one of them (any case, "_" for "-") is removed on every allowed request.

/** Canonical form used for comparison: lower-case with underscores as dashes. */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

/** The request's own header names that collide with an owned identity header, plus the owned names. */
export function headersToRemove(requestHeaders: Readonly<Record<string, string>>, owned: ReadonlySet<string>): string[] {
  const remove = new Set<string>(owned);
  for (const name of Object.keys(requestHeaders)) {
    if (owned.has(canonicalHeaderName(name))) remove.add(name);
  }
  return [...remove];
}
