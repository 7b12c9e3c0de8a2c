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
  /**
   * Issued certificates: each goes to the node clusters whose listeners or clusters reference it by SDS
   * name (and to no other), overriding a same-named one.
   */
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

/**
 * A Gateway's resources with the shared secrets it references. A certificate's private key goes only to
 * the proxies of a Gateway that serves it: a proxy of another Gateway never receives it.
 */
export function withSharedSecrets(resources: EnvoyResources, shared: readonly EnvoyResource[]): EnvoyResources {
  if (shared.length === 0) return resources;
  const referenced = referencedSecretNames([...resources.listeners, ...resources.clusters]);
  const wanted = shared.filter((s) => referenced.has(s['name'] as string));
  if (wanted.length === 0) return resources;
  const wantedNames = new Set(wanted.map((s) => s['name']));
  const own = resources.secrets.filter((s) => !wantedNames.has(s['name']));
  return { ...resources, secrets: [...own, ...wanted] };
}

/**
 * Every secret name the resources ask for over SDS: `tls_certificate_sds_secret_configs`,
 * `validation_context_sds_secret_config` and the like, wherever they sit (filter chains, transport sockets).
 */
export function referencedSecretNames(resources: readonly unknown[]): Set<string> {
  const names = new Set<string>();
  const take = (config: unknown): void => {
    const name = (config as { name?: unknown } | null)?.name;
    if (typeof name === 'string') names.add(name);
  };
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key.endsWith('_sds_secret_configs') && Array.isArray(value)) value.forEach(take);
      else if (key.endsWith('_sds_secret_config')) take(value);
      walk(value);
    }
  };
  walk(resources);
  return names;
}
