// Gateway API durations ("1h", "30s", "500ms", "1m30s"): a strict subset of Go durations.
const DURATION = /^(?:\d{1,5}(?:h|m|s|ms)){1,4}$/;
const PART = /(\d+)(h|ms|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or undefined when the text is not a Gateway API duration. */
export function parseDurationMs(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}
