// Decides whether a post-login or post-logout redirect target is safe. Accepts a same-host relative
// path, or an absolute https URL whose origin is the request's own or on the allow-list; every known
// open-redirect trick fails closed (returns undefined).

export interface RedirectTargetOptions {
  /** The request's host (":authority"), possibly with a port. */
  readonly requestHost: string;
  /** Extra allowed origins, e.g. "https://app.example.com". */
  readonly allowedOrigins?: readonly string[];
}

// Control characters, whitespace, backslashes and anything non-ASCII: browsers strip or reinterpret them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTER = /[\u0000-\u0020\u007f-\uffff\\]/;
// Encoded slash, backslash, dot, percent, control characters and whitespace: decoded by some hop later.
const UNSAFE_ESCAPE = /%(?:2f|5c|2e|25|[01][0-9a-f]|7f|20)/i;

export function validateRedirectTarget(target: string, options: RedirectTargetOptions): string | undefined {
  if (target === '' || target.length > 2048) return undefined;
  if (UNSAFE_CHARACTER.test(target) || UNSAFE_ESCAPE.test(target)) return undefined;
  if (target.startsWith('/')) {
    // "//evil" and "/\evil" are protocol-relative to browsers.
    if (target.startsWith('//')) return undefined;
    return target;
  }
  const authority = /^https:\/\/([^/?#]*)/i.exec(target)?.[1];
  if (authority === undefined || authority.includes('@')) return undefined;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return undefined;
  const sameHost = url.host === normaliseHost(options.requestHost);
  const allowed = sameHost || (options.allowedOrigins ?? []).some((origin) => sameOrigin(origin, url));
  return allowed ? url.href : undefined;
}

function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith(':443') ? lower.slice(0, -4) : lower;
}

function sameOrigin(origin: string, url: URL): boolean {
  try {
    return new URL(origin).origin === url.origin;
  } catch {
    return false;
  }
}
