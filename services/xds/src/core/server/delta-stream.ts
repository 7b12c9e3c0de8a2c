// Incremental ADS (DeltaAggregatedResources) for one stream: requests in, responses out. Each
// response carries only what changed for this client.
import type { DeltaDiscoveryRequest__Output } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DeltaDiscoveryRequest';
import { TypeUrls } from '@gatehouse/contracts';
import { AdsStream, type BaseTypeState, type PushPlan } from './ads-stream.js';
import { versionOfSet } from '../cache/content-hash.js';
import type { CacheEntry } from '../cache/snapshot.js';
import { Subscription } from './subscription.js';

export interface DeltaResponse {
  type_url: string;
  system_version_info: string;
  nonce: string;
  resources: CacheEntry[];
  removed_resources: string[];
}

interface DeltaTypeState extends BaseTypeState {
  /** Resource versions the client holds (optimistically including an un-ACKed push). */
  known: Map<string, string>;
  responded: boolean;
  pending?: { nonce: string; version: string; previous: Map<string, string | undefined>; sent: CacheEntry[] };
  /** Versions a client rejected; not sent again until the content changes. */
  rejected: Map<string, string>;
}

interface DeltaPlan extends PushPlan {
  upserts: CacheEntry[];
  removals: string[];
}

export class DeltaStream extends AdsStream<DeltaTypeState, DeltaPlan, DeltaResponse> {
  /** @throws StreamError when the first request has no node.cluster */
  handleRequest(request: DeltaDiscoveryRequest__Output): void {
    this.bind(request.node);
    const typeUrl = request.type_url;
    if (!this.isServedType(typeUrl)) return;
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      st = { typeUrl, subscription: new Subscription(), known: new Map(), responded: false, rejected: new Map() };
      // Reconnect: the client tells us what it holds, so only differences are sent.
      for (const [name, version] of Object.entries(request.initial_resource_versions ?? {})) st.known.set(name, String(version));
      // A client that holds resources is past its initial fetch; it needs no empty response.
      st.responded = st.known.size > 0;
      this.types.set(typeUrl, st);
    }
    const unsubscribe = request.resource_names_unsubscribe ?? [];
    st.subscription.apply(typeUrl, request.resource_names_subscribe ?? [], unsubscribe, first);
    for (const name of unsubscribe) st.known.delete(name);

    // Subscription changes count whatever the nonce; only the matching nonce ACKs or NACKs.
    const nonce = request.response_nonce ?? '';
    if (st.pending && nonce === st.pending.nonce) {
      if (this.isNack(request.error_detail)) {
        const { pending } = st;
        for (const [name, version] of pending.previous) {
          if (version === undefined) st.known.delete(name);
          else st.known.set(name, version);
        }
        for (const entry of pending.sent) st.rejected.set(entry.name, entry.version);
        this.recordNack(st, pending.nonce, pending.version, request.error_detail);
      } else {
        st.rejected.clear();
        this.recordAck(st, st.pending.version);
      }
    }
    this.flush();
  }

  protected plan(st: DeltaTypeState): DeltaPlan | undefined {
    const upserts = this.desired(st).filter((e) => st.known.get(e.name) !== e.version && st.rejected.get(e.name) !== e.version);
    if (upserts.length > 0 || (!st.responded && st.subscription.wildcard)) return { kind: 'upsert', upserts, removals: [] };
    const entries = this.snapshot!.entries(st.typeUrl);
    const removals = [...st.known.keys()].filter((name) => st.subscription.matches(name) && !entries.has(name));
    return removals.length > 0 ? { kind: 'removal', upserts: [], removals } : undefined;
  }

  protected push(st: DeltaTypeState, plan: DeltaPlan): void {
    const previous = new Map<string, string | undefined>();
    for (const entry of plan.upserts) {
      previous.set(entry.name, st.known.get(entry.name));
      st.known.set(entry.name, entry.version);
    }
    for (const name of plan.removals) {
      previous.set(name, st.known.get(name));
      st.known.delete(name);
    }
    const version = versionOfSet([...st.known].map(([name, v]) => ({ name, version: v })));
    const nonce = this.nextNonce(st, version);
    st.pending = { nonce, version, previous, sent: plan.upserts };
    st.responded = true;
    const eds = this.types.get(TypeUrls.clusterLoadAssignment) as DeltaTypeState | undefined;
    if (eds) for (const name of this.edsNamesOfChangedClusters(st, plan.upserts)) eds.known.delete(name);
    this.options.send({
      type_url: st.typeUrl,
      system_version_info: version,
      nonce,
      resources: plan.upserts,
      removed_resources: plan.removals,
    });
  }
}
