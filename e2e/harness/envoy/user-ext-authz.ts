// A second (third, ...) ext_authz filter, the one Envoy Gateway adds per SecurityPolicy extAuth: it
// calls the user's own HTTP authorization service at its cluster's endpoint, as Envoy's HTTP ext_authz
// client does: the original method, path_prefix + path, the allowed headers (Host, Method, Path,
// Content-Length and Authorization always), no body. A 2xx answer lets the request on with the
// allowed_upstream_headers copied to it; any other answer is returned to the client; a service that
// cannot be reached gives status_on_error (403 unless set), or passes with failure_mode_allow. The
// endpoint is chosen as Envoy's priority load balancing does (priority-failover.ts): a policy's fallback
// backends (priority 1) take the calls once outlier detection has ejected the primaries.
import { OutlierState, pickByPriority } from './priority-failover.js';
import { matchString } from './route-matching.js';
import type { ServedSnapshot } from './ads-snapshot.js';
import type { EnvoySnapshot, StringMatcher, TypedConfig } from './types.js';
import { upstreamAddress } from './upstream-address.js';

export const USER_EXT_AUTHZ_PREFIX = 'envoy.filters.http.ext_authz/';

interface HttpService {
  server_uri?: { uri?: string; cluster?: string; timeout?: string | { seconds?: unknown; nanos?: unknown } };
  path_prefix?: string;
  authorization_response?: { allowed_upstream_headers?: { patterns?: StringMatcher[] } };
}

export type UserExtAuthzOutcome = { kind: 'allow'; upstreamHeaders: Record<string, string> } | { kind: 'deny'; status: number; body: string; headers: Record<string, string> };

const ALWAYS_SENT = ['host', 'authorization', 'content-length'];

/** Outlier detection of this emulated Envoy's calls to user authorization services, per cluster endpoint. */
const outliers = new OutlierState();

export async function runUserExtAuthz(
  config: TypedConfig,
  snapshot: EnvoySnapshot,
  request: { method: string; path: string; host: string; headers: Record<string, string> },
): Promise<UserExtAuthzOutcome> {
  const http = config.http_service as HttpService | undefined;
  if (!http) throw new Error('the emulator calls user ext_authz services over HTTP only (grpc_service is not emulated)');
  const allowed = (config.allowed_headers as { patterns?: StringMatcher[] } | undefined)?.patterns;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (ALWAYS_SENT.includes(name) || !allowed || allowed.some((m) => matchString(m, name))) headers[name] = value;
  }
  headers.host = request.host;
  const statusOnError = Number((config.status_on_error as { code?: unknown } | undefined)?.code ?? 403) || 403;
  const cluster = http.server_uri?.cluster ?? '';
  const address = endpointOf(snapshot, cluster);
  let answer: Response;
  try {
    if (!address) throw new Error(`cluster ${cluster} has no endpoint`);
    answer = await fetch(`http://${address}${http.path_prefix ?? ''}${request.path}`, { method: request.method, headers, redirect: 'manual', signal: AbortSignal.timeout(seconds(http.server_uri?.timeout) * 1000) });
  } catch {
    // A connection failure counts as a 5xx for outlier detection (split_external_local_origin_errors off).
    if (address) outliers.record(snapshot, cluster, address, true);
    if (config.failure_mode_allow === true) return { kind: 'allow', upstreamHeaders: {} };
    return { kind: 'deny', status: statusOnError, body: '', headers: {} };
  }
  outliers.record(snapshot, cluster, address, answer.status >= 500);
  const body = await answer.text();
  if (answer.status < 200 || answer.status >= 300) return { kind: 'deny', status: answer.status, body, headers: Object.fromEntries(answer.headers) };
  const upstreamHeaders: Record<string, string> = {};
  const passOn = http.authorization_response?.allowed_upstream_headers?.patterns ?? [];
  for (const [name, value] of answer.headers) if (passOn.some((m) => matchString(m, name))) upstreamHeaders[name] = value;
  return { kind: 'allow', upstreamHeaders };
}

/** A Duration as JSON ("2s") or as decoded from the wire ({ seconds, nanos }); Envoy's 10 s otherwise. */
function seconds(duration: string | { seconds?: unknown; nanos?: unknown } | undefined): number {
  if (typeof duration === 'string') return Number(duration.replace(/s$/, '')) || 10;
  if (duration && typeof duration === 'object') return Number(duration.seconds ?? 0) + Number(duration.nanos ?? 0) / 1e9 || 10;
  return 10;
}

/** host:port the load balancer picks (EDS priorities), else the cluster's first endpoint (inline), or undefined when it has none. */
function endpointOf(snapshot: EnvoySnapshot, cluster: string): string | undefined {
  const picked = pickByPriority(snapshot, cluster, outliers);
  if (picked) return picked;
  try {
    const { host, port } = upstreamAddress({ clusters: snapshot.clusters ?? [], endpoints: snapshot.endpoints ?? [] } as unknown as ServedSnapshot, cluster);
    return `${host}:${port}`;
  } catch {
    return undefined;
  }
}
