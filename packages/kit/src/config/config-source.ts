// The seam through which config reaches a service: each source (files, a Redis publication) delivers
// its complete set; the merged view is rebuilt on every delivery. Precedence is per key, in the order
// given: the first source that has a key wins (services put local files before Redis, so a file
// overrides a pushed item of the same name).
export interface ConfigSource<T> {
  /** "files", "redis", ...: used in logs and metric labels. */
  readonly name: string;
  /**
   * Starts delivering. `onConfig` receives every new complete set; `onError` every rejected update
   * (the source keeps its previous set, so the service keeps serving it).
   */
  start(onConfig: (items: readonly T[]) => void, onError: (err: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

export class MergedSources<T> {
  private readonly bySource = new Map<string, readonly T[]>();
  private merged: readonly T[] = [];

  /** @param precedence source names, highest precedence first; unknown sources come after, in arrival order. */
  constructor(
    private readonly precedence: readonly string[],
    private readonly keyOf: (item: T) => string,
  ) {}

  get items(): readonly T[] {
    return this.merged;
  }

  update(source: string, items: readonly T[]): readonly T[] {
    this.bySource.set(source, items);
    const byKey = new Map<string, T>();
    const order = [...this.precedence, ...[...this.bySource.keys()].filter((s) => !this.precedence.includes(s))];
    for (const name of order) {
      for (const item of this.bySource.get(name) ?? []) {
        const key = this.keyOf(item);
        if (!byKey.has(key)) byKey.set(key, item);
      }
    }
    this.merged = [...byKey.values()];
    return this.merged;
  }
}
