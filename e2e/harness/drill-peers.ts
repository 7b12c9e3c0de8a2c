// Fault drills: the emulated Envoy's peers (authz Check, ratelimit ShouldRateLimit) as real gRPC calls with a
// deadline, counting what happened at the gRPC level, so a drill can tell "answered with a deny" from "the call
// failed or hung". Envoy's own filters also bound these calls with a timeout (ext_authz `timeout`, ratelimit
// `timeout`); a call that runs past the deadline here counts as hung.
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { RATELIMIT_FILTER, type CheckResponseLike, type EnvoyPeers, type RateLimitResponseLike } from './envoy/emulate-request.js';
import { EXT_AUTHZ_FILTER } from './envoy/ext-authz-request.js';
import type { EnvoySnapshot } from './envoy/types.js';

type Unary = (request: object, metadata: Metadata, options: { deadline: Date }, callback: (err: ServiceError | null, response?: object) => void) => void;

export interface PeerCallCounts {
  ok: number;
  /** gRPC status name -> count (DEADLINE_EXCEEDED means the call hung past the deadline). */
  failed: Record<string, number>;
  /** The slowest call seen, in ms (printed, never asserted). */
  slowestMs: number;
}

export interface CountingPeers extends EnvoyPeers {
  readonly calls: { check: PeerCallCounts; shouldRateLimit: PeerCallCounts };
  /** The last ShouldRateLimit answer, e.g. to read a counter's limit_remaining. */
  lastRateLimit?: RateLimitResponseLike;
  resetCounts(): void;
  close(): void;
}

const STATUS_NAMES: Record<number, string> = { 1: 'CANCELLED', 2: 'UNKNOWN', 4: 'DEADLINE_EXCEEDED', 13: 'INTERNAL', 14: 'UNAVAILABLE' };

function emptyCounts(): PeerCallCounts {
  return { ok: 0, failed: {}, slowestMs: 0 };
}

function unary(address: string, serviceName: string, method: string, counts: () => PeerCallCounts, deadlineMs: number) {
  const Constructor = makeGenericClientConstructor(grpcServiceDefinition(serviceName), serviceName);
  const client = new Constructor(address, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
  return {
    call: (request: object): Promise<object> =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        client[method]!.call(client, request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (err, response) => {
          const c = counts();
          c.slowestMs = Math.max(c.slowestMs, Math.round(performance.now() - started));
          if (err) {
            const name = STATUS_NAMES[err.code] ?? `code ${err.code}`;
            c.failed[name] = (c.failed[name] ?? 0) + 1;
            reject(err);
          } else {
            c.ok += 1;
            resolve(response ?? {});
          }
        });
      }),
    close: () => client.close(),
  };
}

/**
 * Peers for `envoy.emulateRequest` against the given authz and ratelimit gRPC addresses. Deadlines default
 * to 5 s; pass Envoy's own (`envoyFilterTimeoutsMs`) to judge answers the way Envoy would.
 */
export function createCountingPeers(addresses: { authz?: string; ratelimit: string }, deadlinesMs: { authz?: number; ratelimit?: number } = {}): CountingPeers {
  let calls = { check: emptyCounts(), shouldRateLimit: emptyCounts() };
  const authz = addresses.authz ? unary(addresses.authz, ServiceNames.authorization, 'Check', () => calls.check, deadlinesMs.authz ?? 5_000) : undefined;
  const ratelimit = unary(addresses.ratelimit, ServiceNames.rateLimit, 'ShouldRateLimit', () => calls.shouldRateLimit, deadlinesMs.ratelimit ?? 5_000);
  const peers: CountingPeers = {
    get calls() {
      return calls;
    },
    async check(request) {
      if (!authz) throw new Error('no authz address given');
      return (await authz.call(request)) as CheckResponseLike;
    },
    async shouldRateLimit(request) {
      const answer = (await ratelimit.call(request)) as RateLimitResponseLike;
      peers.lastRateLimit = answer;
      return answer;
    },
    resetCounts() {
      calls = { check: emptyCounts(), shouldRateLimit: emptyCounts() };
    },
    close() {
      authz?.close();
      ratelimit.close();
    },
  };
  return peers;
}

