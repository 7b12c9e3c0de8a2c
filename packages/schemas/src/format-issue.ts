// One shape for every input error a user sees: "file:line: Kind namespace/name: /path: message".
export interface ResourceIssueLocation {
  readonly file?: string;
  readonly line?: number;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly path?: string;
}

export function formatIssue(location: ResourceIssueLocation, message: string): string {
  const where = location.file ? `${location.file}${location.line ? `:${location.line}` : ''}: ` : '';
  const resource = location.kind ? `${location.kind} ${location.namespace ? `${location.namespace}/` : ''}${location.name ?? '?'}: ` : '';
  const path = location.path ? `${location.path}: ` : '';
  return `${where}${resource}${path}${message}`;
}
