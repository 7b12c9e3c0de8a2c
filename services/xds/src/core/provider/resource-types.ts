// The input side of translation: Kubernetes-style documents as users write them (Gateway API,
// Envoy Gateway policy CRDs, Secrets), plus where each one came from so problems can point at it.

export interface ObjectMeta {
  name: string;
  namespace: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  generation?: number;
  creationTimestamp?: string;
}

/** Where a resource was read from: a line in a watched file, or the admin API. */
export type ResourceSource = { kind: 'file'; file: string; line: number } | { kind: 'admin' };

/** A problem found while reading a document (schema), reported as a condition on the resource. */
export interface ResourceIssue {
  /** JSON pointer inside the document, e.g. "/spec/rules/0/backendRefs/0/port". */
  path: string;
  message: string;
  /** Line of `path` in the file, when the source is a file. */
  line?: number;
  /** "file:line: Kind ns/name: /spec/x: message" when the source is a file. */
  formatted?: string;
}

export interface GatewayResource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // Kubernetes documents are open-ended; each stage narrows the parts it reads.
  spec?: Record<string, unknown>;
  /** Secret only. */
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  source?: ResourceSource;
  /** Schema problems; a resource with issues is not translated and gets Accepted=False. */
  issues?: ResourceIssue[];
  /** Notes that do not stop translation (a deprecated apiVersion), shown as the status's `warnings`. */
  warnings?: string[];
}

/** "<Kind>/<namespace>/<name>": how statuses and merges key a resource. */
export function resourceKey(resource: Pick<GatewayResource, 'kind' | 'metadata'>): string {
  return `${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`;
}

export const DEFAULT_NAMESPACE = 'default';
