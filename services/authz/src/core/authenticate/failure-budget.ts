// Failed password checks per user name: after `maxFailures` failures within `windowMs` of the first,
// the name is refused before any hashing until the window ends (GH_AUTHZ_BASIC_LOCKED). Unknown names
// are counted exactly like known ones, so the budget tells nothing about which users exist.
// A verified password does not clear the count (else a victim's own logins would refill an attacker's
// guesses). In memory, per replica: N replicas allow up to N × maxFailures guesses per window.

export interface FailureBudgetOptions {
  /** Failures allowed per name and window; 0 turns the budget off. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Names tracked at most; the oldest windows are dropped first. */
  readonly maxNames?: number;
}

interface Window {
  failures: number;
  readonly endsAt: number;
}

export class FailureBudget {
  readonly #windows = new Map<string, Window>();
  readonly #maxNames: number;

  constructor(readonly options: FailureBudgetOptions) {
    // Each tracked failure cost the caller a full hash, so flushing a victim's window out of a map
    // this size takes hours of hashing behind the concurrency cap.
    this.#maxNames = options.maxNames ?? 100_000;
  }

  /** True when `name` has spent its failures in the current window. */
  exhausted(name: string, now: number): boolean {
    const window = this.#windows.get(name);
    if (!window) return false;
    if (window.endsAt <= now) return void this.#windows.delete(name), false;
    return this.options.maxFailures > 0 && window.failures >= this.options.maxFailures;
  }

  fail(name: string, now: number): void {
    if (this.options.maxFailures <= 0) return;
    const window = this.#windows.get(name);
    if (window && window.endsAt > now) return void window.failures++;
    this.#windows.delete(name);
    // Insertion order is window-start order: the first entries end first.
    while (this.#windows.size >= this.#maxNames) this.#windows.delete(this.#windows.keys().next().value!);
    this.#windows.set(name, { failures: 1, endsAt: now + this.options.windowMs });
  }
}
