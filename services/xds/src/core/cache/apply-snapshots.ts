// Turns the translator's per-Gateway resources into snapshots in the store: each one is checked on
// its own, so one broken Gateway keeps its last good snapshot while the others move on.
import type { EnvoyResource, EnvoyResources } from '../ir/envoy-resources.js';
import { XdsErrorCodes } from '../../errors.js';
import { Snapshot, SnapshotError } from './snapshot.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface SnapshotProblem {
  nodeCluster: string;
  code: string;
  message: string;
}

export interface ApplyOutcome {
  /** Node clusters whose snapshot version changed. */
  changed: string[];
  /** Node clusters that no longer exist (their proxies get an empty config). */
  removed: string[];
  /** Refused snapshots; those node clusters keep serving their previous one. */
  problems: SnapshotProblem[];
}

export interface ApplyOptions {
  /** Secrets served to every node cluster (issued certificates), overriding same-named ones. */
  sharedSecrets?: readonly EnvoyResource[];
  /** Extra check before a snapshot is set (e.g. that every resource encodes); throws to refuse. */
  check?: (snapshot: Snapshot) => void;
}

export function applySnapshots(store: SnapshotStore, snapshots: ReadonlyMap<string, EnvoyResources>, options: ApplyOptions = {}): ApplyOutcome {
  const outcome: ApplyOutcome = { changed: [], removed: [], problems: [] };
  for (const [nodeCluster, resources] of snapshots) {
    try {
      const snapshot = Snapshot.fromResources(withSharedSecrets(resources, options.sharedSecrets ?? []), store.get(nodeCluster));
      options.check?.(snapshot);
      if (store.set(nodeCluster, snapshot)) outcome.changed.push(nodeCluster);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      outcome.problems.push({
        nodeCluster,
        code: typeof code === 'string' ? code : XdsErrorCodes.snapshotRefused,
        message: err instanceof Error ? err.message : String(err),
      });
      if (!(err instanceof SnapshotError) && typeof code !== 'string') throw err;
    }
  }
  for (const nodeCluster of store.nodeClusters()) {
    if (!snapshots.has(nodeCluster)) {
      store.delete(nodeCluster);
      outcome.removed.push(nodeCluster);
    }
  }
  return outcome;
}

export function withSharedSecrets(resources: EnvoyResources, shared: readonly EnvoyResource[]): EnvoyResources {
  if (shared.length === 0) return resources;
  const sharedNames = new Set(shared.map((s) => s['name']));
  const own = resources.secrets.filter((s) => !sharedNames.has(s['name']));
  return { ...resources, secrets: [...own, ...shared] };
}
