// envoy.service.auth.v3.Authorization/Check over grpc-js. Every call gets an answer: denials travel in
// CheckResponse.status/denied_response, and even an unexpected exception becomes a 500 deny.
import * as grpc from '@grpc/grpc-js';
import { propagation, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import type { Authorizer } from '../core/authorize.js';
import { buildCheckAnswer, type CheckAnswer } from '../core/check-response.js';
import { deny } from '../core/decision.js';
import { AuthzError, ErrorCodes } from '../core/error-codes.js';
import { toRequestView, type RequestView } from '../core/request-view.js';
import { authorizationServiceDefinition } from './check-response-encoding.js';
import type { Logger } from './logger.js';
import type { AuthzMetrics } from './metrics.js';

export interface CheckHandlerOptions {
  readonly authorizer: Authorizer;
  readonly metrics: AuthzMetrics;
  readonly logger: Logger;
}

export function createCheckHandler({ authorizer, metrics, logger }: CheckHandlerOptions): (request: CheckRequest__Output) => Promise<CheckAnswer> {
  const tracer = trace.getTracer('gatehouse-authz');
  return async (raw) => {
    const started = performance.now();
    let view: RequestView | undefined;
    let policy = 'none';
    let span: Span | undefined;
    try {
      view = toRequestView(raw);
      // A child of the request's trace when Envoy propagates one (traceparent in the checked headers).
      const parent = view.traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent: view.traceparent }) : ROOT_CONTEXT;
      span = tracer.startSpan('authz.check', { kind: SpanKind.SERVER }, parent);
      const outcome = await authorizer.authorize(view);
      policy = outcome.policy ?? 'none';
      const { decision } = outcome;
      const seconds = (performance.now() - started) / 1000;
      span.setAttributes({
        'gatehouse.policy': policy,
        'gatehouse.outcome': decision.kind === 'allow' ? 'allowed' : 'denied',
        'gatehouse.reason': decision.kind === 'allow' ? decision.via : decision.code,
      });
      if (decision.kind === 'allow') {
        metrics.checked(policy, 'allowed', decision.via, seconds);
      } else {
        span.setAttribute('http.response.status_code', decision.httpStatus);
        metrics.checked(policy, 'denied', decision.code, seconds);
        if (decision.httpStatus >= 500) {
          metrics.error(policy, decision.code);
          logger.error({ policy, code: decision.code, trace_id: traceIdOf(view), request_id: view.requestId, err: describe(outcome.error) }, 'check failed closed');
        }
      }
      return buildCheckAnswer(decision);
    } catch (err) {
      span?.setAttributes({ 'gatehouse.policy': policy, 'gatehouse.outcome': 'denied', 'gatehouse.reason': ErrorCodes.internal });
      span?.recordException(err as Error);
      metrics.error(policy, ErrorCodes.internal);
      logger.error({ policy, code: ErrorCodes.internal, trace_id: view && traceIdOf(view), err: describe(err) }, 'check failed closed');
      return buildCheckAnswer(deny(500, ErrorCodes.internal));
    } finally {
      span?.end();
    }
  };
}

export function addAuthorizationService(server: grpc.Server, check: (request: CheckRequest__Output) => Promise<CheckAnswer>): void {
  server.addService(authorizationServiceDefinition(), {
    Check: (call: grpc.ServerUnaryCall<CheckRequest__Output, CheckAnswer>, callback: grpc.sendUnaryData<CheckAnswer>) => {
      check(call.request).then(
        (answer) => callback(null, answer),
        // Unreachable by construction (check never rejects); still, answer rather than fail the RPC.
        () => callback(null, buildCheckAnswer(deny(500, ErrorCodes.internal))),
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
