// State-of-the-world ADS (StreamAggregatedResources) for one stream: requests in, responses out.
import type { DiscoveryRequest__Output } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DiscoveryRequest';
import { AdsStream, type BaseTypeState, type PushPlan } from './ads-stream.js';
import { versionOfSet } from '../cache/content-hash.js';
import type { CacheEntry } from '../cache/snapshot.js';
import { Subscription } from './subscription.js';
import { TypeUrls } from '@gatehouse/contracts';

/**
 * Types for which a state-of-the-world response is the complete set, so a resource missing from it
 * is deleted by the client. For the others, absence means nothing and clients unsubscribe instead.
 */
const SOTW_COMPLETE_STATE_TYPES: ReadonlySet<string> = new Set([TypeUrls.listener, TypeUrls.cluster]);

export interface SotwResponse {
  type_url: string;
  version_info: string;
  nonce: string;
  resources: CacheEntry[];
}

interface SotwTypeState extends BaseTypeState {
  /** What the client holds, by name (optimistically including an un-ACKed push). */
  known: Map<string, CacheEntry>;
  /** Version of `known`; undefined until the client holds something we know of. */
  clientVersion?: string;
  pending?: { nonce: string; version: string; previousKnown: Map<string, CacheEntry>; previousClientVersion: string | undefined };
  rejectedVersion?: string;
}

interface SotwPlan extends PushPlan {
  entries: CacheEntry[];
  version: string;
  upserts: CacheEntry[];
}

export class SotwStream extends AdsStream<SotwTypeState, SotwPlan, SotwResponse> {
  /** @throws StreamError when the first request has no node.cluster */
  handleRequest(request: DiscoveryRequest__Output): void {
    this.bind(request.node);
    const typeUrl = request.type_url;
    if (!this.isServedType(typeUrl)) return;
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      st = { typeUrl, subscription: new Subscription(), known: new Map() };
      this.types.set(typeUrl, st);
    } else if ((request.response_nonce ?? '') !== (st.lastNonce ?? '')) {
      // Stale: the client has not yet seen our latest response for this type; its latest request
      // (after that response) will say what it wants.
      return;
    }
    const dropped = st.subscription.replace(typeUrl, request.resource_names ?? [], first);
    for (const name of dropped) st.known.delete(name);

    if (st.pending && request.response_nonce === st.pending.nonce) {
      if (this.isNack(request.error_detail)) {
        const { pending } = st;
        st.known = pending.previousKnown;
        st.clientVersion = pending.previousClientVersion;
        st.rejectedVersion = pending.version;
        this.recordNack(st, pending.nonce, pending.version, request.error_detail);
      } else {
        st.rejectedVersion = undefined;
        this.recordAck(st, st.pending.version);
      }
    } else if (first && request.version_info && this.snapshot) {
      // Reconnect (here or to another replica): versions are content hashes, so if the client
      // already holds exactly what we would send, send nothing.
      const desired = this.desired(st);
      if (versionOfSet(desired) === request.version_info) {
        st.known = new Map(desired.map((e) => [e.name, e]));
        st.clientVersion = request.version_info;
        st.ackedVersion = request.version_info;
      }
    }
    this.flush();
  }

  protected plan(st: SotwTypeState): SotwPlan | undefined {
    const desired = this.desired(st);
    const desiredNames = new Set(desired.map((e) => e.name));
    const upserts = desired.filter((e) => st.known.get(e.name)?.version !== e.version);
    const removed = [...st.known.values()].filter((e) => st.subscription.matches(e.name) && !desiredNames.has(e.name));
    const initial = st.clientVersion === undefined && st.subscription.wildcard;
    if (upserts.length > 0 || initial) {
      // Hold removals back (keep sending the old resource) until the new config is in place.
      const held = SOTW_COMPLETE_STATE_TYPES.has(st.typeUrl) ? removed : [];
      const entries = [...desired, ...held];
      const version = versionOfSet(entries);
      if (version === st.rejectedVersion) return undefined;
      return { kind: 'upsert', entries, version, upserts };
    }
    if (removed.length > 0) {
      const version = versionOfSet(desired);
      if (version === st.rejectedVersion) return undefined;
      return { kind: 'removal', entries: desired, version, upserts: [] };
    }
    return undefined;
  }

  protected push(st: SotwTypeState, plan: SotwPlan): void {
    const nonce = this.nextNonce(st, plan.version);
    st.pending = { nonce, version: plan.version, previousKnown: st.known, previousClientVersion: st.clientVersion };
    st.known = new Map(plan.entries.map((e) => [e.name, e]));
    st.clientVersion = plan.version;
    const eds = this.types.get(TypeUrls.clusterLoadAssignment) as SotwTypeState | undefined;
    if (eds) for (const name of this.edsNamesOfChangedClusters(st, plan.upserts)) eds.known.delete(name);
    this.options.send({ type_url: st.typeUrl, version_info: plan.version, nonce, resources: plan.entries });
  }
}

