// What xds sends the console (GET /console/api/state, and the server-sent events of /console/api/events):
// plain JSON, one section per view. xds builds it (services/xds/src/adapters/console-model.ts) and the
// page only draws it, so the words for policies live in describe-policy.ts, tested without a server.

export interface ConsoleState {
  topology: Topology;
  health: Health;
  certificates: CertificateView[];
  traffic: TrafficView;
}

/** The sections the event stream sends, each whenever it changed. */
export type SectionName = keyof ConsoleState;

export interface Topology {
  gateways: GatewayView[];
}

export interface GatewayView {
  /** "<namespace>/<name>": the node cluster of the proxies serving it. */
  key: string;
  accepted: boolean;
  listeners: ListenerView[];
  routes: RouteView[];
}

export interface ListenerView {
  name: string;
  protocol: string;
  port: number;
  hostname?: string;
  /** Secret names "<namespace>/<name>" the listener terminates TLS with. */
  certificates: string[];
  attachedRoutes: number;
  /** False with the first failing condition's message in `problem`. */
  ready: boolean;
  problem?: string;
}

export type StringMatch = { type: 'Exact' | 'Prefix' | 'RegularExpression'; value: string };

export interface RouteMatchView {
  path: StringMatch;
  headers: Array<{ name: string; match: StringMatch; invert?: boolean }>;
  queryParams: Array<{ name: string; match: StringMatch; invert?: boolean }>;
  method?: string;
}

export interface RouteView {
  /** "<Kind>/<namespace>/<name>" of the route resource. */
  route: string;
  rule: number;
  match: RouteMatchView;
  /** Listener names (Gateway listeners) on the port this rule is served from. */
  port: number;
  hostnames: string[];
  backends: Array<{ name: string; weight: number }>;
  redirect?: { statusCode: number; scheme?: string; hostname?: string; port?: number; path?: string };
  directResponse?: { status: number };
  timeoutMs?: number;
  retries?: number;
  policies: PolicyView[];
}

export type PolicyView = SecurityPolicyView | RateLimitPolicyView;

export interface SecurityPolicyView {
  kind: 'SecurityPolicy';
  /** "<namespace>/<name>". */
  name: string;
  jwt?: Array<{ issuer?: string; jwksUri?: string; audiences?: string[]; claimToHeaders?: Array<{ claim: string; header: string }> }>;
  oidc?: { issuer?: string; clientId?: string };
  apiKeyAuth?: { header?: string };
  basicAuth?: boolean;
  cors?: { allowOrigins: string[] };
  authorization?: { defaultAction?: string; rules: number };
}

export type RateLimitUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export type RateLimitSelector =
  | { kind: 'header'; name: string; match?: StringMatch; invert: boolean; distinct: boolean }
  | { kind: 'method'; methods: string[]; invert: boolean }
  | { kind: 'path'; match: StringMatch; invert: boolean }
  | { kind: 'query'; name: string; match: StringMatch; invert: boolean };

export interface RateLimitPolicyView {
  kind: 'RateLimit';
  /** "<namespace>/<name>" of the BackendTrafficPolicy. */
  name: string;
  shared: boolean;
  rules: Array<{
    requests: number;
    unit: RateLimitUnit;
    selectors: RateLimitSelector[];
    cidr?: { cidr: string; distinct: boolean };
  }>;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface Problem {
  code: string;
  message: string;
  file?: string;
  line?: number;
  path?: string;
  /** True when the previous good version keeps serving. */
  keptPrevious?: boolean;
}

export interface ResourceHealth {
  /** "<Kind>/<namespace>/<name>". */
  key: string;
  /** Conditions of the resource, or of each parent / ancestor it reports on ("parent" says which). */
  conditions: Array<Condition & { parent?: string }>;
  /** False when a condition says Accepted/Programmed/ResolvedRefs is False. */
  healthy: boolean;
  /** True when an older, valid version keeps serving instead of the newest. */
  servingLastGood: boolean;
}

export interface TypeAck {
  type: string;
  ackedVersion?: string;
  pendingVersion?: string;
  lastNack?: { version: string; message: string; at: string };
}

export interface ProxyView {
  nodeId: string;
  nodeCluster: string;
  variant: 'sotw' | 'delta';
  connectedAt: string;
  types: TypeAck[];
}

export interface NackView {
  nodeId: string;
  nodeCluster: string;
  type: string;
  version: string;
  message: string;
  at: string;
}

export interface Health {
  appliedAt: string | null;
  /** Snapshot version served per node cluster. */
  versions: Record<string, string>;
  resources: ResourceHealth[];
  /** Files (and admin-API documents) that failed to load, with file and line. */
  fileErrors: Problem[];
  snapshotProblems: Array<{ nodeCluster: string; message: string }>;
  translationError: string | null;
  proxies: ProxyView[];
  nacks: NackView[];
}

export interface CertificateView {
  /** SDS secret name "<namespace>/<name>". */
  name: string;
  /** False for a certificate the certs service manages but has not issued yet: no validity below. */
  served: boolean;
  subject?: string;
  hostnames: string[];
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  /** When renewal starts without ARI: a third of the lifetime left (half under 10 days), as the certs service does. */
  renewAfter?: string;
  /** Gateways serving it. */
  gateways: string[];
  /** What the certs service says (CONSOLE_CERTS_URL), when it manages this certificate. */
  managed?: ManagedCertificate;
}

export interface ManagedCertificate {
  /** The Certificate "<namespace>/<name>" (renew and revoke act on it). */
  certificate: string;
  issuerRef: string;
  dnsNames: string[];
  ready: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  issuing?: { reason: string; message: string };
  /** The certs service's renewal time (the CA's ARI window when it has one). */
  renewalTime?: string;
  lastFailureTime?: string;
  failedIssuanceAttempts?: number;
  nextAttemptTime?: string;
}

/** Counters read from the services' /metrics (CONSOLE_METRICS_URLS), as increases per interval. */
export interface TrafficView {
  /** False when xds reads no service's metrics. */
  configured: boolean;
  intervalSeconds: number;
  /** End of each interval, oldest first. */
  times: string[];
  series: TrafficSeries[];
  /** The services that could not be read at the last attempt, and why. */
  errors: string[];
}

export interface TrafficSeries {
  /** The target's name in CONSOLE_METRICS_URLS, e.g. "authz". */
  source: string;
  metric: 'authz_checks' | 'ratelimit_hits' | 'ratelimit_over_limit';
  /** authz_checks: policy, outcome, reason; ratelimit_*: rule. */
  labels: Record<string, string>;
  total: number;
  /** Increase in each interval of `times`. */
  deltas: number[];
}

/** POST /dry-run's diff: per node cluster, per resource type, what would be added, changed or removed. */
export type DryRunDiff = Record<string, Record<string, { added: unknown[]; removed: string[]; changed: Array<{ name: string; before: unknown; after: unknown }> }>>;
