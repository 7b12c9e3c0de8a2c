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
