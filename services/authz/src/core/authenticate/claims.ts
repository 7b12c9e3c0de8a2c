// Reading claims from a verified JWT payload, and the bounds on what a payload may carry into
// headers: a 16 KiB token can still nest thousands of levels deep (every recursive walk, from
// freezing the payload to printing a claim, then overflows the stack: 500), or fill one claim that
// several claimToHeaders entries copy into the upstream request. Such a token is refused with 401.

/** Nesting a payload may have (the payload object is level 1); real IdPs use 2 or 3. */
export const MAX_CLAIMS_DEPTH = 16;
/** Bytes of one claimToHeaders value. */
export const MAX_CLAIM_HEADER_BYTES = 8 * 1024;
/** Bytes of all claimToHeaders values of one token together. */
export const MAX_CLAIM_HEADERS_BYTES = 16 * 1024;

/** True when `value` nests deeper than `maxDepth` objects/arrays; stops descending there (no deep recursion). */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (maxDepth <= 0) return true;
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (nestsDeeperThan(child, maxDepth - 1)) return true;
  return false;
}

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
