// Deadlines for in-flight checks without a timer per check: every entry has the same timeout, so
// entries expire in insertion order and one timer, armed for the oldest, serves them all.
export class DeadlineQueue {
  private readonly entries: Array<{ deadline: number; expire: () => void; settled: boolean }> = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Calls `expire` after the timeout unless the returned `settle` is called first. */
  add(expire: () => void): () => void {
    const entry = { deadline: performance.now() + this.timeoutMs, expire, settled: false };
    this.entries.push(entry);
    if (!this.timer) this.arm();
    return () => {
      entry.settled = true;
    };
  }

  private arm(): void {
    while (this.head < this.entries.length && this.entries[this.head]!.settled) this.head++;
    this.compact();
    const next = this.entries[this.head];
    if (!next) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.deadline - performance.now()));
    this.timer.unref();
  }

  private fire(): void {
    const now = performance.now();
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head]!;
      if (!entry.settled) {
        if (entry.deadline > now) break;
        entry.settled = true;
        entry.expire();
      }
      this.head++;
    }
    this.arm();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}
