// Process-wide settings of acme-client's HTTP layer (it shares one axios instance):
// - extra trusted CAs (ACME_CA_CERTS) for private or test CAs;
// - no in-process retry of 429/5xx: a rate-limited request fails at once, carrying Retry-After,
//   and the order is rescheduled through the queue instead of sleeping in a loop;
// - every request takes a slot of its CA + account from the call limiter first (the key travels
//   with the call through AsyncLocalStorage, see bindAcmeCallKey), badNonce retries included;
// - Replay-Nonce values acme-client leaves unused are kept for the next signed request
//   (spare-nonces.ts);
// - per-request observations (latency, rate-limit hits, the last problem document) reported to
//   whoever runs the request, through AsyncLocalStorage.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import * as acme from 'acme-client';
import { keepSpareNonce, originOf } from './spare-nonces.js';

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
  /** Time spent waiting for a slot of the call limiter before the request left. */
  readonly waitedMs: number;
  readonly problem?: AcmeProblem;
}

/** Hands out call slots per CA + account (see RedisAcmeCallLimiter). */
export interface AcmeCallLimiter {
  /** Resolves when a call for `key` may leave; returns how long it waited, in ms. */
  acquire(key: string): Promise<number>;
}

/** Collects what happened during one order (or any other ACME operation). */
export interface AcmeCallContext {
  lastProblem?: AcmeProblem;
  calls: number;
}

const context = new AsyncLocalStorage<AcmeCallContext>();
/** The call limiter key (CA + account) of whatever runs in this async context. */
const callKey = new AsyncLocalStorage<string>();
let observer: ((o: AcmeRequestObservation) => void) | undefined;
let limiter: AcmeCallLimiter | undefined;
let onCallSlot: AcmeHttpOptions['onCallSlot'];
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

/**
 * `target` with every method run under the call limiter key `key`, so each HTTP request it makes
 * (nonces and badNonce retries included) takes a slot of that CA + account.
 */
export function bindAcmeCallKey<T extends object>(target: T, key: string): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => callKey.run(key, () => (value as (...a: unknown[]) => unknown).apply(obj, args));
    },
  });
}

/** Runs `fn` with its ACME requests counted against `key` (see bindAcmeCallKey). */
export function withAcmeCallKey<T>(key: string, fn: () => Promise<T>): Promise<T> {
  return callKey.run(key, fn);
}

/** The limiter key of a request made outside any account's context: the CA's origin alone. */
function fallbackCallKey(url: string | undefined): string {
  return `ca:${originOf(url) ?? 'unknown'}`;
}

/** The last problem document seen in the current ACME context (see runWithAcmeContext). */
export function currentAcmeProblem(): AcmeProblem | undefined {
  return context.getStore()?.lastProblem;
}

export interface AcmeHttpOptions {
  /** PEM bundle trusted in addition to the system roots. */
  readonly extraCaPem?: string;
  readonly onRequest?: (o: AcmeRequestObservation) => void;
  /** Every request waits for a slot of its CA + account here first (none: unlimited). */
  readonly limiter?: AcmeCallLimiter;
  /** Called for each request that took a slot, with the time it waited for it (0: not held back). */
  readonly onCallSlot?: (o: { readonly url: string; readonly waitedMs: number }) => void;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
}

type TimedConfig = { gatehouseStart?: number; gatehouseWaitedMs?: number; method?: string; url?: string };

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
  limiter = options.limiter;
  onCallSlot = options.onCallSlot;
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
        // The call limiter's refusals (GH_CERTS_ACME_CALL_*) say what happened.
        if (error instanceof Error && error.message.startsWith('GH_CERTS_')) return Promise.reject(error);
        return Promise.reject(new Error(`GH_CERTS_ACME_UNREACHABLE: ${(e?.config?.method ?? '').toUpperCase()} ${e?.config?.url ?? ''}: ${e?.code ?? e?.message ?? String(error)}`));
      }
      return original(error);
    };
  }
  axios.interceptors.request.use(async (config) => {
    const timed = config as TimedConfig;
    timed.gatehouseWaitedMs = await takeCallSlot(config.method, config.url);
    if (limiter) onCallSlot?.({ url: config.url ?? '', waitedMs: timed.gatehouseWaitedMs });
    timed.gatehouseStart = performance.now();
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
    // acme-client consumes the nonce of a newNonce answer (HEAD) and of a badNonce answer itself.
    const replayNonce = response.headers?.['replay-nonce'] as string | undefined;
    if (replayNonce && config.method !== 'head' && problem?.type !== 'urn:ietf:params:acme:error:badNonce') keepSpareNonce(config.url, replayNonce);
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
      waitedMs: config.gatehouseWaitedMs ?? 0,
      ...(problem ? { problem } : {}),
    });
    return response;
  });
}

/** Waits for the request's call slot. Without one (Redis unreachable) the request is not sent. */
async function takeCallSlot(method: string | undefined, url: string | undefined): Promise<number> {
  if (!limiter) return 0;
  try {
    return await limiter.acquire(callKey.getStore() ?? fallbackCallKey(url));
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('GH_CERTS_')) throw err;
    throw new Error(`GH_CERTS_ACME_CALL_LIMITER_UNAVAILABLE: ${(method ?? 'get').toUpperCase()} ${url ?? ''} not sent, no call slot: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A plain GET through acme-client's HTTP stack (same trust, same observations). */
export async function acmeGet(url: string): Promise<{ status: number; data: unknown; headers: Record<string, string | undefined> }> {
  const response = await acme.axios.get(url, { validateStatus: null } as never);
  return { status: response.status, data: response.data, headers: response.headers as Record<string, string | undefined> };
}
