// The validated, in-memory form of one envoyproxy/ratelimit domain config.
import type { Unit } from './units.js';

/** fixed_window is the reference's algorithm and the default; the others are Gatehouse extensions. */
export type Algorithm = 'fixed_window' | 'gcra' | 'sliding_window';

export interface RateLimitRule {
  /** Stats key in the reference's notation: "<domain>.<key>[_<value>].<key>...". */
  readonly fullKey: string;
  readonly requestsPerUnit: number;
  /** Undefined only for unlimited rules. */
  readonly unit: Unit | undefined;
  /** Window = unit x unitMultiplier (reference `unit_multiplier`, default 1). */
  readonly unitMultiplier: number;
  readonly windowSeconds: number;
  readonly unlimited: boolean;
  readonly name: string | undefined;
  readonly replaces: readonly string[];
  readonly shadowMode: boolean;
  readonly quotaMode: boolean;
  readonly detailedMetric: boolean;
  readonly algorithm: Algorithm;
  /** GCRA only: how many requests may arrive at once; defaults to requestsPerUnit. */
  readonly burst: number;
}

export interface DescriptorConfig {
  readonly key: string;
  /** Absent for a bare-key descriptor; may contain '*' wildcards. */
  readonly value: string | undefined;
  readonly rule: RateLimitRule | undefined;
  readonly children: readonly DescriptorConfig[];
  readonly valueToMetric: boolean;
  readonly shareThreshold: boolean;
  /** "<domain>.<key>_<value>...", used in errors, stats and /rlconfig. */
  readonly path: string;
  readonly line: number;
}

export interface DomainConfig {
  readonly domain: string;
  readonly descriptors: readonly DescriptorConfig[];
  /** File name or "redis:<source>" the domain was loaded from. */
  readonly source: string;
}
