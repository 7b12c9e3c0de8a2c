// Envoy's ext_proc filter (an EnvoyExtensionPolicy extProc, envoy.filters.http.ext_proc/<entry>): disabled
// in the HCM and enabled by its routes' FilterConfig, it opens an envoy.service.ext_proc.v3 Process
// stream to the processor's cluster and, when processing_mode sends request headers, sends them and
// applies the answer: header mutations on the upstream request, or an immediate response. Only the
// request-headers phase is emulated (bodies, trailers and the response phase are not).
import { credentials, makeGenericClientConstructor, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition, protoRoot } from '@gatehouse/contracts';
import type { ServedSnapshot } from './ads-snapshot.js';
import type { EnvoySnapshot, Route, TypedConfig, VirtualHost } from './types.js';
import { upstreamAddress } from './upstream-address.js';

export const EXT_PROC_PREFIX = 'envoy.filters.http.ext_proc/';
const SERVICE = 'envoy.service.ext_proc.v3.ExternalProcessor';

interface HeaderValueLike {
  key?: string;
  value?: string;
  raw_value?: Buffer | Uint8Array | string;
}

interface HeaderMutationLike {
  set_headers?: Array<{ header?: HeaderValueLike }>;
  remove_headers?: string[];
}

interface ProcessingResponseLike {
  request_headers?: { response?: { header_mutation?: HeaderMutationLike } };
  immediate_response?: { status?: { code?: string | number }; headers?: HeaderMutationLike; body?: Buffer | Uint8Array | string };
}

export type ExtProcOutcome = { kind: 'continue'; set: Record<string, string>; remove: string[] } | { kind: 'reply'; status: number; body: string; headers: Record<string, string> };

/** Whether the route enables this (HCM-disabled) filter: a per-route FilterConfig that does not disable it. */
export function extProcEnabled(filterName: string, disabledInHcm: boolean, route: Route, virtualHost: VirtualHost): boolean {
  const raw: TypedConfig | undefined = route.typed_per_filter_config?.[filterName] ?? virtualHost.typed_per_filter_config?.[filterName];
  if (!raw) return !disabledInHcm;
  return !(raw as { disabled?: boolean }).disabled;
}

function text(value: Buffer | Uint8Array | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
}

function headersOf(mutation: HeaderMutationLike | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const option of mutation?.set_headers ?? []) if (option.header?.key) headers[option.header.key.toLowerCase()] = option.header.value || text(option.header.raw_value);
  return headers;
}

function statusCode(code: string | number | undefined): number {
  if (typeof code === 'number') return code;
  const value = code === undefined ? undefined : protoRoot().lookupEnum('envoy.type.v3.StatusCode').values[code];
  return value ?? 200;
}

function durationMs(value: unknown, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  return Math.round(Number.parseFloat(value) * 1000);
}

/** One request's request-headers exchange with the processor, as Envoy's ext_proc filter has it. */
export async function runExtProc(
  config: TypedConfig,
  snapshot: EnvoySnapshot,
  request: { method: string; path: string; host: string; headers: Record<string, string> },
): Promise<ExtProcOutcome> {
  const mode = (config.processing_mode ?? {}) as { request_header_mode?: string };
  const proceed: ExtProcOutcome = { kind: 'continue', set: {}, remove: [] };
  if (mode.request_header_mode !== 'SEND') return proceed;
  const failOpen = config.failure_mode_allow === true;
  const cluster = (config.grpc_service as { envoy_grpc?: { cluster_name?: string } } | undefined)?.envoy_grpc?.cluster_name ?? '';
  const { host, port } = upstreamAddress(snapshot as ServedSnapshot, cluster);
  const Constructor = makeGenericClientConstructor(grpcServiceDefinition(SERVICE), SERVICE);
  const client = new Constructor(`${host}:${port}`, credentials.createInsecure()) as unknown as Client & { Process(): ClientDuplexStream<object, ProcessingResponseLike> };
  const timeoutMs = durationMs(config.message_timeout, 200);
  const headers = { ':authority': request.host, ':method': request.method, ':path': request.path, ':scheme': 'http', ...request.headers };
  try {
    // Envoy keeps its gRPC connection to the processor open, so message_timeout times the exchange only:
    // the emulator connects first (a loaded test machine can take a while), then starts the clock.
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
    const answer = await new Promise<ProcessingResponseLike>((resolve, reject) => {
      const stream = client.Process();
      const timer = setTimeout(() => {
        stream.cancel();
        reject(new Error('ext_proc message timeout'));
      }, timeoutMs);
      stream.on('data', (response: ProcessingResponseLike) => {
        clearTimeout(timer);
        stream.end();
        resolve(response);
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.write({ request_headers: { headers: { headers: Object.entries(headers).map(([key, value]) => ({ key, raw_value: Buffer.from(value) })) }, end_of_stream: true } });
    });
    if (answer.immediate_response) {
      const immediate = answer.immediate_response;
      return { kind: 'reply', status: statusCode(immediate.status?.code), body: text(immediate.body), headers: headersOf(immediate.headers) };
    }
    const mutation = answer.request_headers?.response?.header_mutation;
    return { kind: 'continue', set: headersOf(mutation), remove: (mutation?.remove_headers ?? []).map((h) => h.toLowerCase()) };
  } catch {
    // The processor failed or did not answer in time: failure_mode_allow lets the request through, else 500.
    return failOpen ? proceed : { kind: 'reply', status: 500, body: '', headers: {} };
  } finally {
    client.close();
  }
}
