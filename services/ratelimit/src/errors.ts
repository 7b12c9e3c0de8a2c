// Every stable error code of the ratelimit service, in one place: what a gRPC status, an HTTP body, a
// log line and check-config print, and what operators search for. The README's "Error codes" table
// lists the same set (errors.test.ts keeps them in step).
import { formatConfigIssue, type ConfigIssue } from '@gatehouse/schemas';

export const RateLimitErrorCodes = {
  // Config (files, Redis publications, check-config). Each names file, line and descriptor path.
  configYaml: 'GH_RATELIMIT_CONFIG_YAML',
  configUnknownKey: 'GH_RATELIMIT_CONFIG_UNKNOWN_KEY',
  configBadValue: 'GH_RATELIMIT_CONFIG_BAD_VALUE',
  configEmptyDomain: 'GH_RATELIMIT_CONFIG_EMPTY_DOMAIN',
  configDuplicateDomain: 'GH_RATELIMIT_CONFIG_DUPLICATE_DOMAIN',
  configEmptyKey: 'GH_RATELIMIT_CONFIG_EMPTY_KEY',
  configDuplicateDescriptor: 'GH_RATELIMIT_CONFIG_DUPLICATE_DESCRIPTOR',
  configBadUnit: 'GH_RATELIMIT_CONFIG_BAD_UNIT',
  configUnlimitedWithUnit: 'GH_RATELIMIT_CONFIG_UNLIMITED_WITH_UNIT',
  configBadReplaces: 'GH_RATELIMIT_CONFIG_BAD_REPLACES',
  configRead: 'GH_RATELIMIT_CONFIG_READ',
  // Requests (gRPC INVALID_ARGUMENT, HTTP 400).
  emptyDomain: 'GH_RATELIMIT_EMPTY_DOMAIN',
  emptyDescriptors: 'GH_RATELIMIT_EMPTY_DESCRIPTORS',
  badJsonRequest: 'GH_RATELIMIT_BAD_JSON_REQUEST',
  hitsAddendTooLarge: 'GH_RATELIMIT_HITS_ADDEND_TOO_LARGE',
  tooManyDescriptors: 'GH_RATELIMIT_TOO_MANY_DESCRIPTORS',
  tooManyEntries: 'GH_RATELIMIT_TOO_MANY_ENTRIES',
  entryTooLong: 'GH_RATELIMIT_ENTRY_TOO_LONG',
  // Backend.
  redisTimeout: 'GH_RATELIMIT_REDIS_TIMEOUT',
  redisKeyError: 'GH_RATELIMIT_REDIS_KEY_ERROR',
  internal: 'GH_RATELIMIT_INTERNAL',
} as const;

export type RateLimitErrorCode = (typeof RateLimitErrorCodes)[keyof typeof RateLimitErrorCodes];
export type RequestErrorCode = (typeof RateLimitErrorCodes)[
  'emptyDomain' | 'emptyDescriptors' | 'badJsonRequest' | 'hitsAddendTooLarge' | 'tooManyDescriptors' | 'tooManyEntries' | 'entryTooLong'
];
export type ConfigErrorCode = Extract<RateLimitErrorCode, `GH_RATELIMIT_CONFIG_${string}`>;

export class RateLimitError extends Error {
  constructor(
    readonly code: RateLimitErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RateLimitError';
  }
}

/**
 * Config problems use the house's one issue shape; `path` is the descriptor path in the reference's
 * notation ("messaging.message_type_marketing.to_number"), the name operators see in stats and /rlconfig.
 */
export { formatConfigIssue, type ConfigIssue };

/** A request the service cannot answer as sent: gRPC INVALID_ARGUMENT, HTTP 400. */
export class RateLimitRequestError extends RateLimitError {
  constructor(code: RequestErrorCode, message: string) {
    super(code, message);
    this.name = 'RateLimitRequestError';
  }
}

/** A config that cannot be used, with every problem found. */
export class RateLimitConfigError extends RateLimitError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(firstConfigCode(issues), issues.map(formatConfigIssue).join('\n'));
    this.name = 'RateLimitConfigError';
  }
}

function firstConfigCode(issues: readonly ConfigIssue[]): RateLimitErrorCode {
  const code = issues[0]?.code;
  return (Object.values(RateLimitErrorCodes) as string[]).includes(code ?? '') ? (code as RateLimitErrorCode) : RateLimitErrorCodes.configYaml;
}
