// BackendTrafficPolicy fields that Envoy Gateway accepts and translates but that a Gateway's Envoy
// may not act on, said in the Accepted message (never silently): telemetry.tracing on a Gateway
// without a tracing provider (its EnvoyProxy sets no telemetry.tracing: Envoy then ignores the
// route's tracing), and zoneAware.preferLocal (Envoy routes zone-aware only when its bootstrap names
// its zone and a local cluster, which `gatehouse bootstrap` does not write).
import type { EnvoyProxyIR } from './envoy-proxies.js';
import type { ResourceIndex } from './resource-index.js';
import type { StatusMap } from './status-types.js';

export function noteUnactedTrafficFields(index: ResourceIndex, envoyProxies: ReadonlyMap<string, EnvoyProxyIR>, statuses: StatusMap): void {
  for (const policy of index.list('BackendTrafficPolicy')) {
    if (policy.issues?.length) continue;
    const spec = (policy.spec ?? {}) as { telemetry?: { tracing?: unknown }; loadBalancer?: { zoneAware?: { preferLocal?: unknown } } };
    const tracing = spec.telemetry?.tracing !== undefined && spec.telemetry.tracing !== null;
    const preferLocal = spec.loadBalancer?.zoneAware?.preferLocal !== undefined && spec.loadBalancer.zoneAware.preferLocal !== null;
    if (!tracing && !preferLocal) continue;
    const status = statuses.get(`BackendTrafficPolicy/${policy.metadata.namespace}/${policy.metadata.name}`);
    if (!status || !('ancestors' in status)) continue;
    for (const ancestor of status.ancestors) {
      const gateway = `${ancestor.ancestorRef.namespace}/${ancestor.ancestorRef.name}`;
      const notes: string[] = [];
      if (tracing && !envoyProxies.get(gateway)?.telemetry.tracing) notes.push(`telemetry.tracing has no effect on Gateway ${gateway}, which has no tracing provider (EnvoyProxy telemetry.tracing)`);
      if (preferLocal) notes.push('zoneAware.preferLocal takes effect once Envoy knows its own zone and local cluster from its bootstrap');
      for (const condition of ancestor.conditions) {
        if (condition.type !== 'Accepted' || condition.status !== 'True') continue;
        for (const note of notes) if (!condition.message.includes(note)) condition.message += `; ${note}`;
      }
    }
  }
}
