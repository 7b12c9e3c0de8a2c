// Decision -> envoy.service.auth.v3.CheckResponse (snake_case object form). Denies are always answers
// (status + denied_response), never RPC failures; status is always set.
import type { CheckResponse } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckResponse';
import type { Decision } from './decision.js';
import { toStruct } from './struct.js';

const GRPC_OK = 0;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAUTHENTICATED = 16;
const GRPC_UNAVAILABLE = 14;

/** A CheckResponse whose dynamic metadata is still plain JSON, so the encoder can reuse cached encodings of it. */
export interface CheckAnswer {
  readonly response: CheckResponse;
  /** To be sent as `dynamic_metadata` (a google.protobuf.Struct). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export function buildCheckResponse(decision: Decision): CheckResponse {
  const { response, metadata } = buildCheckAnswer(decision);
  return metadata ? { ...response, dynamic_metadata: toStruct(metadata) } : response;
}

export function buildCheckAnswer(decision: Decision): CheckAnswer {
  if (decision.kind === 'allow') {
    return {
      response: {
        status: { code: GRPC_OK },
        ok_response: {
          headers: decision.upstreamHeaders.map(([key, value]) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const })),
          headers_to_remove: [...decision.headersToRemove],
        },
      },
      ...(decision.metadata && { metadata: decision.metadata }),
    };
  }
  const grpcCode =
    decision.httpStatus === 403 ? GRPC_PERMISSION_DENIED : decision.httpStatus === 429 ? GRPC_RESOURCE_EXHAUSTED : decision.httpStatus >= 500 ? GRPC_UNAVAILABLE : GRPC_UNAUTHENTICATED;
  const isRedirect = decision.httpStatus === 302;
  const headers = decision.headers.map(([key, value]) => ({
    header: { key, value },
    append_action: key === 'set-cookie' ? ('APPEND_IF_EXISTS_OR_ADD' as const) : ('OVERWRITE_IF_EXISTS_OR_ADD' as const),
  }));
  if (!isRedirect) headers.push({ header: { key: 'content-type', value: 'application/json' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
  return {
    response: {
      status: { code: grpcCode, message: decision.code },
      denied_response: {
        status: { code: decision.httpStatus as 401 },
        headers,
        body: isRedirect ? '' : JSON.stringify({ error: decision.code }),
      },
    },
  };
}
