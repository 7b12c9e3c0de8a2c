// SecurityPolicy, BackendTrafficPolicy and ClientTrafficPolicy attachment by targetRefs. A policy on a route wins over
// one on a listener (sectionName), which wins over one on the whole Gateway; two policies of a kind
// on one target: the oldest wins and the other is marked Conflicted.
import type { GatewayResource } from '../provider/resource-types.js';
import { toPlainYaml } from '../ir/plain-yaml.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import type { GatewayContext } from './gateways.js';
import { GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import type { ParentReference, StatusMap } from './status-types.js';
import { objectsOf } from './shape.js';
import { translateTrafficPolicy, type TrafficPolicyIR } from './traffic-policy.js';
import { AUTHZ_SECTIONS, jwksOf, localJwksConfigMaps, translateSecurityFeatures } from './security-features.js';
import { httpRouteHostnames, tlsWithoutHttpsTarget, translateClientTrafficPolicy } from './client-traffic-policy.js';
import { withSelectedTargets } from './target-selectors.js';
import { resolveAuthzBackends } from './authz-backends.js';
import { listenerSetKeyOf, listenerSetTarget } from './listener-sets.js';
import { mergeWithParents } from './traffic-policy-merge.js';
import { recordOverrides, setMergedConditions, type MergeRecord, type ParentPolicy } from './policy-merge.js';
import { mergeSecurityPolicy, type SecurityClaim } from './security-merge.js';
import { tcpRouteProblems } from './l4-security.js';
import type { ClientPolicyIR } from '../ir/types.js';
import type { ExtensionClaim } from './extension-policy.js';

interface TargetRef {
  group?: string;
  kind: string;
  name: string;
  sectionName?: string;
  /** Only on a ref a targetSelector added for another namespace (target-selectors.ts); the schema refuses it in targetRefs. */
  namespace?: string;
}

/**
 * What applies where; keys: "rule:<Kind>/<ns>/<name>/<ruleName>", "route:<Kind>/<ns>/<name>",
 * "listener:<ns>/<gw>/<section>", "listenerset:<ns>/<gw>/<set ns>/<set>" (listener-sets.ts), "gateway:<ns>/<gw>".
 */
export class PolicyAttachments<T> {
  private readonly byTarget = new Map<string, { policy: string; value: T }>();

  claim(target: string, policy: string, value: T): string | undefined {
    const holder = this.byTarget.get(target);
    if (holder) return holder.policy;
    this.byTarget.set(target, { policy, value });
    return undefined;
  }

  get(target: string): { policy: string; value: T } | undefined {
    return this.byTarget.get(target);
  }

  /** Most specific first: rule, route, listener, gateway. */
  lookup(route: { kind: string; namespace: string; name: string }, ruleName: string | undefined, gatewayKey: string, listenerName: string): { policy: string; value: T } | undefined {
    return (
      (ruleName === undefined ? undefined : this.byTarget.get(`rule:${route.kind}/${route.namespace}/${route.name}/${ruleName}`)) ??
      this.byTarget.get(`route:${route.kind}/${route.namespace}/${route.name}`) ??
      this.byTarget.get(`listener:${gatewayKey}/${listenerName}`) ??
      this.byTarget.get(listenerSetKeyOf(gatewayKey, listenerName) ?? '') ??
      this.byTarget.get(`gateway:${gatewayKey}`)
    );
  }
}

export interface PolicyResult {
  /** `valid: false`: the policy is broken and its routes answer 500 (fail closed, as Envoy Gateway does). */
  security: PolicyAttachments<SecurityClaim>;
  traffic: PolicyAttachments<TrafficPolicyIR>;
  /** ClientTrafficPolicies by "listener:<ns>/<gw>/<chain's listener>" or "gateway:<ns>/<gw>". */
  client: PolicyAttachments<ClientPolicyIR>;
  /** EnvoyExtensionPolicies, filled by extension-attach.ts. */
  extension: PolicyAttachments<ExtensionClaim>;
  /** Accepted SecurityPolicies, as the authz service loads them. */
  authzPolicies: Array<{ namespace: string; name: string; yaml: string }>;
  authzSecrets: Map<string, { data: Record<string, Buffer> }>;
}

export function collectPolicies(index: ResourceIndex, gateways: readonly GatewayContext[], controllerName: string, statuses: StatusMap): PolicyResult {
  const result: PolicyResult = { security: new PolicyAttachments(), traffic: new PolicyAttachments(), client: new PolicyAttachments(), extension: new PolicyAttachments(), authzPolicies: [], authzSecrets: new Map() };
  // Gateway key -> its listener names: a policy's sectionName must name one.
  const gatewayKeys = new Map(gateways.map((g) => [g.key, new Set(g.listeners.map((l) => l.name))]));

  const securityParents = parentPolicies('SecurityPolicy', index, gatewayKeys, (policy) => !policy.issues?.length);
  const securityMerges: MergeRecord = [];
  for (const listed of index.list('SecurityPolicy')) {
    const { policy, problems: selectorProblems } = withSelectedTargets(listed, index);
    const translated = policy.issues?.length ? { features: { authz: false }, problems: [] } : translateSecurityFeatures(policy, index);
    translated.problems.push(...selectorProblems);
    const { features } = translated;
    const policySpec = (policy.spec ?? {}) as Record<string, unknown>;
    const mergeRecord: MergeRecord = [];
    let merged: SecurityClaim['merged'];
    if (!policy.issues?.length && policySpec.mergeType !== undefined && policySpec.mergeType !== null) {
      const merging = mergeSecurityPolicy(policy, securityParents, index, gatewayKeys, mergeRecord);
      translated.problems.push(...merging.problems);
      if (Object.keys(merging.merged).length > 0) merged = merging.merged;
    }
    if (!policy.issues?.length) recordOverrides(`${policy.metadata.namespace}/${policy.metadata.name}`, policySpec, securityParents, index, mergeRecord, ['HTTPRoute', 'GRPCRoute', 'TCPRoute']);
    const accepted = attach(
      policy,
      index,
      gatewayKeys,
      controllerName,
      statuses,
      translated.problems,
      true,
      (target, name, valid) => result.security.claim(target, name, valid ? { valid, features, ...(merged ? { merged } : {}) } : { valid }),
      (target) => (target.kind === 'TCPRoute' ? tcpRouteProblems(policySpec) : []),
    );
    if (!accepted) continue;
    securityMerges.push(...mergeRecord);
    // Only what authz evaluates goes to authz: cors and extAuth are Envoy's (its compiler refuses them).
    // Targets as written: a target a selector found in another namespace carries a `namespace` the schema refuses.
    const targets = (listed.spec ?? {}) as Record<string, unknown>;
    // A policy on TCPRoutes alone is Envoy's network RBAC (l4-security.ts): no request ever asks authz for it.
    const policyTargets = objectsOf<TargetRef>([...objectsOf(policySpec.targetRefs), policySpec.targetRef]);
    const tcpOnly = policyTargets.length > 0 && policyTargets.every((t) => t.kind === 'TCPRoute');
    if (features.authz && !tcpOnly) publishToAuthz(result, policy, `${policy.metadata.namespace}/${policy.metadata.name}`, policySpec, targets, index);
    const published = new Set<string>();
    for (const variant of Object.values(merged ?? {})) {
      if (variant.features.authz && !published.has(variant.policy)) publishToAuthz(result, policy, variant.policy, variant.spec, targets, index);
      published.add(variant.policy);
    }
  }
  setMergedConditions(securityMerges, statuses, 'SecurityPolicy');

  // A parent whose spec does not translate has nothing to merge with.
  const trafficParents = parentPolicies('BackendTrafficPolicy', index, gatewayKeys, (policy, problems) => {
    const name = `${policy.metadata.namespace}/${policy.metadata.name}`;
    return !policy.issues?.length && problems.length === 0 && translateTrafficPolicy(name, policy.spec ?? {}, index).problems.length === 0;
  });
  const merges: MergeRecord = [];
  for (const listed of index.list('BackendTrafficPolicy')) {
    const { policy, problems: selectorProblems } = withSelectedTargets(listed, index);
    const policyName = `${policy.metadata.namespace}/${policy.metadata.name}`;
    // A policy that failed its schema is reported as such; its spec is not read.
    const translated = policy.issues?.length ? { ir: {} as TrafficPolicyIR, problems: [] as string[] } : translateTrafficPolicy(policyName, policy.spec ?? {}, index);
    translated.problems.push(...selectorProblems);
    const spec = (policy.spec ?? {}) as Record<string, unknown>;
    const mergeRecord: MergeRecord = [];
    if (!policy.issues?.length && spec.mergeType !== undefined && spec.mergeType !== null) {
      const merged = mergeWithParents(policyName, spec, trafficParents, index, gatewayKeys, mergeRecord);
      translated.problems.push(...merged.problems);
      if (Object.keys(merged.merged).length > 0) translated.ir.merged = merged.merged;
    }
    if (!policy.issues?.length) recordOverrides(policyName, spec, trafficParents, index, mergeRecord);
    const accepted = attach(policy, index, gatewayKeys, controllerName, statuses, translated.problems, false, (target, name) => result.traffic.claim(target, name, translated.ir));
    if (accepted) merges.push(...mergeRecord);
  }
  setMergedConditions(merges, statuses);

  const chainOwner = chainOwnerOf(gateways);
  for (const listed of index.list('ClientTrafficPolicy')) {
    const { policy, problems: selectorProblems } = withSelectedTargets(listed, index);
    const name = `${policy.metadata.namespace}/${policy.metadata.name}`;
    const translated = policy.issues?.length ? { ir: { policy: name }, problems: [] } : translateClientTrafficPolicy(name, policy.spec ?? {}, index);
    const tlsProblem = policy.issues?.length ? undefined : tlsWithoutHttpsTarget(policy.spec ?? {}, policy.metadata.namespace, gateways, (gateway, listener) => httpRouteHostnames(index, gateway, listener));
    if (tlsProblem) translated.problems.push(tlsProblem);
    translated.problems.push(...selectorProblems);
    // Listeners sharing an HTTP port share one Envoy filter chain: a policy on any of them applies to the chain.
    attach(policy, index, gatewayKeys, controllerName, statuses, translated.problems, false, (target, holder) => result.client.claim(chainOwner.get(target) ?? target, holder, translated.ir));
  }
  return result;
}

export function attach(
  policy: GatewayResource,
  index: ResourceIndex,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
  controllerName: string,
  statuses: StatusMap,
  problems: readonly string[],
  /** An invalid policy still claims its targets, so they fail closed instead of losing the policy. */
  failClosed: boolean,
  claim: (target: string, policy: string, valid: boolean) => string | undefined,
  /** What makes the policy invalid on one target only (a SecurityPolicy's HTTP sections on a TCPRoute). */
  targetProblems?: (target: TargetRef) => readonly string[],
): boolean {
  const namespace = policy.metadata.namespace;
  const policyName = `${namespace}/${policy.metadata.name}`;
  const spec = (policy.spec ?? {}) as { targetRef?: unknown; targetRefs?: unknown };
  const targets = objectsOf<TargetRef>([...objectsOf(spec.targetRefs), spec.targetRef]).filter((t) => typeof t.kind === 'string' && typeof t.name === 'string');
  const ancestors: Array<{ ancestorRef: ParentReference; controllerName: string; conditions: ReturnType<typeof conditionTrue>[] }> = [];
  const kind = policy.kind as 'SecurityPolicy' | 'BackendTrafficPolicy' | 'ClientTrafficPolicy' | 'EnvoyExtensionPolicy';
  let acceptedAnywhere = false;

  for (const target of targets) {
    const allProblems = [...problems, ...(policy.issues?.length ? [] : (targetProblems?.(target) ?? []))];
    const invalidMessage = policy.issues?.length ? describeIssues(policy.issues) : allProblems.length > 0 ? allProblems.join('; ') : undefined;
    const failsClosed = target.kind === 'TCPRoute' ? '(its connections are refused until it is fixed)' : '(the routes it targets answer 500 until it is fixed)';
    const targetNamespace = target.namespace ?? namespace;
    const ancestorRefs = ancestorsOf(target, targetNamespace, index, gatewayKeys);
    const report = (ok: boolean, reason: string, message: string) => {
      for (const ancestorRef of ancestorRefs.length > 0 ? ancestorRefs : [{ group: target.group ?? GATEWAY_GROUP, kind: target.kind, namespace: targetNamespace, name: target.name }]) {
        ancestors.push({ ancestorRef, controllerName, conditions: [ok ? conditionTrue('Accepted', reason, message) : conditionFalse('Accepted', reason, message)] });
      }
    };
    const targetKey = targetKeyOf(target, targetNamespace, index, gatewayKeys, kind);
    // A SecurityPolicy whose spec cannot be enforced (schema aside) is checked for its target and
    // conflicts first, as Envoy Gateway does, then fails closed on the routes it holds.
    const specProblem = failClosed && !policy.issues?.length && invalidMessage !== undefined;
    if (invalidMessage && !specProblem) {
      const closed = failClosed && targetKey !== undefined && claim(targetKey, policyName, false) === undefined;
      report(false, Reasons.invalid, closed ? `${invalidMessage} ${failsClosed}` : invalidMessage);
      continue;
    }
    if (!targetKey) {
      const section = target.sectionName ? ` (section ${target.sectionName})` : '';
      report(false, Reasons.targetNotFound, `${target.kind} ${targetNamespace}/${target.name}${section} is not found or not served by this controller`);
      continue;
    }
    const holder = claim(targetKey, policyName, !specProblem);
    if (holder) {
      report(false, Reasons.conflicted, `${policy.kind} ${holder} already targets ${target.kind} ${targetNamespace}/${target.name}`);
      continue;
    }
    if (specProblem) {
      report(false, Reasons.invalid, `${invalidMessage} ${failsClosed}`);
      continue;
    }
    acceptedAnywhere = true;
    report(true, Reasons.accepted, 'Policy has been accepted');
  }
  statuses.set(`${policy.kind}/${policyName}`, { kind, ancestors });
  return acceptedAnywhere;
}

/**
 * A kind's policies on Gateways and listeners (and, SecurityPolicy, ListenerSets): mergeType's
 * parents, the first per target (a later one is Conflicted); a target whose first policy is not
 * `usable` has no parent.
 */
function parentPolicies(
  kind: 'BackendTrafficPolicy' | 'SecurityPolicy',
  index: ResourceIndex,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
  usable: (policy: GatewayResource, selectorProblems: readonly string[]) => boolean,
): Map<string, ParentPolicy> {
  const parents = new Map<string, ParentPolicy>();
  for (const listed of index.list(kind)) {
    const { policy, problems } = withSelectedTargets(listed, index);
    const name = `${policy.metadata.namespace}/${policy.metadata.name}`;
    const spec = (policy.spec ?? {}) as Record<string, unknown> & { targetRef?: unknown; targetRefs?: unknown };
    const valid = usable(policy, problems);
    for (const target of objectsOf<TargetRef>([...objectsOf(spec.targetRefs), spec.targetRef])) {
      // SecurityPolicy merges over a ListenerSet's policy too (security-merge.ts picks that variant).
      if (target.kind !== 'Gateway' && !(kind === 'SecurityPolicy' && target.kind === 'ListenerSet')) continue;
      const key = targetKeyOf(target, target.namespace ?? policy.metadata.namespace, index, gatewayKeys);
      if (key && !parents.has(key)) parents.set(key, valid ? { name, spec } : { name, spec: {} });
    }
  }
  // A target whose first policy is invalid has no parent to merge with.
  for (const [key, parent] of parents) if (Object.keys(parent.spec).length === 0) parents.delete(key);
  return parents;
}

/** "listener:<gw>/<name>" -> the key of the listener whose name the shared HTTP filter chain carries. */
function chainOwnerOf(gateways: readonly GatewayContext[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const gateway of gateways) {
    const firstOnPort = new Map<number, string>();
    for (const listener of gateway.listeners) {
      if (!listener.ready) continue;
      const first = listener.protocol === 'HTTP' ? (firstOnPort.get(listener.port) ?? listener.name) : listener.name;
      if (listener.protocol === 'HTTP' && !firstOnPort.has(listener.port)) firstOnPort.set(listener.port, listener.name);
      owners.set(`listener:${gateway.key}/${listener.name}`, `listener:${gateway.key}/${first}`);
    }
  }
  return owners;
}

function targetKeyOf(target: TargetRef, namespace: string, index: ResourceIndex, gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>, policyKind?: string): string | undefined {
  if ((target.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) return undefined;
  if (target.kind === 'Gateway') {
    const key = `${namespace}/${target.name}`;
    const listeners = gatewayKeys.get(key);
    if (!listeners) return undefined;
    // A sectionName that is no listener protects nothing: TargetNotFound, as Envoy Gateway says.
    if (target.sectionName && !listeners.has(target.sectionName)) return undefined;
    return target.sectionName ? `listener:${key}/${target.sectionName}` : `gateway:${key}`;
  }
  if (target.kind === 'ListenerSet') return listenerSetTarget(target, namespace, gatewayKeys)?.key;
  // L4 routes take BackendTrafficPolicies (their cluster settings: l4-policies.ts) and, TCPRoute, SecurityPolicies (l4-security.ts).
  const l4 =
    (policyKind === 'BackendTrafficPolicy' && (target.kind === 'TCPRoute' || target.kind === 'TLSRoute' || target.kind === 'UDPRoute')) ||
    (policyKind === 'SecurityPolicy' && target.kind === 'TCPRoute');
  if (target.kind === 'HTTPRoute' || target.kind === 'GRPCRoute' || l4) {
    const route = index.get(target.kind, namespace, target.name);
    if (!route) return undefined;
    if (!target.sectionName) return `route:${target.kind}/${namespace}/${target.name}`;
    // A sectionName on a route names one of its rules.
    const rules = objectsOf<{ name?: unknown }>((route.spec as { rules?: unknown } | undefined)?.rules);
    return rules.some((r) => r.name === target.sectionName) ? `rule:${target.kind}/${namespace}/${target.name}/${target.sectionName}` : undefined;
  }
  return undefined;
}

/** Policy status ancestors are the Gateways a policy ends up on. */
function ancestorsOf(target: TargetRef, namespace: string, index: ResourceIndex, gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>): ParentReference[] {
  if (target.kind === 'Gateway') {
    return gatewayKeys.has(`${namespace}/${target.name}`)
      ? [{ group: GATEWAY_GROUP, kind: 'Gateway', namespace, name: target.name, ...(target.sectionName ? { sectionName: target.sectionName } : {}) }]
      : [];
  }
  if (target.kind === 'ListenerSet') return [listenerSetTarget(target, namespace, gatewayKeys)?.ancestor ?? []].flat();
  const route = index.get(target.kind, namespace, target.name);
  const parentRefs = objectsOf<{ kind?: string; name: string; namespace?: string; sectionName?: string }>((route?.spec as { parentRefs?: unknown } | undefined)?.parentRefs).filter((ref) => typeof ref.name === 'string');
  return parentRefs.flatMap((ref): ParentReference[] => {
    // A route attached through a ListenerSet reports on the ListenerSet (and its listener), as Envoy Gateway does.
    if (ref.kind === 'ListenerSet') return [listenerSetTarget(ref, ref.namespace ?? namespace, gatewayKeys)?.ancestor ?? []].flat();
    const gateway = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: ref.namespace ?? namespace, name: ref.name };
    return ref.kind === undefined || ref.kind === 'Gateway' ? [gateway].filter((g) => gatewayKeys.has(`${g.namespace}/${g.name}`)) : [];
  });
}

/** A SecurityPolicy's authz sections (with `targets`' target fields) published under `key`, with the Secrets and Backends they name. */
function publishToAuthz(result: PolicyResult, policy: GatewayResource, key: string, policySpec: Record<string, unknown>, targets: Record<string, unknown>, index: ResourceIndex): void {
  const [namespace, name] = key.split('/') as [string, string];
  const spec = {
    ...Object.fromEntries(Object.entries(targets).filter(([field]) => field.startsWith('target'))),
    ...Object.fromEntries(Object.entries(policySpec).filter(([field]) => (AUTHZ_SECTIONS as readonly string[]).includes(field))),
  };
  result.authzPolicies.push({ namespace, name, yaml: toPlainYaml({ apiVersion: policy.apiVersion, kind: policy.kind, metadata: { name, namespace }, spec }) });
  for (const [dataKey, data] of resolveAuthzBackends(policySpec, namespace, index).data) result.authzSecrets.set(dataKey, { data });
  // A localJWKS ConfigMap goes as authz reads it ("ConfigMap:<ns>/<name>", key jwks).
  for (const configMapName of localJwksConfigMaps(policySpec)) {
    const jwks = jwksOf(index.get('ConfigMap', namespace, configMapName));
    if (jwks !== undefined) result.authzSecrets.set(`ConfigMap:${namespace}/${configMapName}`, { data: { jwks: Buffer.from(jwks, 'utf8') } });
  }
  for (const [secretNamespace, secretName] of referencedSecrets(policySpec, namespace)) {
    const secret = index.get('Secret', secretNamespace, secretName);
    if (secret && !secret.issues?.length) result.authzSecrets.set(`${secretNamespace}/${secretName}`, { data: secretData(secret) });
  }
}

/** Secrets a SecurityPolicy reads (OIDC client secret, API keys, htpasswd): [namespace, name], in its namespace unless a merged ref names another. */
function referencedSecrets(policySpec: Record<string, unknown>, namespace: string): Array<[string, string]> {
  const spec = policySpec as {
    oidc?: { clientSecret?: SecretRef; clientIDRef?: SecretRef };
    apiKeyAuth?: { credentialRefs?: SecretRef[] };
    basicAuth?: { users?: SecretRef };
  };
  const refs = [spec.oidc?.clientSecret, spec.oidc?.clientIDRef, ...(spec.apiKeyAuth?.credentialRefs ?? []), spec.basicAuth?.users];
  const found = new Map<string, [string, string]>();
  for (const ref of refs) if (typeof ref?.name === 'string') found.set(`${ref.namespace ?? namespace}/${ref.name}`, [ref.namespace ?? namespace, ref.name]);
  return [...found.values()];
}

interface SecretRef {
  name?: string;
  namespace?: string;
}

export function secretData(secret: GatewayResource): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) if (typeof value === 'string') data[key] = Buffer.from(value, 'base64');
  for (const [key, value] of Object.entries(secret.stringData ?? {})) if (typeof value === 'string') data[key] = Buffer.from(value, 'utf8');
  return data;
}
