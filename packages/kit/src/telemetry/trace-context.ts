// Carries W3C trace context inside the protobuf messages that cross Redis (gatehouse.v1.TraceContext),
// so one trace follows a change from the publisher to every consumer.
import { context, propagation, ROOT_CONTEXT, SpanKind, trace, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';

export interface TraceContextMessage {
  traceparent?: string;
  tracestate?: string;
}

/** The active trace context, ready to put in a message's `trace` field. */
export function currentTraceContext(): TraceContextMessage {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { traceparent: carrier.traceparent ?? '', tracestate: carrier.tracestate ?? '' };
}

/**
 * Runs `fn` in a new consumer span whose parent is the trace carried by a message (or a new trace when
 * the message has none). Errors are recorded on the span and rethrown.
 */
export function withTraceContext<T>(
  carried: TraceContextMessage | null | undefined,
  spanName: string,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const carrier: Record<string, string> = {};
  if (carried?.traceparent) carrier.traceparent = carried.traceparent;
  if (carried?.tracestate) carrier.tracestate = carried.tracestate;
  return runInSpan(spanName, SpanKind.CONSUMER, propagation.extract(ROOT_CONTEXT, carrier), fn);
}

/** Runs `fn` in a new producer span, so `currentTraceContext()` inside it names that span. */
export function withProducerSpan<T>(spanName: string, fn: (span: Span) => Promise<T> | T): Promise<T> {
  return runInSpan(spanName, SpanKind.PRODUCER, context.active(), fn);
}

function runInSpan<T>(spanName: string, kind: SpanKind, parent: Context, fn: (span: Span) => Promise<T> | T): Promise<T> {
  return trace.getTracer('gatehouse').startActiveSpan(spanName, { kind }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
