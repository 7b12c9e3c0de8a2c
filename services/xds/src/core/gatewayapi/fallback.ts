// Backend `fallback: true`: active-passive failover, as Envoy Gateway does it. The backends of a rule
// become one cluster whose load assignment holds the primaries' endpoints at priority 0 and the
// fallbacks' at priority 1; Envoy sends traffic to priority 1 only as priority 0 loses health
// (default overprovisioning factor 1.4: below 72% healthy primaries, fallbacks take the rest).
// Rules without a fallback Backend keep their weighted clusters unchanged.
import type { ClusterIR, WeightedClusterIR } from '../ir/types.js';

interface Clusters {
  get(name: string): ClusterIR | undefined;
  add(cluster: ClusterIR): void;
}

export type FallbackOutcome = { ok: true; backends: WeightedClusterIR[] } | { ok: false; message: string };

/** "failover/<ns>/<primary>+<ns>/<fallback>": one cluster per combination, shared by the rules using it. */
export function failoverClusterName(clusters: readonly ClusterIR[]): string {
  return `failover/${clusters.map((c) => c.name.replace(/^backend\//, '')).join('+')}`;
}

export function combineFallbacks(backends: WeightedClusterIR[], registry: Clusters): FallbackOutcome {
  const clusters = backends.map((b) => registry.get(b.cluster));
  if (!clusters.some((c) => c?.fallback)) return { ok: true, backends };
  const refuse = (message: string): FallbackOutcome => ({ ok: false, message: `fallback backends: ${message}` });
  if (clusters.some((c) => c === undefined)) return refuse('every backendRef of the rule must be a Backend');
  const all = clusters as ClusterIR[];
  // Nothing to fail over from: the fallbacks simply serve.
  if (all.every((c) => c.fallback)) return { ok: true, backends };
  if (backends.some((b) => b.requestHeaders || b.responseHeaders)) return refuse('filters inside a backendRef cannot be combined with a fallback Backend');
  if (new Set(backends.map((b) => b.weight)).size > 1) return refuse('backendRef weights cannot be combined with a fallback Backend');
  const first = all[0]!;
  const dns = (c: ClusterIR) => c.endpoints.some((e) => e.kind === 'fqdn');
  if (all.some((c) => dns(c) !== dns(first))) return refuse('hostname endpoints cannot be combined with IP or unix endpoints in one failover cluster');
  if (all.some((c) => JSON.stringify(c.tls) !== JSON.stringify(first.tls) || c.http2 !== first.http2)) {
    return refuse('the primary and fallback Backends must have the same tls and application protocol settings');
  }
  const name = failoverClusterName(all);
  registry.add({
    name,
    endpoints: all.flatMap((c) => c.endpoints.map((e) => ({ ...e, ...(c.fallback ? { priority: 1 } : {}) }))),
    http2: first.http2,
    ...(first.grpc ? { grpc: true } : {}),
    ...(first.tls ? { tls: first.tls } : {}),
  });
  return { ok: true, backends: [{ cluster: name, weight: 1 }] };
}
