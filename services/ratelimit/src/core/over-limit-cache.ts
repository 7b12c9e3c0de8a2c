// Bounded in-process cache of counter keys known to be over their limit until a given time, so a
// hot abuser costs no Redis call (the reference's LOCAL_CACHE_SIZE_IN_BYTES feature). Insertion
// order of a Map gives cheap oldest-first eviction.
export interface OverLimitCacheOptions {
  /** Maximum number of keys kept; the oldest is evicted first. 0 disables the cache. */
  readonly maxKeys: number;
}

export class OverLimitCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly options: OverLimitCacheOptions) {}

  get enabled(): boolean {
    return this.options.maxKeys > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  isOverLimit(key: string, nowMs: number): boolean {
    if (this.entries.size === 0) return false;
    const until = this.entries.get(key);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.entries.delete(key);
    return false;
  }

  markOverLimit(key: string, untilMs: number): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    this.entries.set(key, untilMs);
    while (this.entries.size > this.options.maxKeys) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
