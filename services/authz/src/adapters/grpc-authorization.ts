// envoy.service.auth.v3.Authorization/Check over grpc-js. Every call gets an answer: denials travel in
// CheckResponse.status/denied_response, and even an unexpected exception becomes a 500 deny.
import * as grpc from '@grpc/grpc-js';
import { propagation, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import type { Authorizer, AuthorizeOutcome } from '../core/authorize.js';
import { buildCheckAnswer, type CheckAnswer } from '../core/decide/check-response.js';
import { deny } from '../core/decide/decision.js';
import { AuthzError, ErrorCodes } from '../errors.js';
import { toRequestView, type RequestView } from '../core/decide/request-view.js';
import { thenMaybe } from '../core/then-maybe.js';
import { authorizationServiceDefinition } from './check-response-encoding.js';
import type { Logger } from './logger.js';
import type { AuthzMetrics } from './metrics.js';

export interface CheckHandlerOptions {
  readonly authorizer: Authorizer;
  readonly metrics: AuthzMetrics;
  readonly logger: Logger;
}

/** Check's answer: a value when the decision needed no I/O (a cached token, an API key), else a promise. */
export type CheckHandler = (request: CheckRequest__Output) => CheckAnswer | Promise<CheckAnswer>;

export function createCheckHandler({ authorizer, metrics, logger }: CheckHandlerOptions): CheckHandler {
  const tracer = trace.getTracer('gatehouse-authz');

  // Records the outcome (span, metrics, the fail-closed log line) and encodes the answer.
  const answer = (outcome: AuthorizeOutcome, view: RequestView, span: Span, started: number): CheckAnswer => {
    const policy = outcome.policy ?? 'none';
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
    span.end();
    return buildCheckAnswer(decision);
  };

  // An exception outside the authorizer (which never throws): still an answer, a 500 deny.
  const failed = (err: unknown, view: RequestView | undefined, span: Span | undefined): CheckAnswer => {
    span?.setAttributes({ 'gatehouse.outcome': 'denied', 'gatehouse.reason': ErrorCodes.internal });
    span?.recordException(err as Error);
    span?.end();
    metrics.error('none', ErrorCodes.internal);
    logger.error({ code: ErrorCodes.internal, trace_id: view && traceIdOf(view), err: describe(err) }, 'check failed closed');
    return buildCheckAnswer(deny(500, ErrorCodes.internal));
  };

  // A rejected outcome, or an exception while recording a settled one, is still answered (a 500 deny).
  const settle = (outcome: AuthorizeOutcome | Promise<AuthorizeOutcome>, view: RequestView, span: Span, started: number): CheckAnswer | Promise<CheckAnswer> =>
    thenMaybe(
      outcome,
      (settled) => {
        try {
          return answer(settled, view, span, started);
        } catch (err) {
          return failed(err, view, span);
        }
      },
      (err) => failed(err, view, span),
    );

  return (raw) => {
    const started = performance.now();
    let view: RequestView | undefined;
    let span: Span | undefined;
    try {
      view = toRequestView(raw);
      // A child of the request's trace when Envoy propagates one (traceparent in the checked headers).
      const parent = view.traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent: view.traceparent }) : ROOT_CONTEXT;
      span = tracer.startSpan('authz.check', { kind: SpanKind.SERVER }, parent);
      return settle(authorizer.authorize(view), view, span, started);
    } catch (err) {
      return failed(err, view, span);
    }
  };
}

export function addAuthorizationService(server: grpc.Server, check: CheckHandler): void {
  const unexpected = () => buildCheckAnswer(deny(500, ErrorCodes.internal));
  server.addService(authorizationServiceDefinition(), {
    Check: (call: grpc.ServerUnaryCall<CheckRequest__Output, CheckAnswer>, callback: grpc.sendUnaryData<CheckAnswer>) => {
      // A throw or rejection is unreachable by construction (the handler answers every error); still,
      // answer rather than fail the RPC or take the process down.
      let answer: CheckAnswer | Promise<CheckAnswer>;
      try {
        answer = check(call.request);
      } catch {
        return callback(null, unexpected());
      }
      thenMaybe(
        answer,
        (settled) => callback(null, settled),
        () => callback(null, unexpected()),
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
