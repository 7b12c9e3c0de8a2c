// The reference's fixed-window decision and near/over-limit accounting for one counter.
export interface FixedWindowOutcome {
  readonly overLimit: boolean;
  readonly remaining: number;
  readonly counts: { readonly overLimit: number; readonly nearLimit: number; readonly withinLimit: number };
}

/**
 * `after` is the counter after adding `hits`. Hits are split between over/near/within limit the
 * way the reference does it, so a request adding N hits that crosses a threshold counts partly.
 */
export function fixedWindowOutcome(limit: number, after: number, hits: number, nearLimitRatio: number): FixedWindowOutcome {
  const before = after - hits;
  const nearThreshold = Math.floor(limit * nearLimitRatio);
  if (after > limit) {
    const overLimit = before >= limit ? hits : after - limit;
    const nearLimit = before >= limit ? 0 : limit - Math.max(nearThreshold, before);
    return { overLimit: true, remaining: 0, counts: { overLimit, nearLimit, withinLimit: 0 } };
  }
  let nearLimit = 0;
  if (after > nearThreshold) nearLimit = before >= nearThreshold ? hits : after - nearThreshold;
  return { overLimit: false, remaining: limit - after, counts: { overLimit: 0, nearLimit, withinLimit: hits } };
}

/** Window start (unix seconds) of the window containing `nowSeconds`. */
export function windowStart(nowSeconds: number, windowSeconds: number): number {
  return Math.floor(nowSeconds / windowSeconds) * windowSeconds;
}

export function secondsUntilReset(nowSeconds: number, windowSeconds: number): number {
  return windowSeconds - (nowSeconds % windowSeconds);
}
