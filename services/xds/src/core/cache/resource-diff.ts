// What a change would do to each Gateway's Envoy resources (the admin API's dry run).
import type { EnvoyResource, EnvoyResources } from '../ir/envoy-resources.js';
import { Snapshot } from './snapshot.js';
import { PUSH_ORDER, typeLabel } from './type-labels.js';

export interface TypeDiff {
  added: EnvoyResource[];
  removed: string[];
  changed: Array<{ name: string; before: EnvoyResource; after: EnvoyResource }>;
}

/** Keyed by node cluster, then by type label ("listeners", ...); unchanged types are left out. */
export type SnapshotDiff = Record<string, Record<string, TypeDiff>>;

export function diffSnapshots(before: ReadonlyMap<string, Snapshot>, after: ReadonlyMap<string, EnvoyResources>): SnapshotDiff {
  const out: SnapshotDiff = {};
  const empty = Snapshot.fromResources({});
  for (const nodeCluster of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(nodeCluster) ?? empty;
    const next = after.get(nodeCluster);
    const b = next ? Snapshot.fromResources(next) : empty;
    const types: Record<string, TypeDiff> = {};
    for (const typeUrl of PUSH_ORDER) {
      const diff: TypeDiff = { added: [], removed: [], changed: [] };
      for (const [name, entry] of b.entries(typeUrl)) {
        const old = a.entry(typeUrl, name);
        if (!old) diff.added.push(entry.resource);
        else if (old.version !== entry.version) diff.changed.push({ name, before: old.resource, after: entry.resource });
      }
      for (const name of a.entries(typeUrl).keys()) if (!b.entry(typeUrl, name)) diff.removed.push(name);
      if (diff.added.length + diff.removed.length + diff.changed.length > 0) types[typeLabel(typeUrl)] = diff;
    }
    if (Object.keys(types).length > 0) out[nodeCluster] = types;
  }
  return out;
}
