import { describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { certificateWantedCodec } from '@gatehouse/contracts';
import { setupTelemetry } from './telemetry.js';
import { currentTraceContext, withProducerSpan, withTraceContext } from './trace-context.js';

const exporter = new InMemorySpanExporter();
await setupTelemetry({ serviceName: 'test', spanProcessors: [new SimpleSpanProcessor(exporter)], environment: {} });

describe('trace context across Redis messages', () => {
  it('continues the publisher trace in the consumer, through the protobuf message', async () => {
    const bytes = await withProducerSpan('publish', () =>
      certificateWantedCodec.encode({ namespace: 'default', name: 'web', trace: currentTraceContext() }),
    );
    const received = certificateWantedCodec.decode(bytes);
    await withTraceContext(received.trace, 'apply', () => undefined);

    const [publish, apply] = exporter.getFinishedSpans();
    expect(publish?.name).toBe('publish');
    expect(apply?.name).toBe('apply');
    expect(apply?.spanContext().traceId).toBe(publish?.spanContext().traceId);
    expect(apply?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
  });

  it('starts a new trace when the message carries none, and records errors', async () => {
    exporter.reset();
    await expect(withTraceContext(undefined, 'apply', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.status.code).toBe(2);
    expect(span?.events[0]?.name).toBe('exception');
  });
});
