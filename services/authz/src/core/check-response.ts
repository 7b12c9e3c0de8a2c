// Decision -> envoy.service.auth.v3.CheckResponse (snake_case object form). Denies are always answers
// (status + denied_response), never RPC failures; status is always set.
import type { CheckResponse } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckResponse';
import type { Decision } from './decision.js';
import { toStruct, type Struct } from './struct.js';

const GRPC_OK = 0;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;
const GRPC_UNAVAILABLE = 14;

export interface BuildOptions {
  /** Supplies the Struct for a metadata object; see toStruct. */
  readonly structOf?: (value: object) => Struct;
}

export function buildCheckResponse(decision: Decision, options: BuildOptions = {}): CheckResponse {
  if (decision.kind === 'allow') {
    return {
      status: { code: GRPC_OK },
      ok_response: {
        headers: decision.upstreamHeaders.map(([key, value]) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const })),
        headers_to_remove: [...decision.headersToRemove],
      },
      ...(decision.metadata && { dynamic_metadata: toStruct(decision.metadata, options.structOf) }),
    };
  }
  const grpcCode = decision.httpStatus === 403 ? GRPC_PERMISSION_DENIED : decision.httpStatus >= 500 ? GRPC_UNAVAILABLE : GRPC_UNAUTHENTICATED;
  const isRedirect = decision.httpStatus === 302;
  const headers = decision.headers.map(([key, value]) => ({
    header: { key, value },
    append_action: key === 'set-cookie' ? ('APPEND_IF_EXISTS_OR_ADD' as const) : ('OVERWRITE_IF_EXISTS_OR_ADD' as const),
  }));
  if (!isRedirect) headers.push({ header: { key: 'content-type', value: 'application/json' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
  return {
    status: { code: grpcCode, message: decision.code },
    denied_response: {
      status: { code: decision.httpStatus as 401 },
      headers,
      body: isRedirect ? '' : JSON.stringify({ error: decision.code }),
    },
  };
}
