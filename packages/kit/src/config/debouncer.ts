// Coalesces bursts of changes: runs `fn` `delayMs` after the last trigger, but never later than
// `maxDelayMs` after the first trigger of a burst (so a steady trickle of edits still lands).
export interface DebouncerOptions {
  /** Quiet period before running. Default 100 ms. */
  delayMs?: number;
  /** Upper bound from the first trigger to the run. Default 1000 ms. */
  maxDelayMs?: number;
}

export class Debouncer {
  private timer?: ReturnType<typeof setTimeout>;
  private firstTriggerAt?: number;
  private readonly delayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly fn: () => void,
    options: DebouncerOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 100;
    this.maxDelayMs = Math.max(options.maxDelayMs ?? 1000, this.delayMs);
  }

  trigger(): void {
    const now = Date.now();
    this.firstTriggerAt ??= now;
    const wait = Math.max(0, Math.min(this.delayMs, this.firstTriggerAt + this.maxDelayMs - now));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), wait);
  }

  /** Runs a pending call now. */
  flush(): void {
    if (this.timer) this.run();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.firstTriggerAt = undefined;
  }

  private run(): void {
    this.cancel();
    this.fn();
  }
}
