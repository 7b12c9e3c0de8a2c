// Retry schedule after failed orders: 1 min, 10 min, 100 min, then daily. Deliberately slow so a
// broken setup never walks into Let's Encrypt's failed-validation limit (5 per hour per name).

const MINUTE_MS = 60_000;
const SCHEDULE_MS = [MINUTE_MS, 10 * MINUTE_MS, 100 * MINUTE_MS] as const;
const DAILY_MS = 24 * 60 * MINUTE_MS;

/** Delay before the next attempt after `failures` consecutive failures (1 = the first failure). */
export function backoffDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  return SCHEDULE_MS[failures - 1] ?? DAILY_MS;
}

/**
 * The delay to use after a failure: the backoff, or the CA's Retry-After when that is longer
 * (RFC 8555 section 6.6). Retry-After never shortens the backoff.
 */
export function retryDelayMs(failures: number, retryAfterMs?: number): number {
  return Math.max(backoffDelayMs(failures), retryAfterMs ?? 0);
}

/** Parses an HTTP Retry-After value (delta-seconds or HTTP-date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * How long to wait before asking for an ARI window again: the CA's Retry-After, kept between one
 * minute and one day (RFC 9773 section 4.3 lets clients clamp it), else `fallbackMs`.
 */
export function ariRecheckDelayMs(retryAfter: string | undefined, now: Date, fallbackMs: number): number {
  const asked = parseRetryAfter(retryAfter, now);
  if (asked === undefined) return fallbackMs;
  return Math.min(Math.max(asked, 60_000), 86_400_000);
}

/**
 * How long the order queue of a CA + account pauses after the CA said 429 / rateLimited: its
 * Retry-After (one minute without one), kept between 1 s and 1 h. The cap matters because some
 * limits concern one domain (Let's Encrypt: certificates per registered domain, a week): the
 * certificate that hit it waits its whole Retry-After, while the others of the account try again
 * after an hour; if the limit was the account's, the first of them gets a 429 and pauses the
 * queue again, so that is a few requests per hour, never a loop.
 */
export function rateLimitPauseMs(retryAfterMs: number | undefined): number {
  return Math.min(Math.max(retryAfterMs ?? MINUTE_MS, 1000), 60 * MINUTE_MS);
}
