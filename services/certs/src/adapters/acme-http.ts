// The HTTP layer under acme-client, as one AcmeHttp instance (service.ts creates it):
// - extra trusted CAs (ACME_CA_CERTS, and the Issuers' caBundle) for private or test CAs;
// - no in-process retry of 429/5xx: a rate-limited request fails at once, carrying Retry-After,
//   and the order is rescheduled through the queue instead of sleeping in a loop;
// - every request takes a slot of its CA + account from the call limiter first (the key travels
//   with the call through AsyncLocalStorage, see bind), badNonce retries included;
// - Replay-Nonce values acme-client leaves unused are kept for the next signed request
//   (spare-nonces.ts);
// - per-request observations (latency, rate-limit hits, the last problem document) reported to
//   whoever runs the request (runObserved).
// acme-client sends every request through one axios instance of its own. Two interceptors are
// installed on it once per process; each request is handled by the AcmeHttp whose scope it runs
// in (AsyncLocalStorage), and passes through untouched outside any scope.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import * as acme from 'acme-client';
import { CertsError, CertsErrorCodes } from '../errors.js';
import { originOf, SpareNonces } from './spare-nonces.js';

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
  /** Resolves when a call for `key` may leave. */
  acquire(key: string): Promise<AcmeCallSlot>;
}

export interface AcmeCallSlot {
  /** How long the call waited for its slot, in ms. */
  readonly waitedMs: number;
  /** Called once the CA's answer is back (the limiter may count the call from then on). */
  answered?(): Promise<void>;
}

/** Collects what happened during one order (or any other ACME operation). */
export interface AcmeCallContext {
  lastProblem?: AcmeProblem;
  calls: number;
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

/** What runs the current async context's requests. */
interface Scope {
  readonly http: AcmeHttp;
  /** The call limiter key (CA + account); none: the CA's origin. */
  readonly key?: string;
  readonly observed?: AcmeCallContext;
}

// axios is acme-client's dependency, not ours: its types come through acme-client's.
type AcmeAxios = typeof acme.axios;
type RequestConfig = Parameters<NonNullable<Parameters<AcmeAxios['interceptors']['request']['use']>[0]>>[0];
type AxiosResponse = Parameters<NonNullable<Parameters<AcmeAxios['interceptors']['response']['use']>[0]>>[0];
type TimedConfig = RequestConfig & { gatehouseStart?: number; gatehouseWaitedMs?: number; gatehouseSlot?: AcmeCallSlot };

const scopes = new AsyncLocalStorage<Scope>();

export class AcmeHttp {
  readonly spareNonces = new SpareNonces();
  private agent: Agent;
  private issuerCaPems: readonly string[] = [];

  constructor(private readonly options: AcmeHttpOptions = {}) {
    installInterceptors();
    this.agent = this.makeAgent();
  }

