// Finds a credential in the places a policy names (headers with a prefix, cookies, query parameters).
import { parseCookieHeader } from '../oidc/cookies.js';
import type { ExtractFrom } from '../policy/policy-model.js';
import type { RequestView } from '../decide/request-view.js';

export interface ExtractedCredential {
  readonly value: string;
  /** Where it came from, so `sanitize` can remove it: a header name, "cookie:<name>" or "param:<name>". */
  readonly source: string;
}

export function extractCredential(request: RequestView, from: ExtractFrom): ExtractedCredential | undefined {
  for (const { name, valuePrefix } of from.headers) {
    const raw = request.headers[name];
    if (raw === undefined) continue;
    if (valuePrefix === '') return raw.trim() === '' ? undefined : { value: raw.trim(), source: name };
    // Auth schemes are case-insensitive ("bearer x" == "Bearer x").
    if (raw.length > valuePrefix.length && raw.slice(0, valuePrefix.length).toLowerCase() === valuePrefix.toLowerCase()) {
      const value = raw.slice(valuePrefix.length).trim();
      if (value !== '') return { value, source: name };
    }
  }
  if (from.cookies.length > 0) {
    const cookies = parseCookieHeader(request.headers.cookie);
    for (const name of from.cookies) {
      const value = cookies.get(name);
      if (value) return { value, source: `cookie:${name}` };
    }
  }
  if (from.params.length > 0 && request.query !== '') {
    const params = new URLSearchParams(request.query);
    for (const name of from.params) {
      const value = params.get(name);
      if (value) return { value, source: `param:${name}` };
    }
  }
  return undefined;
}
