// Process-wide settings of acme-client's HTTP layer (it shares one axios instance):
// - extra trusted CAs (ACME_CA_CERTS) for private or test CAs;
// - no in-process retry of 429/5xx: a rate-limited request fails at once, carrying Retry-After,
//   and the order is rescheduled through the queue instead of sleeping in a loop;
// - per-request observations (latency, rate-limit hits, the last problem document) reported to
//   whoever runs the request, through AsyncLocalStorage.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import * as acme from 'acme-client';

export interface AcmeProblem {
  readonly status: number;
  readonly type?: string;
  readonly detail?: string;
  readonly retryAfter?: string;
}

export interface AcmeRequestObservation {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly durationMs: number;
  readonly problem?: AcmeProblem;
}

/** Collects what happened during one order (or any other ACME operation). */
export interface AcmeCallContext {
  lastProblem?: AcmeProblem;
  calls: number;
}

const context = new AsyncLocalStorage<AcmeCallContext>();
let observer: ((o: AcmeRequestObservation) => void) | undefined;
let installed = false;

export function runWithAcmeContext<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; ctx: AcmeCallContext }> {
  const ctx: AcmeCallContext = { calls: 0 };
  return context.run(ctx, async () => {
    try {
      return { result: await fn(), ctx };
    } catch (error) {
      return { error, ctx };
    }
  });
}

/** The last problem document seen in the current ACME context (see runWithAcmeContext). */
export function currentAcmeProblem(): AcmeProblem | undefined {
  return context.getStore()?.lastProblem;
}

export interface AcmeHttpOptions {
  /** PEM bundle trusted in addition to the system roots. */
  readonly extraCaPem?: string;
  readonly onRequest?: (o: AcmeRequestObservation) => void;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
}

type TimedConfig = { gatehouseStart?: number; method?: string; url?: string };

let configuredCaPem: string | undefined;
let issuerCaPems: readonly string[] = [];

function installAgent(): void {
  const extra = [configuredCaPem, ...issuerCaPems].filter((p): p is string => Boolean(p));
  acme.axios.defaults.httpsAgent = new Agent({ keepAlive: true, ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}) });
}

/**
 * CAs the Issuers themselves name (spec.acme.caBundle). acme-client has one HTTP agent per process,
 * so these are trusted for every ACME server, next to the system roots and ACME_CA_CERTS.
 */
export function trustIssuerCaBundles(pems: readonly string[]): void {
  const sorted = [...new Set(pems)].sort();
  if (sorted.join('\n') === issuerCaPems.join('\n')) return;
  issuerCaPems = sorted;
  installAgent();
}

export function configureAcmeHttp(options: AcmeHttpOptions = {}): void {
  const axios = acme.axios;
  configuredCaPem = options.extraCaPem;
  installAgent();
  axios.defaults.timeout = options.timeoutMs ?? 30_000;
  (axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 0;
  observer = options.onRequest;
  if (installed) return;
  installed = true;
  // acme-client's error interceptor assumes every error has a response; a refused connection or a
  // TLS failure would surface as "Cannot read properties of undefined". Name the real cause.
  const handlers = (axios.interceptors.response as unknown as { handlers: ({ rejected?: (e: unknown) => unknown } | null)[] }).handlers;
  const first = handlers[0];
  const original = first?.rejected;
  if (first && original) {
    first.rejected = (error: unknown) => {
      const e = error as { response?: unknown; code?: string; message?: string; config?: { method?: string; url?: string } };
      if (!e?.response) {
        return Promise.reject(new Error(`GH_CERTS_ACME_UNREACHABLE: ${(e?.config?.method ?? '').toUpperCase()} ${e?.config?.url ?? ''}: ${e?.code ?? e?.message ?? String(error)}`));
      }
      return original(error);
    };
  }
  axios.interceptors.request.use((config) => {
    (config as TimedConfig).gatehouseStart = performance.now();
    return config;
  });
  // acme-client's own interceptor turns every HTTP status into a resolved response, so this one
  // sees them all.
  axios.interceptors.response.use((response) => {
    const config = response.config as TimedConfig;
    const status = response.status;
    const data = response.data as { type?: string; detail?: string } | undefined;
    const retryAfter = response.headers?.['retry-after'] as string | undefined;
    const isProblem = status >= 400 && typeof data === 'object' && data !== null;
    const problem: AcmeProblem | undefined =
      status >= 400
        ? {
            status,
            ...(isProblem && data.type ? { type: data.type } : {}),
            ...(isProblem && data.detail ? { detail: data.detail } : {}),
            ...(retryAfter ? { retryAfter } : {}),
          }
        : undefined;
    const ctx = context.getStore();
    if (ctx) {
      ctx.calls++;
      // badNonce is retried by acme-client itself; it is not the reason an order fails.
      if (problem && problem.type !== 'urn:ietf:params:acme:error:badNonce') ctx.lastProblem = problem;
    }
    observer?.({
      method: (config.method ?? 'get').toUpperCase(),
      url: config.url ?? '',
      status,
      durationMs: performance.now() - (config.gatehouseStart ?? performance.now()),
      ...(problem ? { problem } : {}),
    });
    return response;
  });
}

/** A plain GET through acme-client's HTTP stack (same trust, same observations). */
export async function acmeGet(url: string): Promise<{ status: number; data: unknown; headers: Record<string, string | undefined> }> {
  const response = await acme.axios.get(url, { validateStatus: null } as never);
  return { status: response.status, data: response.data, headers: response.headers as Record<string, string | undefined> };
}