  /** Runs `fn` and reports what its ACME requests saw (the last problem document, the count). */
  runObserved<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; ctx: AcmeCallContext }> {
    const ctx: AcmeCallContext = { calls: 0 };
    return this.enter({ observed: ctx }, async () => {
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
  bind<T extends object>(target: T, key: string): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value: unknown = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => this.enter({ key }, () => (value as (...a: unknown[]) => unknown).apply(obj, args));
      },
    });
  }

  /** Runs `fn` with its ACME requests counted against `key` (see bind). */
  withCallKey<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.enter({ key }, fn);
  }

  /** The last problem document seen in the current runObserved context. */
  currentProblem(): AcmeProblem | undefined {
    return scopes.getStore()?.observed?.lastProblem;
  }

  /** A plain GET through acme-client's HTTP stack (same trust, same observations). */
  async get(url: string): Promise<{ status: number; data: unknown; headers: Record<string, string | undefined> }> {
    const response = await this.enter({}, () => acme.axios.get(url, { validateStatus: null } as never));
    return { status: response.status, data: response.data, headers: response.headers as Record<string, string | undefined> };
  }

  /**
   * CAs the Issuers themselves name (spec.acme.caBundle), trusted for every ACME server next to
   * the system roots and ACME_CA_CERTS.
   */
  trustIssuerCaBundles(pems: readonly string[]): void {
    const sorted = [...new Set(pems)].sort();
    if (sorted.join('\n') === this.issuerCaPems.join('\n')) return;
    this.issuerCaPems = sorted;
    this.agent = this.makeAgent();
  }

  /** Request interceptor, for requests in this instance's scope. */
  async beforeRequest(config: TimedConfig, scope: Scope): Promise<TimedConfig> {
    config.httpsAgent = this.agent;
    config.timeout = this.options.timeoutMs ?? 30_000;
    const slot = await this.takeCallSlot(config.method, config.url, scope.key);
    config.gatehouseSlot = slot;
    config.gatehouseWaitedMs = slot.waitedMs;
    if (this.options.limiter) this.options.onCallSlot?.({ url: config.url ?? '', waitedMs: config.gatehouseWaitedMs });
    config.gatehouseStart = performance.now();
    return config;
  }

  /** Response interceptor (acme-client turns every HTTP status into a resolved response). */
  afterResponse(response: AxiosResponse, scope: Scope): void {
    const config = response.config as TimedConfig;
    // A failed update only leaves the call counted from its reserved time, as before its answer.
    config.gatehouseSlot?.answered?.().catch(() => undefined);
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
    if (replayNonce && config.method !== 'head' && problem?.type !== 'urn:ietf:params:acme:error:badNonce') this.spareNonces.keep(config.url, replayNonce);
    const observed = scope.observed;
    if (observed) {
      observed.calls++;
      // badNonce is retried by acme-client itself; it is not the reason an order fails.
      if (problem && problem.type !== 'urn:ietf:params:acme:error:badNonce') observed.lastProblem = problem;
    }
    this.options.onRequest?.({
      method: (config.method ?? 'get').toUpperCase(),
      url: config.url ?? '',
      status,
      durationMs: performance.now() - (config.gatehouseStart ?? performance.now()),
      waitedMs: config.gatehouseWaitedMs ?? 0,
      ...(problem ? { problem } : {}),
    });
  }

  /** Runs `fn` in this instance's scope, keeping what an enclosing scope of it already set. */
  private enter<T>(patch: Omit<Scope, 'http'>, fn: () => T): T {
    const outer = scopes.getStore();
    return scopes.run({ ...(outer?.http === this ? outer : {}), ...patch, http: this }, fn);
  }

  private makeAgent(): Agent {
    const extra = [this.options.extraCaPem, ...this.issuerCaPems].filter((p): p is string => Boolean(p));
    return new Agent({ keepAlive: true, ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}) });
  }

  /** Waits for the request's call slot. Without one (Redis unreachable) the request is not sent. */
  private async takeCallSlot(method: string | undefined, url: string | undefined, key: string | undefined): Promise<AcmeCallSlot> {
    const limiter = this.options.limiter;
    if (!limiter) return { waitedMs: 0 };
    try {
      // A request made outside any account's context counts against the CA's origin alone.
      return await limiter.acquire(key ?? `ca:${originOf(url) ?? 'unknown'}`);
    } catch (err) {
      if (err instanceof CertsError) throw err;
      throw new CertsError(
        CertsErrorCodes.ACME_CALL_LIMITER_UNAVAILABLE,
        `${(method ?? 'get').toUpperCase()} ${url ?? ''} not sent, no call slot: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

const INSTALLED = Symbol.for('gatehouse.certs.acme-http');

/** Hooks acme-client's axios instance once per process; the hooks dispatch to the scope's AcmeHttp. */
function installInterceptors(): void {
  const axios = acme.axios as typeof acme.axios & { [INSTALLED]?: true };
  if (axios[INSTALLED]) return;
  axios[INSTALLED] = true;
  (axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 0;
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
        if (error instanceof CertsError) return Promise.reject(error);
        return Promise.reject(
          new CertsError(CertsErrorCodes.ACME_UNREACHABLE, `${(e?.config?.method ?? '').toUpperCase()} ${e?.config?.url ?? ''}: ${e?.code ?? e?.message ?? String(error)}`),
        );
      }
      return original(error);
    };
  }
  axios.interceptors.request.use(async (config) => {
    const scope = scopes.getStore();
    return scope ? scope.http.beforeRequest(config, scope) : config;
  });
  axios.interceptors.response.use((response) => {
    const scope = scopes.getStore();
    scope?.http.afterResponse(response, scope);
    return response;
  });
}