/** Counts answers by a key (e.g. HTTP status) per label, and prints them as one compact table. */
export class AnswerTally {
  private readonly rows = new Map<string, Map<string, number>>();

  add(label: string, key: string | number): void {
    const row = this.rows.get(label) ?? new Map<string, number>();
    row.set(String(key), (row.get(String(key)) ?? 0) + 1);
    this.rows.set(label, row);
  }

  count(label: string, key?: string | number): number {
    const row = this.rows.get(label);
    if (!row) return 0;
    if (key === undefined) return [...row.values()].reduce((a, b) => a + b, 0);
    return row.get(String(key)) ?? 0;
  }

  /** { label: { key: count } }, for assertions with toEqual. */
  toJSON(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.rows].map(([label, row]) => [label, Object.fromEntries(row)]));
  }

  format(title: string): string {
    const lines = [...this.rows].map(([label, row]) => `  ${label.padEnd(44)} ${[...row].map(([k, v]) => `${k}×${v}`).join('  ')}`);
    return [`${title}`, ...lines].join('\n');
  }
}

/** Prints a measurement table: one `name  value` line per entry. */
export function formatMeasurements(title: string, entries: Record<string, string | number>): string {
  return [title, ...Object.entries(entries).map(([k, v]) => `  ${k.padEnd(44)} ${v}`)].join('\n');
}

/**
 * limit_remaining of the first descriptor, from a counted check the service answered from Redis (OK with a
 * current limit). A check slower than RATELIMIT_REDIS_TIMEOUT_MS gets the failure-mode answer instead
 * (no limit in allow mode, OVER_LIMIT with 0 remaining in deny mode): on a busy machine that happens, so retry.
 */
export async function readRemaining(peers: CountingPeers, rateLimitRequest: object | undefined, attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    // Asked with Envoy's own 20 ms deadline: on a busy machine one call may miss it; ask again.
    const status = (await peers.shouldRateLimit(rateLimitRequest ?? {}).catch(() => undefined))?.statuses?.[0];
    if (status?.code === 'OK' && status.current_limit) return Number(status.limit_remaining);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no counted rate-limit answer in ${attempts} attempts`);
}

type DurationLike = string | { seconds?: string | number; nanos?: number } | undefined;

function durationMs(d: DurationLike): number | undefined {
  if (d === undefined) return undefined;
  if (typeof d === 'string') return Math.round(Number.parseFloat(d) * 1000);
  return Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}

/**
 * The gRPC timeouts Envoy applies to its ext_authz and ratelimit calls on this listener, as served by xds
 * (ext_authz `grpc_service.timeout`, default 200 ms; ratelimit `timeout`, default 20 ms). A drill uses them as
 * the peers' deadlines, so a call the service answers too late counts as failed, as it would in Envoy.
 */
export function envoyFilterTimeoutsMs(snapshot: EnvoySnapshot, listenerPort: number): { authz: number; ratelimit: number } {
  const listener = snapshot.listeners.find((l) => l.address?.socket_address?.port_value === listenerPort);
  const filters = (listener?.filter_chains ?? []).flatMap((chain) =>
    chain.filters.flatMap((f) => ((f.typed_config as { http_filters?: Array<{ name: string; typed_config?: unknown }> } | undefined)?.http_filters ?? [])),
  );
  const config = (name: string) => filters.find((f) => f.name === name)?.typed_config as { grpc_service?: { timeout?: DurationLike }; timeout?: DurationLike } | undefined;
  return {
    authz: durationMs(config(EXT_AUTHZ_FILTER)?.grpc_service?.timeout) ?? 200,
    ratelimit: durationMs(config(RATELIMIT_FILTER)?.timeout) ?? 20,
  };
}

/** The cookies of a (possibly folded) Set-Cookie header as name=value pairs, for the next request's Cookie header. */
export function cookiesOf(setCookie: string | undefined): string {
  return (setCookie ?? '')
    .split(/,(?=\s*[^;,\s]+=)/)
    .map((c) => c.split(';')[0]!.trim())
    .filter(Boolean)
    .join('; ');
}
