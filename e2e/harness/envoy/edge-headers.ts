// What Envoy's HTTP connection manager does to request headers before any filter runs, on an edge
// listener (use_remote_address: true, no trusted hops): x-forwarded-proto from the client is not
// trusted and is set from the downstream connection's encryption ("HTTP header manipulation" in the
// Envoy docs: "to valid x-forwarded-proto from trusted downstreams, otherwise based on downstream
// encryption level"). Filters such as ext_authz then see the sanitised value.
import type { EmulatedRequest } from './route-matching.js';
import type { HttpConnectionManager } from './types.js';

export function sanitizeEdgeHeaders(hcm: HttpConnectionManager, request: EmulatedRequest, headers: Record<string, string>): void {
  const trustedHops = Number(hcm.xff_num_trusted_hops ?? 0);
  // google.protobuf.BoolValue: a bare boolean in Envoy JSON, { value } as decoded from the wire.
  const useRemoteAddress = hcm.use_remote_address as boolean | { value?: boolean } | undefined;
  const edge = typeof useRemoteAddress === 'boolean' ? useRemoteAddress : useRemoteAddress?.value === true;
  if (!edge || trustedHops > 0) return;
  headers['x-forwarded-proto'] = request.scheme ?? 'http';
}

/**
 * common_http_protocol_options.headers_with_underscores_action, applied by the codec before any filter:
 * REJECT_REQUEST answers 400 to a request with a "_" in a header name, DROP_HEADER drops such headers.
 * Returns the headers to go on with, or undefined when the request is rejected.
 */
export function applyUnderscoreHeaderPolicy(hcm: HttpConnectionManager, headers: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const action = (hcm.common_http_protocol_options as { headers_with_underscores_action?: string } | undefined)?.headers_with_underscores_action;
  const underscored = Object.keys(headers).filter((name) => name.includes('_'));
  if (underscored.length === 0 || (action !== 'REJECT_REQUEST' && action !== 'DROP_HEADER')) return { ...headers };
  if (action === 'REJECT_REQUEST') return undefined;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.includes('_')));
}
