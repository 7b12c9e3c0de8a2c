// envoy.service.auth.v3.Authorization/Check over grpc-js. Every call gets an answer: denials travel in
// CheckResponse.status/denied_response, and even an unexpected exception becomes a 500 deny.
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, lookupMessage, ServiceNames } from '@gatehouse/contracts';
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import type { CheckResponse } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckResponse';
import type { Authorizer } from '../core/authorize.js';
import { buildCheckResponse } from '../core/check-response.js';
import { toStruct, type Struct } from '../core/struct.js';
import { deny } from '../core/decision.js';
import { AuthzError, ErrorCodes } from '../core/error-codes.js';
import { toRequestView, type RequestView } from '../core/request-view.js';
import type { Logger } from './logger.js';
import type { AuthzMetrics } from './metrics.js';

export interface CheckHandlerOptions {
  readonly authorizer: Authorizer;
  readonly metrics: AuthzMetrics;
  readonly logger: Logger;
}

export function createCheckHandler({ authorizer, metrics, logger }: CheckHandlerOptions): (request: CheckRequest__Output) => Promise<CheckResponse> {
  // A cached token's payload is the same object on every hit: build its protobuf Struct once.
  const structType = lookupMessage('google.protobuf.Struct');
  const structs = new WeakMap<object, Struct>();
  const structOf = (value: object): Struct => {
    let struct = structs.get(value);
    if (!struct) structs.set(value, (struct = structType.fromObject(toStruct(value as Record<string, unknown>)) as unknown as Struct));
    return struct;
  };
  return async (raw) => {
    const started = process.hrtime.bigint();
    let view: RequestView | undefined;
    let policy = 'none';
    try {
      view = toRequestView(raw);
      const outcome = await authorizer.authorize(view);
      policy = outcome.policy ?? 'none';
      const { decision } = outcome;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (decision.kind === 'allow') {
        metrics.checked(policy, 'allowed', decision.via, seconds);
      } else {
        metrics.checked(policy, 'denied', decision.code, seconds);
        if (decision.httpStatus >= 500) {
          metrics.error(policy, decision.code);
          logger.error({ policy, code: decision.code, trace_id: traceIdOf(view), request_id: view.requestId, err: describe(outcome.error) }, 'check failed closed');
        }
      }
      return buildCheckResponse(decision, { structOf });
    } catch (err) {
      metrics.error(policy, ErrorCodes.internal);
      logger.error({ policy, code: ErrorCodes.internal, trace_id: view && traceIdOf(view), err: describe(err) }, 'check failed closed');
      return buildCheckResponse(deny(500, ErrorCodes.internal));
    }
  };
}

export function addAuthorizationService(server: grpc.Server, check: (request: CheckRequest__Output) => Promise<CheckResponse>): void {
  server.addService(grpcServiceDefinition(ServiceNames.authorization), {
    Check: (call: grpc.ServerUnaryCall<CheckRequest__Output, CheckResponse>, callback: grpc.sendUnaryData<CheckResponse>) => {
      check(call.request).then(
        (response) => callback(null, response),
        // Unreachable by construction (check never rejects); still, answer rather than fail the RPC.
        () => callback(null, buildCheckResponse(deny(500, ErrorCodes.internal))),
      );
    },
  });
}

function traceIdOf(view: RequestView): string | undefined {
  return view.traceparent?.split('-')[1] ?? view.headers['x-b3-traceid'] ?? view.headers['x-request-id'];
}

function describe(err: unknown): string | undefined {
  if (err === undefined) return undefined;
  if (err instanceof AuthzError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
