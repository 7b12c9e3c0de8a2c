// Bounded cache of verified-token verdicts, each valid until the token's own expiry. Eviction is
// first-in-first-out: a hit costs one Map lookup (no reordering), which matters on the hot path.
export interface CachedVerdict<T> {
  readonly value: T;
  readonly expiresAtMs: number;
}

export class VerdictCache<T> {
  readonly #entries = new Map<string, CachedVerdict<T>>();

  constructor(readonly maxEntries: number) {}

  get(key: string, nowMs: number): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, expiresAtMs: number, nowMs: number): void {
    if (expiresAtMs <= nowMs || this.maxEntries <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAtMs });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
