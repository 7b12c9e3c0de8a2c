// The port between the decision logic and the counter backend (Redis in production). One call
// carries every counter a request touches, so the adapter can send them in one round trip.
import type { Algorithm } from './config-types.js';

export interface CounterCheck {
  readonly algorithm: Algorithm;
  /** Full Redis key (prefix included). For fixed windows it already contains the window start. */
  readonly key: string;
  /** 0 means "read without counting". */
  readonly hits: number;
  readonly limit: number;
  readonly windowSeconds: number;
  /** Fixed window: EXPIRE seconds (window + jitter), like the reference. */
  readonly expireSeconds: number;
  /** GCRA only. */
  readonly burst: number;
}

export type CounterResult =
  /** Fixed window: the counter value after INCRBY. */
  | { readonly algorithm: 'fixed_window'; readonly after: number }
  /** GCRA / sliding window: decided inside Redis (Lua). */
  | {
      readonly algorithm: 'gcra' | 'sliding_window';
      readonly allowed: boolean;
      readonly remaining: number;
      /** Milliseconds until the limit is fully available again (or, when denied, until the next request is). */
      readonly resetMs: number;
    };

export interface CounterStore {
  /** Resolves one result per check, in order; rejects when the backend fails or times out. */
  check(checks: readonly CounterCheck[]): Promise<CounterResult[]>;
}
