// The synchronous-or-asynchronous hot path in one place: a cached token or an API key is decided
// without a promise (benchmarked: bench/authz), while signature checks and IdP/Redis I/O return one.
// Callers chain through thenMaybe instead of testing `instanceof Promise` themselves.

/**
 * onValue(value) now when `value` is a plain value; otherwise `value.then(onValue, onError)` — onError
 * sees a rejection of `value` only (like Promise.then's second argument). Without onError a rejection
 * propagates to the returned promise.
 */
export function thenMaybe<T, R>(value: T | Promise<T>, onValue: (value: T) => R | Promise<R>, onError?: (error: unknown) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(onValue, onError) : onValue(value);
}
