// BackendTLSPolicy (Gateway API v1): upstream TLS for the Services and Envoy Gateway Backends it targets. validation.hostname is
// the SNI and, unless subjectAltNames are given (then those are matched instead, Hostname or URI), the
// name the upstream certificate must carry; the CA comes from ConfigMaps or Secrets (ca.crt) in the
// policy's namespace, or the system trust store (wellKnownCACertificates: System). The oldest policy on a
// Service wins; a newer one is Conflicted. A Service whose policy is invalid is refused on the route
// (ResolvedRefs False), never reached in plaintext. Status: one ancestor per Gateway whose routes use it.
// On a Backend, as Envoy Gateway merges them, the policy's CA, SNI and SANs replace the Backend `tls`
// ones and the Backend's own client settings (client certificate, versions, ciphers, ALPN) still apply.
import type { TlsSecretIR, UpstreamTlsIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import { readCaCertificates, verifiedUpstreamTls, type ObjectRefSpec } from './backend-tls.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import { declaredServicePorts } from './declared-services.js';
import type { GatewayContext } from './gateways.js';
import { CORE_GROUP, ENVOY_GATEWAY_GROUP, GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { policiesCallingServices, policiesFetchingBackends } from './policy-backend-tls.js';
import { objectsOf } from './shape.js';
import type { Condition, ParentReference, StatusMap } from './status-types.js';

interface PolicySpec {
  targetRefs?: Array<{ group?: string; kind?: string; name: string; sectionName?: string }>;
  validation?: {
    caCertificateRefs?: ObjectRefSpec[];
    wellKnownCACertificates?: string;
    hostname?: string;
    subjectAltNames?: Array<{ type: 'Hostname' | 'URI'; hostname?: string; uri?: string }>;
  };
  options?: Record<string, string>;
}

export type ServiceTls = { policy: GatewayResource; ok: true; tls: UpstreamTlsIR } | { policy: GatewayResource; ok: false; message: string; reason: string };

type TargetRef = { group?: string; kind?: string; name: string; sectionName?: string };

const isServiceTarget = (t: TargetRef): boolean => (t.group ?? CORE_GROUP) === CORE_GROUP && t.kind === 'Service';
const isBackendTarget = (t: TargetRef): boolean => t.group === ENVOY_GATEWAY_GROUP && t.kind === 'Backend';
/** A Backend's policy key, apart from Services' "<ns>/<name>[:port]" keys. */
const backendKey = (namespace: string, name: string): string => `Backend:${namespace}/${name}`;

const cache = new WeakMap<ResourceIndex, Map<string, ServiceTls>>();
const conflicted = new WeakMap<ResourceIndex, Map<string, string>>();

/**
 * The policy that applies to port `port` of Service <namespace>/<name>, resolved, or undefined: one
 * naming that port (sectionName, a declared Service's port name) before one for the whole Service.
 */
export function backendTlsFor(index: ResourceIndex, namespace: string, name: string, port?: number): ServiceTls | undefined {
  const byService = policiesOf(index);
  return (port !== undefined ? byService.get(`${namespace}/${name}:${port}`) : undefined) ?? byService.get(`${namespace}/${name}`);
}

/** The policy that applies to Backend <namespace>/<name>, resolved, or undefined. */
export function backendTlsPolicyForBackend(index: ResourceIndex, namespace: string, name: string): ServiceTls | undefined {
  return policiesOf(index).get(backendKey(namespace, name));
}

/**
 * A Backend's own `tls` (resolved, if it has one) under its BackendTLSPolicy's validation, as Envoy
 * Gateway merges them: the policy's CA, SNI and SANs win; the Backend's client certificate, versions,
 * ciphers, curves, signature algorithms and ALPN stay. The policy asks for verification, so a Backend
 * insecureSkipVerify does not switch it off (Envoy Gateway would keep skipping: that loosens the policy).
 */
export function mergeBackendTlsWithPolicy(own: { tls: UpstreamTlsIR; secrets: TlsSecretIR[] } | undefined, policy: UpstreamTlsIR): { tls: UpstreamTlsIR; secrets: TlsSecretIR[] } {
  if (!own) return { tls: policy, secrets: [] };
  const { trustedCa, sni, subjectAltNames } = policy;
  return { tls: { ...own.tls, ...(sni ? { sni } : {}), ...(trustedCa ? { trustedCa } : {}), subjectAltNames, insecureSkipVerify: false }, secrets: own.secrets };
}

/** The policy key of a target: the Service, or one port of it when sectionName names a declared port. */
function targetKey(index: ResourceIndex, namespace: string, target: { name: string; sectionName?: string }): string | undefined {
  if (!target.sectionName) return `${namespace}/${target.name}`;
  const port = declaredServicePorts(index, namespace, target.name)?.find((p) => p.name === target.sectionName);
  return port ? `${namespace}/${target.name}:${port.port}` : undefined;
}

function policiesOf(index: ResourceIndex): Map<string, ServiceTls> {
  let byService = cache.get(index);
  if (byService) return byService;
  byService = new Map();
  const losers = new Map<string, string>();
  for (const policy of index.list('BackendTLSPolicy')) {
    const spec = (policy.spec ?? {}) as PolicySpec;
    const outcome = resolvePolicy(policy, spec, index);
    for (const target of objectsOf<TargetRef>(spec.targetRefs)) {
      // A sectionName that names no declared port may mean any port: the whole Service is refused (the
      // outcome is Invalid), never reached in plaintext. A Backend is one cluster: keyed whole.
      const key = isBackendTarget(target)
        ? backendKey(policy.metadata.namespace, target.name)
        : isServiceTarget(target)
          ? (targetKey(index, policy.metadata.namespace, target) ?? `${policy.metadata.namespace}/${target.name}`)
          : undefined;
      if (key === undefined) continue;
      const holder = byService.get(key);
      if (holder) losers.set(`${policy.metadata.namespace}/${policy.metadata.name}`, `BackendTLSPolicy ${holder.policy.metadata.namespace}/${holder.policy.metadata.name} already targets this ${isBackendTarget(target) ? 'Backend' : 'Service'}`);
      else byService.set(key, outcome);
    }
  }
  cache.set(index, byService);
  conflicted.set(index, losers);
  return byService;
}

function resolvePolicy(policy: GatewayResource, spec: PolicySpec, index: ResourceIndex): ServiceTls {
  const refuse = (reason: string, message: string): ServiceTls => ({ policy, ok: false, reason, message: `BackendTLSPolicy ${policy.metadata.namespace}/${policy.metadata.name}: ${message}` });
  if (policy.issues?.length) return refuse(Reasons.invalid, describeIssues(policy.issues));
  if (spec.options && Object.keys(spec.options).length > 0) return refuse(Reasons.invalid, `options ${Object.keys(spec.options).join(', ')} are not supported`);
  // Envoy Gateway matches a Backend target's sectionName against a backendRef's port; Gatehouse makes
  // one cluster per Backend whatever the port, so such a policy cannot be applied to that port alone.
  const sectioned = objectsOf<TargetRef>(spec.targetRefs).find((t) => isBackendTarget(t) && t.sectionName);
  if (sectioned) return refuse(Reasons.invalid, `targetRefs sectionName ${sectioned.sectionName} on Backend ${policy.metadata.namespace}/${sectioned.name} is not supported (one cluster serves every port of a Backend); target the whole Backend`);
  const unnamed = objectsOf<TargetRef>(spec.targetRefs).find((t) => isServiceTarget(t) && t.sectionName && !targetKey(index, policy.metadata.namespace, t));
  if (unnamed) {
    return refuse(Reasons.invalid, `targetRefs sectionName ${unnamed.sectionName}: Service ${policy.metadata.namespace}/${unnamed.name} declares no port of that name (a sectionName needs the Service declared, v1 Service with named ports)`);
  }
  const validation = spec.validation ?? {};
  if (!validation.hostname) return refuse(Reasons.invalid, 'validation.hostname is required');
  const sans = (validation.subjectAltNames ?? []).map((san) => (san.type === 'URI' ? { type: 'URI' as const, value: san.uri ?? '' } : { type: 'DNS' as const, value: san.hostname ?? '' }));
  const tls = verifiedUpstreamTls(sans.length > 0 ? sans : [{ type: 'DNS', value: validation.hostname }], validation.hostname);
  if (validation.wellKnownCACertificates === 'System') tls.trustedCa = { kind: 'system' };
  else if (validation.wellKnownCACertificates) return refuse(Reasons.invalid, `validation.wellKnownCACertificates ${validation.wellKnownCACertificates} is not supported; use System`);
  else {
    const pems: string[] = [];
    for (const ref of validation.caCertificateRefs ?? []) {
      const found = readCaCertificates(ref, policy.metadata.namespace, index);
      if (!found.ok) return refuse(Reasons.invalidCaCertificateRef, found.message.replace(/^tls\./, 'validation.'));
      pems.push(found.pem);
    }
    if (pems.length === 0) return refuse(Reasons.invalid, 'validation needs caCertificateRefs or wellKnownCACertificates');
    tls.trustedCa = { kind: 'inline', pem: pems.join('') };
  }
  return { policy, ok: true, tls };
}

/** Policy statuses: per Gateway whose clusters a targeted Service became, Accepted and ResolvedRefs. */
export function recordBackendTlsPolicyStatuses(
  index: ResourceIndex,
  gateways: readonly GatewayContext[],
  registries: ReadonlyMap<string, { list(): ReadonlyArray<{ name: string }> }>,
  controllerName: string,
  statuses: StatusMap,
): void {
  const byService = policiesOf(index);
  const losers = conflicted.get(index)!;
  for (const policy of index.list('BackendTLSPolicy')) {
    const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
    const spec = (policy.spec ?? {}) as PolicySpec;
    const targets = objectsOf<TargetRef>(spec.targetRefs);
    const services = targets.filter(isServiceTarget).map((t) => `${policy.metadata.namespace}/${t.name}`);
    const backends = targets.filter(isBackendTarget).map((t) => `${policy.metadata.namespace}/${t.name}`);
    const outcome = [...services, ...backends.map((b) => `Backend:${b}`)].map((s) => byService.get(s)).find((o) => o?.policy === policy) ?? resolvePolicy(policy, spec, index);
    const conditions: Condition[] = losers.has(key)
      ? [conditionFalse('Accepted', Reasons.conflicted, losers.get(key)!)]
      : outcome.ok
        ? [conditionTrue('Accepted', Reasons.accepted, 'Policy is accepted'), conditionTrue('ResolvedRefs', Reasons.resolvedRefs, 'All references resolved')]
        : outcome.reason === Reasons.invalidCaCertificateRef
          ? [conditionFalse('Accepted', Reasons.noValidCaCertificate, outcome.message), conditionFalse('ResolvedRefs', Reasons.invalidCaCertificateRef, outcome.message)]
          : [conditionFalse('Accepted', Reasons.invalid, outcome.message)];
    // The Gateways whose clusters the Services became, and (a refused Service has no cluster) those whose routes name them.
    const named = gatewaysNamingServices(index, services, backends);
    const using = gateways.filter((g) => named.has(g.key) || registries.get(g.key)!.list().some((c) => services.some((s) => c.name.startsWith(`service/${s}/`)) || backends.some((b) => c.name === `backend/${b}`)));
    const ancestors = using.map((g) => ({ ancestorRef: { group: GATEWAY_GROUP, kind: 'Gateway', namespace: g.namespace, name: g.name } as ParentReference, controllerName, conditions }));
    for (const ancestorRef of policiesCallingServices(index, services, backends)) ancestors.push({ ancestorRef, controllerName, conditions });
    // JWKS and OpenID provider Backends: the authz service fetches them with the policy's TLS (authz-backends.ts).
    for (const ancestorRef of policiesFetchingBackends(index, backends)) ancestors.push({ ancestorRef, controllerName, conditions });
    statuses.set(`BackendTLSPolicy/${key}`, { kind: 'BackendTLSPolicy', ancestors });
  }
}

/** "<ns>/<name>" of the Gateways that routes with a backendRef to one of `services` (or `backends`) name as parent. */
function gatewaysNamingServices(index: ResourceIndex, services: readonly string[], backends: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const kind of ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute']) {
    for (const route of index.list(kind)) {
      const spec = (route.spec ?? {}) as { parentRefs?: Array<{ name: string; namespace?: string }>; rules?: Array<{ backendRefs?: Array<{ group?: string; kind?: string; name: string; namespace?: string }> }> };
      const refs = objectsOf<{ backendRefs?: unknown }>(spec.rules).flatMap((rule) => objectsOf<{ group?: string; kind?: string; name: string; namespace?: string }>(rule.backendRefs));
      const hit = refs.some((ref) => {
        const target = `${ref.namespace ?? route.metadata.namespace}/${ref.name}`;
        if (ref.group === ENVOY_GATEWAY_GROUP && ref.kind === 'Backend') return backends.includes(target);
        return (ref.group ?? CORE_GROUP) === CORE_GROUP && (ref.kind ?? 'Service') === 'Service' && services.includes(target);
      });
      if (!hit) continue;
      for (const parent of objectsOf<{ name: string; namespace?: string }>(spec.parentRefs)) found.add(`${parent.namespace ?? route.metadata.namespace}/${parent.name}`);
    }
  }
  return found;
}
