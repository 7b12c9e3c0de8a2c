// Envoy's cors filter (envoy.filters.http.cors) with the route's CorsPolicy, as Envoy runs it: a
// preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered here, 200 with the
// CORS headers when the origin is allowed and without them when not (forward_not_matching_preflights
// false); any other request with an allowed Origin gets access-control-allow-origin and friends on
// its response.
import { matchString } from './route-matching.js';
import type { StringMatcher } from './types.js';

export const CORS_FILTER = 'envoy.filters.http.cors';

export interface CorsPolicy {
  allow_origin_string_match?: StringMatcher[];
  allow_methods?: string;
  allow_headers?: string;
  expose_headers?: string;
  max_age?: string;
  allow_credentials?: boolean | { value?: boolean };
  forward_not_matching_preflights?: boolean | { value?: boolean };
}

const flag = (value: boolean | { value?: boolean } | undefined) => (typeof value === 'object' ? value.value === true : value === true);

export type CorsOutcome = { kind: 'continue'; responseHeaders: Record<string, string> } | { kind: 'reply'; status: number; headers: Record<string, string> };

export function runCors(policy: CorsPolicy, method: string, headers: Record<string, string>): CorsOutcome {
  const origin = headers.origin;
  if (!origin) return { kind: 'continue', responseHeaders: {} };
  const allowed = (policy.allow_origin_string_match ?? []).some((m) => matchString(m, origin));
  const preflight = method === 'OPTIONS' && Boolean(headers['access-control-request-method']);
  if (preflight) {
    if (!allowed && flag(policy.forward_not_matching_preflights)) return { kind: 'continue', responseHeaders: {} };
    const reply: Record<string, string> = {};
    if (allowed) {
      reply['access-control-allow-origin'] = origin;
      if (flag(policy.allow_credentials)) reply['access-control-allow-credentials'] = 'true';
      if (policy.allow_methods) reply['access-control-allow-methods'] = policy.allow_methods;
      if (policy.allow_headers) reply['access-control-allow-headers'] = policy.allow_headers;
      if (policy.max_age) reply['access-control-max-age'] = policy.max_age;
    }
    return { kind: 'reply', status: 200, headers: reply };
  }
  if (!allowed) return { kind: 'continue', responseHeaders: {} };
  const responseHeaders: Record<string, string> = { 'access-control-allow-origin': origin };
  if (flag(policy.allow_credentials)) responseHeaders['access-control-allow-credentials'] = 'true';
  if (policy.expose_headers) responseHeaders['access-control-expose-headers'] = policy.expose_headers;
  return { kind: 'continue', responseHeaders };
}
