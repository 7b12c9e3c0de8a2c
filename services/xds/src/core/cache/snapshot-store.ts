// Snapshots keyed by node cluster ("<namespace>/<gatewayName>"), with watchers that streams use to
// learn of new snapshots. Pure: no I/O, callbacks run synchronously.
import { Snapshot } from './snapshot.js';

export type SnapshotListener = (snapshot: Snapshot) => void;

export class SnapshotStore {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly listeners = new Map<string, Set<SnapshotListener>>();

  get(nodeCluster: string): Snapshot | undefined {
    return this.snapshots.get(nodeCluster);
  }

  nodeClusters(): string[] {
    return [...this.snapshots.keys()].sort();
  }

  /**
   * Sets a node cluster's snapshot after checking it is consistent; an inconsistent snapshot is
   * refused and the previous one keeps serving. Watchers hear of it only if the version changed.
   * @throws SnapshotError GH_XDS_SNAPSHOT_INCONSISTENT
   * @returns whether the version changed
   */
  set(nodeCluster: string, snapshot: Snapshot): boolean {
    snapshot.assertConsistent();
    if (this.snapshots.get(nodeCluster)?.version === snapshot.version) return false;
    this.snapshots.set(nodeCluster, snapshot);
    for (const listener of [...(this.listeners.get(nodeCluster) ?? [])]) listener(snapshot);
    return true;
  }

  /** A removed Gateway: its proxies get an empty configuration. */
  delete(nodeCluster: string): void {
    if (!this.snapshots.has(nodeCluster)) return;
    this.snapshots.delete(nodeCluster);
    const empty = Snapshot.fromResources({});
    for (const listener of [...(this.listeners.get(nodeCluster) ?? [])]) listener(empty);
  }

  /** Calls `listener` on every new snapshot for `nodeCluster`; returns the unsubscribe function. */
  watch(nodeCluster: string, listener: SnapshotListener): () => void {
    let set = this.listeners.get(nodeCluster);
    if (!set) this.listeners.set(nodeCluster, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(nodeCluster);
    };
  }
}
