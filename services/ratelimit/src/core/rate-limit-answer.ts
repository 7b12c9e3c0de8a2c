// The decision in plain data; the gRPC and JSON adapters map it onto their wire formats.
import type { UnitEnumName } from './units.js';

export type Code = 'OK' | 'OVER_LIMIT';

export interface CurrentLimit {
  readonly name?: string | undefined;
  readonly requestsPerUnit: number;
  readonly unit: UnitEnumName;
}

export interface DescriptorAnswer {
  readonly code: Code;
  readonly currentLimit?: CurrentLimit | undefined;
  readonly limitRemaining: number;
  readonly durationUntilResetSeconds?: number | undefined;
}

/** Set when a quota_mode rule matched, as the reference does (response dynamic_metadata). */
export interface QuotaModeMetadata {
  readonly quotaModeEnabled: true;
  /** Indexes of the request's descriptors whose quota_mode rule is over its limit. */
  readonly quotaModeViolations: readonly number[];
}

export interface RateLimitAnswer {
  readonly overallCode: Code;
  readonly statuses: readonly DescriptorAnswer[];
  readonly responseHeaders: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly dynamicMetadata?: QuotaModeMetadata | undefined;
}
