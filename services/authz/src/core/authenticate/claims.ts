// Reading claims from a verified JWT payload.

/** "organization.department" walks nested objects; a literal dotted key wins when it exists. */
export function readClaim(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let current: unknown = payload;
  for (const part of name.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** OAuth scopes from "scope" (space-separated, RFC 8693) or "scp" (string or array, common in IdPs). */
export function readScopes(payload: Readonly<Record<string, unknown>>): Set<string> {
  const scopes = new Set<string>();
  for (const raw of [payload.scope, payload.scp]) {
    if (typeof raw === 'string') for (const s of raw.split(' ')) if (s) scopes.add(s);
    if (Array.isArray(raw)) for (const s of raw) if (typeof s === 'string') scopes.add(s);
  }
  return scopes;
}

/** Header-safe text of a claim: strings as-is, numbers and booleans printed, anything else as JSON. */
export function claimToHeaderValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  // Header values must not carry CR/LF/NUL (header injection); drop the claim rather than mangle it.
  return /[\r\n\0]/.test(text) ? undefined : text;
}
