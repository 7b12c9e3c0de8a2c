// What to serve: immutable per-Gateway snapshots, the store that holds them, and applying a
// translation to it (the package's ./cache entry point; the protocol lives in ../server).
export { contentHash, stableStringify, versionOfSet } from './content-hash.js';
export { PUSH_ORDER, RESOURCE_TYPES, typeLabel, isKnownTypeUrl, type ResourceField } from './type-labels.js';
export { Snapshot, SnapshotError, edsServiceName, referencedRouteConfigs, type CacheEntry, type EnvoyResource, type EnvoyResources } from './snapshot.js';
export { SnapshotStore, type SnapshotListener } from './snapshot-store.js';
export { applySnapshots, referencedSecretNames, withSharedSecrets, type ApplyOptions, type ApplyOutcome, type SnapshotProblem } from './apply-snapshots.js';
export { diffSnapshots, type SnapshotDiff, type TypeDiff } from './resource-diff.js';
export { proxylessView } from './proxyless-view.js';
