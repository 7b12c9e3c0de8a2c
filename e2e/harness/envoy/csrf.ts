// Envoy's csrf filter (envoy.filters.http.csrf) with the route's CsrfPolicy: a mutating request (POST,
// PUT, DELETE, PATCH) must come from the destination's own origin or an additional origin, compared by
// host[:port] (Origin, else Referer); otherwise 403 "Invalid origin". The emulator enforces a policy
// whose filter_enabled is 100% and only evaluates (lets through) one below it.
import { matchString } from './route-matching.js';
import type { StringMatcher } from './types.js';

export const CSRF_FILTER = 'envoy.filters.http.csrf';

interface Fraction {
  default_value?: { numerator?: number; denominator?: string | number };
}

export interface CsrfPolicy {
  filter_enabled?: Fraction;
  additional_origins?: StringMatcher[];
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const SCALE: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000, '0': 100, '1': 10_000, '2': 1_000_000 };

function enforced(fraction: Fraction | undefined): boolean {
  const value = fraction?.default_value;
  if (!value) return true;
  return (value.numerator ?? 0) >= (SCALE[String(value.denominator ?? 'HUNDRED')] ?? 100);
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** The status to answer with, or undefined when the request goes on. */
export function runCsrf(policy: CsrfPolicy, method: string, host: string, headers: Record<string, string>): number | undefined {
  if (!MUTATING.has(method) || !enforced(policy.filter_enabled)) return undefined;
  const source = hostOf(headers.origin) ?? hostOf(headers.referer);
  if (source && (source === host || (policy.additional_origins ?? []).some((m) => matchString(m, source)))) return undefined;
  return 403;
}
