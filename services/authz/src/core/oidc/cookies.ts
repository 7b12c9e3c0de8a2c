// Cookie header parsing and Set-Cookie serialisation (RFC 6265), only what the service needs.

/** First value per cookie name; a client cannot shadow a cookie by sending it twice. */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(/;\s*/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface SetCookieOptions {
  readonly maxAgeSeconds?: number;
  readonly sameSite: 'Lax' | 'Strict';
  readonly path?: string;
  /** Only for "__Secure-" names (oidc.cookieDomain): browsers refuse a "__Host-" cookie with a Domain. */
  readonly domain?: string;
}

/** Always Secure and HttpOnly; "__Host-" names additionally require Path=/ and no Domain. */
export function serializeSetCookie(name: string, value: string, options: SetCookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, 'Secure', 'HttpOnly', `SameSite=${options.sameSite}`];
  if (options.domain !== undefined && !name.startsWith('__Host-')) parts.push(`Domain=${options.domain}`);
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  return parts.join('; ');
}

export function serializeClearCookie(name: string, sameSite: 'Lax' | 'Strict', domain?: string): string {
  return serializeSetCookie(name, '', { sameSite, maxAgeSeconds: 0, ...(domain !== undefined && { domain }) });
}
