// The config the service answers with, rebuilt on every delivery of any source (files, Redis):
// 1. last good, per domain and source: a domain that was valid and turns invalid keeps serving its
//    last accepted version; one that was never valid is not served; a deleted one is deleted;
// 2. precedence, per domain: the first source in `precedence` that serves a domain wins (files
//    before Redis, so a local file overrides a pushed domain).
import { LastGood, MergedSources, type LastGoodResult } from '@gatehouse/kit';
import type { ConfigIssue } from '../errors.js';
import type { DomainConfig } from './config-types.js';
import { RateLimitConfig, type DomainCandidates } from './rate-limit-config.js';

/** LastGood keys are "<source>:<domain>", so files and Redis keep separate histories of one domain. */
function stateKey(source: string, domain: string): string {
  return `${source}:${domain}`;
}

export function parseStateKey(key: string): { source: string; domain: string } {
  const colon = key.indexOf(':');
  return { source: key.slice(0, colon), domain: key.slice(colon + 1) };
}

/** Every source's domains (serving, stale, refused) and the documents that name no domain. */
export interface ConfigHealth extends LastGoodResult<DomainConfig> {
  readonly unreadable: readonly ConfigIssue[];
}

export interface SourceReport {
  readonly source: string;
  /** Domains of this source now served (their newest version, or their last good one). */
  readonly served: readonly string[];
  /** Domains of this source serving an older generation because the newest one was refused. */
  readonly stale: ReadonlyArray<{ domain: string; generation: number; servingGeneration: number; issues: readonly ConfigIssue[] }>;
  /** Domains of this source that were never valid: not served. */
  readonly refused: ReadonlyArray<{ domain: string; issues: readonly ConfigIssue[] }>;
  /** Problems of documents that name no domain. */
  readonly unreadable: readonly ConfigIssue[];
}

export class RateLimitConfigState {
  private readonly deliveries = new Map<string, DomainCandidates>();
  readonly lastGood = new LastGood<DomainConfig>();
  private readonly merged: MergedSources<DomainConfig>;
  private current = RateLimitConfig.empty();

  /** @param precedence source names, highest first. */
  constructor(precedence: readonly string[]) {
    this.merged = new MergedSources(precedence, (d) => d.domain);
  }

  get config(): RateLimitConfig {
    return this.current;
  }

  /** Serving, stale and refused domains of every source after the last delivery, and unreadable documents. */
  get health(): ConfigHealth {
    const result = this.lastGood.current ?? { serving: [], stale: [], refused: [] };
    return { ...result, unreadable: [...this.deliveries.values()].flatMap((d) => d.unreadable) };
  }

  /** Applies one source's complete delivery and reports how that source's domains stand. */
  apply(source: string, delivery: DomainCandidates): SourceReport {
    this.deliveries.set(source, delivery);
    // LastGood sees one complete delivery: every source's latest, each key prefixed with its source.
    const candidates = [...this.deliveries].flatMap(([name, d]) => d.candidates.map((c) => ({ ...c, key: stateKey(name, c.key) })));
    const unreadable = [...this.deliveries.values()].flatMap((d) => d.unreadable);
    const result = this.lastGood.update(candidates, unreadable);
    const bySource = new Map<string, DomainConfig[]>([...this.deliveries.keys()].map((name) => [name, []]));
    for (const entry of result.serving) bySource.get(parseStateKey(entry.key).source)?.push(entry.value);
    for (const [name, domains] of bySource) this.merged.update(name, domains);
    this.current = new RateLimitConfig(this.merged.items);
    return report(source, result, delivery.unreadable);
  }
}

function report(source: string, result: LastGoodResult<DomainConfig>, unreadable: readonly ConfigIssue[]): SourceReport {
  const mine = <T extends { key: string }>(list: readonly T[]): Array<T & { domain: string }> =>
    list.filter((e) => parseStateKey(e.key).source === source).map((e) => ({ ...e, domain: parseStateKey(e.key).domain }));
  return { source, served: mine(result.serving).map((e) => e.domain), stale: mine(result.stale), refused: mine(result.refused), unreadable };
}
