// One shape for every input error a user sees, in every service and the CLI:
// "file:line: Kind namespace/name: /path: CODE: message".
export interface ResourceIssueLocation {
  readonly file?: string;
  readonly line?: number;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** JSON pointer inside the resource, e.g. /spec/rateLimit/global/rules/0/limit. */
  readonly path?: string;
}

export interface ConfigIssue extends ResourceIssueLocation {
  /** Stable code, e.g. GH_CONFIG_YAML_SYNTAX, GH_XDS_SCHEMA, GH_AUTHZ_CONFIG_INVALID. */
  readonly code: string;
  readonly message: string;
}

export function formatIssue(location: ResourceIssueLocation, message: string): string {
  const where = location.file ? `${location.file}${location.line ? `:${location.line}` : ''}: ` : '';
  const resource = location.kind ? `${location.kind} ${location.namespace ? `${location.namespace}/` : ''}${location.name ?? '?'}: ` : '';
  const path = location.path ? `${location.path}: ` : '';
  return `${where}${resource}${path}${message}`;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  return formatIssue(issue, `${issue.code}: ${issue.message}`);
}
