// What SotW and delta streams share: binding to a node cluster's snapshot, nonces, NACK records and
// the make-before-break push order. Pure: responses go out through the `send` callback.
import { XdsError, XdsErrorCodes } from '../../errors.js';
import { edsServiceName, type CacheEntry, type Snapshot } from '../cache/snapshot.js';
import { PUSH_ORDER, isKnownTypeUrl, typeLabel } from '../cache/type-labels.js';
import type { Subscription } from './subscription.js';
import { TypeUrls } from '@gatehouse/contracts';
import { proxylessView } from '../cache/proxyless-view.js';
import type { StreamDenial, StreamGrant } from './stream-authorization.js';

export interface NodeIdentity {
  id: string;
  cluster: string;
}

/**
 * What a NACK record keeps of the client's text. A proxy's error names the resource and the field;
 * the first KiB says it. Anything can open a stream and NACK, so the rest is never held.
 */
export const NACK_MESSAGE_MAX_CHARS = 1024;
/** Node id and cluster as a NACK record keeps them (a Gateway key is at most 317 characters). */
export const NACK_NODE_FIELD_MAX_CHARS = 320;

/** `text` cut to `max` characters, saying how much was dropped. */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... [${text.length - max} more characters dropped]`;
}

export interface NackRecord {
  node: NodeIdentity;
  typeUrl: string;
  type: string;
  /** The version the proxy rejected. */
  version: string;
  nonce: string;
  errorCode: number;
  errorMessage: string;
  at: number;
}

export interface TypeStatus {
  type: string;
  typeUrl: string;
  wildcard: boolean;
  names: string[];
  ackedVersion?: string;
  pendingVersion?: string;
  lastNack?: NackRecord;
}

export interface StreamObserver {
  onAck?(node: NodeIdentity, typeUrl: string, version: string): void;
  onNack?(record: NackRecord): void;
}

/**
 * Where streams read snapshots: the cache's SnapshotStore, seen through the two calls a stream
 * needs (go-control-plane's ConfigWatcher seam).
 */
export interface SnapshotSource {
  get(nodeCluster: string): Snapshot | undefined;
  /** Calls `listener` on every new snapshot for `nodeCluster`; returns the unsubscribe function. */
  watch(nodeCluster: string, listener: (snapshot: Snapshot) => void): () => void;
}

export interface AdsStreamOptions<Response> {
  store: SnapshotSource;
  /** Receives every response, in order. */
  send: (response: Response) => void;
  observer?: StreamObserver;
  /** Clock for NACK records. Default Date.now. */
  now?: () => number;
  /**
   * Decides, from the first request's node.cluster, whether this stream may open it and what it sees
   * (stream-authorization.ts). Default: everything, unbound (plaintext).
   */
  authorize?: (nodeCluster: string) => StreamGrant;
}

export class StreamError extends XdsError {
  constructor(code: typeof XdsErrorCodes.nodeClusterMissing | typeof XdsErrorCodes.streamForbidden, detail: string) {
    super(code, detail);
    this.name = 'StreamError';
  }
}

/** The caller's identity may not open the node cluster it asked for; gRPC PERMISSION_DENIED. */
export class StreamForbiddenError extends StreamError {
  constructor(
    readonly reason: StreamDenial,
    readonly nodeCluster: string,
    detail: string,
  ) {
    super(XdsErrorCodes.streamForbidden, detail);
    this.name = 'StreamForbiddenError';
  }
}

const UNBOUND: StreamGrant = { allowed: true, view: 'gateway', bound: false };

/** Memoized per source snapshot: every proxyless stream of a node cluster shares one view. */
const proxylessViews = new WeakMap<Snapshot, Snapshot>();

function viewOf(grant: StreamGrant & { allowed: true }, snapshot: Snapshot): Snapshot {
  if (grant.view === 'gateway') return snapshot;
  let view = proxylessViews.get(snapshot);
  if (!view) proxylessViews.set(snapshot, (view = proxylessView(snapshot)));
  return view;
}

export interface BaseTypeState {
  readonly typeUrl: string;
  readonly subscription: Subscription;
  pending?: { nonce: string; version: string };
  /** Nonce of the latest response of this type. */
  lastNonce?: string;
  ackedVersion?: string;
  lastNack?: NackRecord;
}

/** A push this stream wants to make for one type: new or changed resources, or only removals. */
export interface PushPlan {
  kind: 'upsert' | 'removal';
}

interface ErrorDetail {
  code?: number;
  message?: string;
}

export abstract class AdsStream<State extends BaseTypeState, Plan extends PushPlan, Response> {
  node?: NodeIdentity;
  /** What the caller's identity was granted, once bound. */
  grant?: StreamGrant & { allowed: true };
  protected snapshot?: Snapshot;
  protected readonly types = new Map<string, State>();
  private unwatch?: () => void;
  private nonceCounter = 0;
  private closed = false;

  constructor(protected readonly options: AdsStreamOptions<Response>) {}

  close(): void {
    this.closed = true;
    this.unwatch?.();
    this.unwatch = undefined;
  }

  status(): TypeStatus[] {
    return PUSH_ORDER.flatMap((typeUrl) => {
      const st = this.types.get(typeUrl);
      if (!st) return [];
      const status: TypeStatus = {
        type: typeLabel(typeUrl),
        typeUrl,
        wildcard: st.subscription.wildcard,
        names: [...st.subscription.names].sort(),
      };
      if (st.ackedVersion !== undefined) status.ackedVersion = st.ackedVersion;
      if (st.pending) status.pendingVersion = st.pending.version;
      if (st.lastNack) status.lastNack = st.lastNack;
      return [status];
    });
  }

  /**
   * @throws StreamError when the first request carries no node.cluster
   * @throws StreamForbiddenError when the caller's identity may not open that node.cluster
   */
  protected bind(node: { id?: string; cluster?: string } | null | undefined): void {
    if (this.node) return;
    const cluster = node?.cluster ?? '';
    if (cluster === '') throw new StreamError(XdsErrorCodes.nodeClusterMissing, 'the first request must carry node.cluster ("<namespace>/<gateway>")');
    const grant = this.options.authorize?.(cluster) ?? UNBOUND;
    if (!grant.allowed) throw new StreamForbiddenError(grant.reason, cluster, grant.message);
    this.grant = grant;
    this.node = { id: node?.id ?? '', cluster };
    const current = this.options.store.get(cluster);
    this.snapshot = current && viewOf(grant, current);
    this.unwatch = this.options.store.watch(cluster, (snapshot) => {
      this.snapshot = viewOf(grant, snapshot);
      this.flush();
    });
  }

  protected isServedType(typeUrl: string | undefined): typeUrl is string {
    return typeUrl !== undefined && isKnownTypeUrl(typeUrl);
  }

  /**
   * The nonce of a response that leaves the client at `version`: the version itself, so every
   * stream pushed the same change gets byte-identical responses (encoded once for all of them).
   * Reuse is safe because a stream has at most one un-ACKed push per type and requests arrive in
   * order: a request echoing an older use of the nonce arrived before the next push went out.
   * Only the immediately previous nonce must differ, so a repeat gets a suffix.
   */
  protected nextNonce(st: State, version: string): string {
    let nonce = version;
    if (nonce === st.lastNonce) {
      this.nonceCounter += 1;
      nonce = `${version}.${this.nonceCounter}`;
    }
    st.lastNonce = nonce;
    return nonce;
  }

  protected isNack(errorDetail: ErrorDetail | null | undefined): errorDetail is ErrorDetail {
    return !!errorDetail && ((errorDetail.code ?? 0) !== 0 || (errorDetail.message ?? '') !== '');
  }

  protected recordAck(st: State, version: string): void {
    st.ackedVersion = version;
    st.pending = undefined;
    this.options.observer?.onAck?.(this.node!, st.typeUrl, version);
  }

  protected recordNack(st: State, nonce: string, version: string, detail: ErrorDetail): void {
    const record: NackRecord = {
      node: { id: truncateText(this.node!.id, NACK_NODE_FIELD_MAX_CHARS), cluster: truncateText(this.node!.cluster, NACK_NODE_FIELD_MAX_CHARS) },
      typeUrl: st.typeUrl,
      type: typeLabel(st.typeUrl),
      version,
      nonce,
      errorCode: detail.code ?? 0,
      errorMessage: truncateText(detail.message ?? '', NACK_MESSAGE_MAX_CHARS),
      at: (this.options.now ?? Date.now)(),
    };
    st.lastNack = record;
    st.pending = undefined;
    this.options.observer?.onNack?.(record);
  }

  /** Entries of the current snapshot this type's subscription covers. */
  protected desired(st: State): CacheEntry[] {
    const entries = this.snapshot!.entries(st.typeUrl);
    if (st.subscription.wildcard) return [...entries.values()];
    const out: CacheEntry[] = [];
    for (const name of st.subscription.names) {
      const entry = entries.get(name);
      if (entry) out.push(entry);
    }
    return out;
  }

  /**
   * Make-before-break: types go out in PUSH_ORDER, and a type waits while an earlier type has an
   * un-ACKed push (so Envoy has the clusters before the routes that use them). At most one un-ACKed
   * push per type. Removals go out last, newest-consumer first, once nothing else is in flight.
   */
  protected flush(): void {
    if (this.closed || !this.snapshot) return;
    let blocked = false;
    let anyPending = false;
    let anyUpsert = false;
    const removals: Array<[State, Plan]> = [];
    for (const typeUrl of PUSH_ORDER) {
      const st = this.types.get(typeUrl);
      if (!st) continue;
      if (st.pending) {
        anyPending = true;
        blocked = true;
        continue;
      }
      const plan = this.plan(st);
      if (!plan) continue;
      if (plan.kind === 'upsert') {
        anyUpsert = true;
        if (!blocked) {
          this.push(st, plan);
          blocked = true;
        }
      } else {
        removals.push([st, plan]);
      }
    }
    if (anyPending || anyUpsert) return;
    for (const [st, plan] of removals.reverse()) this.push(st, plan);
  }

  /** Names of the EDS resources whose clusters this push changes; Envoy needs them sent again. */
  protected edsNamesOfChangedClusters(st: State, upserts: readonly CacheEntry[]): string[] {
    if (st.typeUrl !== TypeUrls.cluster) return [];
    return upserts.flatMap((entry) => {
      const name = edsServiceName(entry.resource);
      return name === undefined ? [] : [name];
    });
  }

  protected abstract plan(st: State): Plan | undefined;
  protected abstract push(st: State, plan: Plan): void;
}
