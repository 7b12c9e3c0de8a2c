// OpenTelemetry, set up once per process: a MeterProvider read by the Prometheus exporter (served on
// the admin port's /metrics, not on a port of its own) and a TracerProvider that exports over OTLP
// when the standard OTEL_* variables ask for it. W3C trace context is the propagator.
// With nowhere to send spans, no TracerProvider is registered: a recording tracer would build and
// drop a span per request (about a tenth of a hot gRPC service's CPU). Spans are then the API's
// non-recording ones, which still carry the incoming trace context, and the context manager and
// propagator are installed alone, so a trace still flows through the messages crossing Redis to the
// services that do export. The trace SDK and the OTLP exporter are loaded only then (a few hundred ms
// of module loading at every start otherwise).
import { context, metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { NodeTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface TelemetryOptions {
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /** Extra span processors (tests pass a SimpleSpanProcessor over an InMemorySpanExporter). */
  readonly spanProcessors?: SpanProcessor[];
  readonly environment?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  readonly meter: Meter;
  readonly tracer: Tracer;
  /** Writes the Prometheus text exposition for every metric of this process. */
  serveMetrics(request: IncomingMessage, response: ServerResponse): void;
  shutdown(): Promise<void>;
}

/** Whether OTLP trace export is on: OTEL_TRACES_EXPORTER=otlp, or an OTLP endpoint is set and the exporter is not "none". */
export function wantsOtlpTraces(environment: NodeJS.ProcessEnv): boolean {
  const exporter = environment.OTEL_TRACES_EXPORTER;
  if (exporter === 'none' || environment.OTEL_SDK_DISABLED === 'true') return false;
  return exporter === 'otlp' || Boolean(environment.OTEL_EXPORTER_OTLP_ENDPOINT || environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export async function setupTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const environment = options.environment ?? process.env;
  const resource = resourceFromAttributes({
    'service.name': environment.OTEL_SERVICE_NAME ?? `gatehouse-${options.serviceName}`,
    'service.namespace': 'gatehouse',
    ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
  });

  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);

  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  const otlp = wantsOtlpTraces(environment);
  let tracerProvider: NodeTracerProvider | undefined;
  if (otlp || spanProcessors.length > 0) {
    const { BatchSpanProcessor, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
    // The exporter reads OTEL_EXPORTER_OTLP_* itself.
    if (otlp) spanProcessors.push(new BatchSpanProcessor(new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()));
    tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
    tracerProvider.register();
  } else {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  }

  return {
    // This provider's own meter, not the global one: the global can be set only once per process, so a
    // second service started in-process (tests) would otherwise record into the first one's provider.
    meter: meterProvider.getMeter(`gatehouse-${options.serviceName}`),
    tracer: trace.getTracer(`gatehouse-${options.serviceName}`),
    serveMetrics: (request, response) => prometheus.getMetricsRequestHandler(request, response),
    async shutdown() {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()]);
    },
  };
}
