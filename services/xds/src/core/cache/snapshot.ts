// An immutable, versioned set of Envoy resources for one node cluster (one Gateway).
import { TypeUrls, type ResourceTypeUrl } from '@gatehouse/contracts';
import { contentHash, versionOfSet } from './content-hash.js';
import { XdsError, XdsErrorCodes } from '../../errors.js';
import { emptyEnvoyResources, type EnvoyResource, type EnvoyResources } from '../ir/envoy-resources.js';
import { PUSH_ORDER, RESOURCE_TYPES, typeLabel } from './type-labels.js';

export type { EnvoyResource, EnvoyResources };

/** One resource as the cache holds it; `version` is a hash of its content. */
export interface CacheEntry {
  readonly typeUrl: ResourceTypeUrl;
  readonly name: string;
  readonly version: string;
  readonly resource: EnvoyResource;
}

export class SnapshotError extends XdsError {
  constructor(code: typeof XdsErrorCodes.snapshotInconsistent | typeof XdsErrorCodes.duplicateEnvoyResource | typeof XdsErrorCodes.resourceWithoutName, detail: string) {
    super(code, detail);
    this.name = 'SnapshotError';
  }
}

export class Snapshot {
  /** Hash over every type's version. */
  readonly version: string;
  private readonly byType: ReadonlyMap<ResourceTypeUrl, ReadonlyMap<string, CacheEntry>>;
  private readonly typeVersions: ReadonlyMap<ResourceTypeUrl, string>;

  private constructor(byType: Map<ResourceTypeUrl, Map<string, CacheEntry>>) {
    this.byType = byType;
    const typeVersions = new Map<ResourceTypeUrl, string>();
    for (const typeUrl of PUSH_ORDER) typeVersions.set(typeUrl, versionOfSet(byType.get(typeUrl)?.values() ?? []));
    this.typeVersions = typeVersions;
    this.version = versionOfSet([...typeVersions].map(([name, version]) => ({ name, version })));
  }

  /**
   * Builds a snapshot, reusing the entry objects of `previous` whose content is unchanged (so
   * per-entry encodings memoized by the server stay valid).
   * @throws SnapshotError on a nameless or duplicate resource
   */
  static fromResources(resources: Partial<Readonly<EnvoyResources>>, previous?: Snapshot): Snapshot {
    const byType = new Map<ResourceTypeUrl, Map<string, CacheEntry>>();
    for (const { typeUrl, field } of RESOURCE_TYPES) {
      const entries = new Map<string, CacheEntry>();
      for (const resource of resources[field] ?? []) {
        const name = resourceName(typeUrl, resource);
        if (!name) throw new SnapshotError(XdsErrorCodes.resourceWithoutName, `a resource in ${field} has no name`);
        if (entries.has(name)) throw new SnapshotError(XdsErrorCodes.duplicateEnvoyResource, `${field} has two resources named "${name}"`);
        const version = contentHash(resource);
        const reused = previous?.entry(typeUrl, name);
        entries.set(name, reused?.version === version ? reused : { typeUrl, name, version, resource });
      }
      byType.set(typeUrl, entries);
    }
    return new Snapshot(byType);
  }

  entries(typeUrl: string): ReadonlyMap<string, CacheEntry> {
    return this.byType.get(typeUrl as ResourceTypeUrl) ?? EMPTY;
  }

  entry(typeUrl: string, name: string): CacheEntry | undefined {
    return this.byType.get(typeUrl as ResourceTypeUrl)?.get(name);
  }

  typeVersion(typeUrl: string): string {
    return this.typeVersions.get(typeUrl as ResourceTypeUrl) ?? versionOfSet([]);
  }

  /** Back to the translator's shape, e.g. for a config dump. */
  toEnvoyResources(): EnvoyResources {
    const out = emptyEnvoyResources();
    for (const { typeUrl, field } of RESOURCE_TYPES) out[field] = [...this.entries(typeUrl).values()].map((e) => e.resource);
    return out;
  }

  /**
   * go-control-plane's consistency rule: every route configuration a listener names over RDS, and
   * every cluster load assignment an EDS cluster needs, is in the snapshot. Secrets are exempt: a
   * certificate may still be on its way, and Envoy keeps that listener warming until it arrives.
   */
  inconsistencies(): string[] {
    const problems: string[] = [];
    for (const listener of this.entries(TypeUrls.listener).values()) {
      for (const routeName of referencedRouteConfigs(listener.resource)) {
        if (!this.entry(TypeUrls.routeConfiguration, routeName)) {
          problems.push(`listener "${listener.name}" uses route configuration "${routeName}", which is missing`);
        }
      }
    }
    for (const cluster of this.entries(TypeUrls.cluster).values()) {
      const edsName = edsServiceName(cluster.resource);
      if (edsName !== undefined && !this.entry(TypeUrls.clusterLoadAssignment, edsName)) {
        problems.push(`EDS cluster "${cluster.name}" needs endpoints "${edsName}", which are missing`);
      }
    }
    return problems;
  }

  /** @throws SnapshotError GH_XDS_SNAPSHOT_INCONSISTENT */
  assertConsistent(): void {
    const problems = this.inconsistencies();
    if (problems.length > 0) throw new SnapshotError(XdsErrorCodes.snapshotInconsistent, problems.join('; '));
  }

  summary(): Record<string, { version: string; count: number }> {
    const out: Record<string, { version: string; count: number }> = {};
    for (const typeUrl of PUSH_ORDER) out[typeLabel(typeUrl)] = { version: this.typeVersion(typeUrl), count: this.entries(typeUrl).size };
    return out;
  }
}

const EMPTY: ReadonlyMap<string, CacheEntry> = new Map();

export function resourceName(typeUrl: string, resource: EnvoyResource): string | undefined {
  const name = typeUrl === TypeUrls.clusterLoadAssignment ? resource['cluster_name'] : resource['name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** The ClusterLoadAssignment name an EDS cluster asks for, or undefined for other clusters. */
export function edsServiceName(cluster: EnvoyResource): string | undefined {
  if (cluster['type'] !== 'EDS') return undefined;
  const serviceName = (cluster['eds_cluster_config'] as { service_name?: unknown } | undefined)?.service_name;
  return typeof serviceName === 'string' && serviceName !== '' ? serviceName : (cluster['name'] as string);
}

/** Every `rds.route_config_name` anywhere inside a listener (filter chains and api_listener alike). */
export function referencedRouteConfigs(listener: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    const rds = (node as { rds?: { route_config_name?: unknown } }).rds;
    if (rds && typeof rds.route_config_name === 'string') found.push(rds.route_config_name);
    for (const value of Object.values(node)) walk(value);
  };
  walk(listener);
  return found;
}
