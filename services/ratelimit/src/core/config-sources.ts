// The seam through which config reaches the service. Each source (files, Redis-pushed) delivers its
// complete, validated set of domains; the merged view is rebuilt on every delivery. Precedence is
// per domain, in the order sources are registered: the first source that has a domain wins
// (main.ts registers files before Redis, so a local file overrides a pushed domain).
import type { DomainConfig } from './config-types.js';
import { RateLimitConfig } from './rate-limit-config.js';

export interface RateLimitConfigSource {
  /** "files", "redis", ... — used in logs and metric labels. */
  readonly name: string;
  /**
   * Starts delivering. `onConfig` receives every new complete set of domains; `onError` receives
   * every rejected update (the source keeps its previous set, so the service keeps serving it).
   */
  start(onConfig: (domains: readonly DomainConfig[]) => void, onError: (err: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

export class MergedConfig {
  private readonly bySource = new Map<string, readonly DomainConfig[]>();
  private current = RateLimitConfig.empty();

  /** @param precedence source names, highest precedence first. */
  constructor(private readonly precedence: readonly string[]) {}

  get config(): RateLimitConfig {
    return this.current;
  }

  update(source: string, domains: readonly DomainConfig[]): RateLimitConfig {
    this.bySource.set(source, domains);
    const merged = new Map<string, DomainConfig>();
    const order = [...this.precedence, ...[...this.bySource.keys()].filter((s) => !this.precedence.includes(s))];
    for (const name of order) {
      for (const domain of this.bySource.get(name) ?? []) if (!merged.has(domain.domain)) merged.set(domain.domain, domain);
    }
    this.current = new RateLimitConfig([...merged.values()]);
    return this.current;
  }
}
