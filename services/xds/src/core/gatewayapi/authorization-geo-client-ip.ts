// Envoy Gateway accepts clientIPGeoLocations rules only on listeners whose ClientTrafficPolicy says how
// to find the client (clientIPDetection: exactly one of xForwardedFor, customHeader, directSourceIP;
// not xForwardedFor.trustedCIDRs): behind a balancer, the TCP peer would be the balancer and every
// request would be located where it stands. Same rule, same messages here; the address Envoy then
// reports is the one authz looks up. (Envoy Gateway also wants EnvoyProxy.spec.geoIP for its geoip
// filter; Gatehouse's databases are the authz service's AUTHZ_GEOIP_*_DB, which xds cannot see.)
import type { GatewayResource } from '../provider/resource-types.js';
import type { ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

interface Ref {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  sectionName?: string;
}

interface Detection {
  xForwardedFor?: { trustedCIDRs?: unknown[] } | null;
  customHeader?: unknown;
  directSourceIP?: unknown;
}

export function geoClientIpProblems(policy: GatewayResource, index: ResourceIndex): string[] {
  const spec = (policy.spec ?? {}) as { authorization?: { rules?: unknown }; targetRef?: unknown; targetRefs?: unknown };
  const geo = objectsOf<{ principal?: { clientIPGeoLocations?: unknown } }>(spec.authorization?.rules).some((rule) => objectsOf(rule.principal?.clientIPGeoLocations).length > 0);
  if (!geo) return [];
  const namespace = policy.metadata.namespace;
  const problems = new Set<string>();
  for (const target of objectsOf<Ref>([...objectsOf(spec.targetRefs), spec.targetRef])) {
    for (const listener of listenersReached(target, namespace, index)) {
      const problem = listenerProblem(listener.gateway, listener.sectionName, index);
      if (problem) problems.add(problem);
    }
  }
  return [...problems];
}

/** The Gateway listeners (by sectionName; undefined: all of them) a target reaches. */
function listenersReached(target: Ref, namespace: string, index: ResourceIndex): { gateway: GatewayResource; sectionName?: string }[] {
  if (target.kind === 'Gateway') {
    const gateway = index.get('Gateway', namespace, target.name ?? '');
    return gateway ? [{ gateway, ...(target.sectionName !== undefined && { sectionName: target.sectionName }) }] : [];
  }
  if (target.kind !== 'HTTPRoute' && target.kind !== 'GRPCRoute') return [];
  const route = index.get(target.kind, namespace, target.name ?? '');
  return objectsOf<Ref>((route?.spec as { parentRefs?: unknown } | undefined)?.parentRefs).flatMap((parent) => {
    if ((parent.kind ?? 'Gateway') !== 'Gateway') return [];
    const gateway = index.get('Gateway', parent.namespace ?? namespace, parent.name ?? '');
    return gateway ? [{ gateway, ...(parent.sectionName !== undefined && { sectionName: parent.sectionName }) }] : [];
  });
}

/** The first listener reached whose clientIPDetection (a ClientTrafficPolicy on it, else on the whole Gateway) falls short. */
function listenerProblem(gateway: GatewayResource, sectionName: string | undefined, index: ResourceIndex): string | undefined {
  const listeners = sectionName === undefined ? objectsOf<{ name?: string }>((gateway.spec as { listeners?: unknown } | undefined)?.listeners).map((l) => l.name) : [sectionName];
  const policies = index.list('ClientTrafficPolicy').filter((p) => p.metadata.namespace === gateway.metadata.namespace && !p.issues?.length);
  const on = (listener: string | undefined) =>
    policies.find((p) => {
      const spec = (p.spec ?? {}) as { targetRef?: unknown; targetRefs?: unknown };
      return objectsOf<Ref>([...objectsOf(spec.targetRefs), spec.targetRef]).some((t) => t.kind === 'Gateway' && t.name === gateway.metadata.name && t.sectionName === listener);
    });
  const whole = on(undefined);
  for (const listener of listeners) {
    const found = on(listener) ?? whole;
    const problem = detectionProblem((found?.spec as { clientIPDetection?: Detection } | undefined)?.clientIPDetection);
    if (problem) return problem;
  }
  return undefined;
}

function detectionProblem(detection: Detection | undefined): string | undefined {
  if (!detection) return 'authorization clientIPGeoLocations requires ClientTrafficPolicy.spec.clientIPDetection to be configured';
  const set = (value: unknown) => value !== undefined && value !== null;
  const modes = [detection.xForwardedFor, detection.customHeader, detection.directSourceIP].filter(set).length;
  if (modes !== 1) return 'authorization clientIPGeoLocations requires exactly one of ClientTrafficPolicy.spec.clientIPDetection.{xForwardedFor,customHeader,directSourceIP}';
  if ((detection.xForwardedFor?.trustedCIDRs ?? []).length > 0) return 'authorization clientIPGeoLocations does not support ClientIPDetection.XForwardedFor.TrustedCIDRs';
  return undefined;
}
