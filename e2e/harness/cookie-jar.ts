// A minimal cookie jar around fetch for headless browser-like flows (IdP logins, gateway OIDC
// callbacks): stores Set-Cookie per host and path, sends them back, never follows redirects itself.
// Domain= is ignored (cookies are host-only), which is enough for tests on 127.0.0.1.

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  expiresAt: number | undefined;
}

export type CookieFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface CookieJar {
  /** fetch with `redirect: 'manual'` that sends and stores cookies. */
  readonly fetch: CookieFetch;
  /** `name=value; ...` the jar would send to `url`. */
  cookieHeaderFor(url: string | URL): string;
  /** Names of the cookies the jar would send to `url`. */
  cookieNamesFor(url: string | URL): string[];
  clear(): void;
}

export function createCookieJar(baseFetch: typeof fetch = fetch): CookieJar {
  const cookies = new Map<string, StoredCookie>();

  const matching = (url: URL): StoredCookie[] => {
    const now = Date.now();
    const out: StoredCookie[] = [];
    for (const [key, cookie] of cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) {
        cookies.delete(key);
        continue;
      }
      if (cookie.host !== url.hostname) continue;
      if (cookie.secure && url.protocol !== 'https:') continue;
      if (!pathMatches(url.pathname, cookie.path)) continue;
      out.push(cookie);
    }
    // Longer paths first, as browsers do.
    return out.sort((a, b) => b.path.length - a.path.length);
  };

  const store = (url: URL, header: string): void => {
    const cookie = parseSetCookie(url, header);
    if (!cookie) return;
    const key = `${cookie.host}|${cookie.path}|${cookie.name}`;
    if (cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now()) cookies.delete(key);
    else cookies.set(key, cookie);
  };

  const cookieHeaderFor = (target: string | URL): string =>
    matching(new URL(target)).map((c) => `${c.name}=${c.value}`).join('; ');

  return {
    async fetch(target, init = {}) {
      const url = new URL(target);
      const headers = new Headers(init.headers);
      const header = cookieHeaderFor(url);
      if (header) headers.set('cookie', header);
      const response = await baseFetch(url, { ...init, headers, redirect: 'manual' });
      for (const setCookie of response.headers.getSetCookie()) store(url, setCookie);
      return response;
    },
    cookieHeaderFor,
    cookieNamesFor: (target) => matching(new URL(target)).map((c) => c.name),
    clear: () => cookies.clear(),
  };
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function parseSetCookie(url: URL, header: string): StoredCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const cookie: StoredCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    host: url.hostname,
    path: defaultPath(url.pathname),
    secure: false,
    expiresAt: undefined,
  };
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const [rawName = '', ...rest] = attribute.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'path' && value.startsWith('/')) cookie.path = value;
    else if (name === 'secure') cookie.secure = true;
    else if (name === 'max-age') {
      maxAgeSeen = true;
      cookie.expiresAt = Date.now() + Number(value) * 1000;
    } else if (name === 'expires' && !maxAgeSeen) {
      const at = Date.parse(value);
      if (!Number.isNaN(at)) cookie.expiresAt = at;
    }
  }
  return cookie;
}

/** RFC 6265 5.1.4: the directory of the request path. */
function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}
