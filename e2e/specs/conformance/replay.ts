// Replays a Gateway API conformance case without Kubernetes: the suite's manifests (its base plus the
// case's own) go through Gatehouse's whole translation in-process, and each request the suite would
// send plays through the emulated Envoy against the Gateway's snapshot. The conformance echo backend
// is stood in for by the upstream answer itself: the backend that answers is the Service of the
// cluster the router chose ("service/<namespace>/<name>/<port>"), and it echoes the request it got.
import { loadResourcesFromFiles, translateAll, type StatusMap } from '../../../services/xds/src/core/index.js';
import type { ResourceStatus } from '../../../services/xds/src/core/index.js';
import { emulateRequest, type EmulatedRequest, type EnvoySnapshot } from '../../harness/envoy/index.js';
import { findRoute, redirectLocation, responseHeaders, upstreamRequest } from '../../harness/conformance/route-effects.js';

export const CONFORMANCE_OPTIONS = {
  authz: { clusterName: 'gatehouse/authz', host: 'authz', port: 9001 },
  rateLimit: { clusterName: 'gatehouse/ratelimit', host: 'ratelimit', port: 9002 },
  certs: { clusterName: 'gatehouse/certs', host: 'certs', port: 8089 },
  controllerName: 'gateway.networking.k8s.io/gateway-conformance',
  serviceDnsTemplate: '{name}.{namespace}.svc.cluster.local',
} as const;

export interface Translated {
  snapshots: Map<string, EnvoySnapshot>;
  statuses: StatusMap;
  fileErrors: string[];
}

export function translateManifests(files: Array<{ path: string; text: string }>): Translated {
  const loaded = loadResourcesFromFiles(files);
  const result = translateAll(loaded.resources, CONFORMANCE_OPTIONS);
  return {
    snapshots: result.snapshots as unknown as Map<string, EnvoySnapshot>,
    statuses: result.statuses,
    fileErrors: loaded.fileErrors.map((e) => `${e.file}:${e.line ?? ''} ${e.message}`),
  };
}

export interface ReplayedResponse {
  status: number;
  /** The Service that answered, "<namespace>/<name>", when the request reached one. */
  backend?: string;
  /** What the backend received. */
  request?: { path: string; host: string; headers: Record<string, string> };
  headers: Record<string, string>;
}

const NO_SERVICES = { check: () => Promise.reject(new Error('no authz in conformance')), shouldRateLimit: () => Promise.reject(new Error('no ratelimit in conformance')) };

export async function send(snapshot: EnvoySnapshot, port: number, partial: Partial<EmulatedRequest> & Pick<EmulatedRequest, 'path' | 'host'>): Promise<ReplayedResponse> {
  const request: EmulatedRequest = { method: 'GET', headers: {}, clientAddress: '10.0.0.1', ...partial };
  const emulated = await emulateRequest(snapshot, port, request, NO_SERVICES);
  const route = findRoute(snapshot, emulated.routeName);
  if (route?.redirect) return { status: emulated.status, headers: { ...emulated.headers, location: redirectLocation(route, request) } };
  if (!emulated.upstream || !route) return { status: emulated.status, headers: emulated.headers };
  const service = /^service\/([^/]+)\/([^/]+)\/\d+/.exec(emulated.upstream.cluster);
  if (!service) return { status: emulated.status, headers: emulated.headers };
  return {
    status: 200,
    backend: `${service[1]}/${service[2]}`,
    request: upstreamRequest(route, request, emulated.upstream.headers),
    headers: responseHeaders(route, emulated.headers),
  };
}

/** The condition of this type on a resource's status (for a route: on its parent `parent`). */
export function conditionOf(statuses: StatusMap, key: string, type: string, parent?: string): { status: string; reason: string; message: string } | undefined {
  const status = statuses.get(key) as (ResourceStatus & { conditions?: Array<{ type: string; status: string; reason: string; message: string }> }) | undefined;
  if (!status) return undefined;
  if ('parents' in status) {
    const parents = status.parents as Array<{ parentRef: { name: string; namespace?: string; sectionName?: string }; conditions: Array<{ type: string; status: string; reason: string; message: string }> }>;
    const found = parents.find((p) => parent === undefined || p.parentRef.name === parent);
    return found?.conditions.find((c) => c.type === type);
  }
  if ('ancestors' in status) {
    const ancestors = status.ancestors as Array<{ conditions: Array<{ type: string; status: string; reason: string; message: string }> }>;
    return ancestors[0]?.conditions.find((c) => c.type === type);
  }
  return status.conditions?.find((c) => c.type === type);
}

/** A seeded uniform generator in [0, 1) (mulberry32): the router's draws for weighted clusters, the same every run. */
export function seededDraws(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
