// Config problems carry a stable code (for operators to search) plus the file, line and the
// descriptor path inside the domain, e.g. "limits.yaml:12: test-domain.key1_value1: ...".
export type ConfigErrorCode =
  | 'GH_RATELIMIT_CONFIG_YAML'
  | 'GH_RATELIMIT_CONFIG_UNKNOWN_KEY'
  | 'GH_RATELIMIT_CONFIG_BAD_VALUE'
  | 'GH_RATELIMIT_CONFIG_EMPTY_DOMAIN'
  | 'GH_RATELIMIT_CONFIG_DUPLICATE_DOMAIN'
  | 'GH_RATELIMIT_CONFIG_EMPTY_KEY'
  | 'GH_RATELIMIT_CONFIG_DUPLICATE_DESCRIPTOR'
  | 'GH_RATELIMIT_CONFIG_BAD_UNIT'
  | 'GH_RATELIMIT_CONFIG_UNLIMITED_WITH_UNIT'
  | 'GH_RATELIMIT_CONFIG_BAD_REPLACES';

export interface ConfigIssue {
  readonly code: ConfigErrorCode;
  readonly file: string;
  /** 1-based line, 0 when unknown. */
  readonly line: number;
  /** Descriptor path in the reference's notation ("domain.key_value.subkey"), or a YAML path. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  return `${issue.code} ${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

export class RateLimitConfigError extends Error {
  readonly code: ConfigErrorCode;
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'RateLimitConfigError';
    this.code = issues[0]?.code ?? 'GH_RATELIMIT_CONFIG_YAML';
  }
}
