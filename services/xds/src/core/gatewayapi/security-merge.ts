// SecurityPolicy mergeType, as Envoy Gateway v1.9 does it (the merge and conditions: policy-merge.ts):
// a route (or rule) policy with mergeType is merged over the SecurityPolicy of the route's listener,
// else of its ListenerSet (routes attached through one), else of its Gateway, and that merged spec is
// what the route enforces under that parent: its Envoy parts (cors, csrf, extAuth) and, under its own
// key "<route policy ns>/<name>.merged.<parent ns>.<parent name>", its authz sections, published to
// authz like any policy. References resolve in the namespace of the policy that brought them: Secret
// refs are written with that namespace; the references authz or Envoy read in the policy's namespace
// only (extAuth, JWKS ConfigMaps and Backends, OIDC provider Backends) cannot come from a parent in
// another namespace (Accepted=False).
import type { GatewayResource } from '../provider/resource-types.js';
import { listenerSetKeyOf } from './listener-sets.js';
import { mergeOverParents, mergeSpecs, type MergeRecord, type ParentPolicy } from './policy-merge.js';
import type { ResourceIndex } from './resource-index.js';
import { translateSecurityFeatures, type SecurityFeatures } from './security-features.js';
import { objectsOf } from './shape.js';

/** What one route enforces under one parent: the authz key its requests carry and the features. */
export interface SecurityVariant {
  policy: string;
  features: SecurityFeatures;
  /** The merged spec, published to authz under `policy` when features.authz. */
  spec: Record<string, unknown>;
}

/** A SecurityPolicy's claim on a target; `merged`: its variants by parent key ("gateway:…", "listener:…"). */
export interface SecurityClaim {
  /** false: the policy is broken and its routes answer 500 (fail closed, as Envoy Gateway does). */
  valid: boolean;
  features?: SecurityFeatures;
  merged?: Record<string, SecurityVariant>;
}

/** The authz key of a route policy merged over a parent (a DNS subdomain, as authz requires of names). */
export function mergedPolicyName(routePolicy: string, parentPolicy: string): string {
  const [namespace, name] = routePolicy.split('/') as [string, string];
  return `${namespace}/${name}.merged.${parentPolicy.replace('/', '.')}`;
}

/** The targets a SecurityPolicy with mergeType may name (its CRD's rule). */
const ROUTE_KINDS: readonly unknown[] = ['HTTPRoute', 'GRPCRoute', 'TCPRoute'];

/** The route policy merged over each parent its routes meet, translated; problems are the route policy's. */
export function mergeSecurityPolicy(
  policy: GatewayResource,
  parents: ReadonlyMap<string, ParentPolicy>,
  index: ResourceIndex,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
  record: MergeRecord,
): { merged: Record<string, SecurityVariant>; problems: string[] } {
  const namespace = policy.metadata.namespace;
  const routePolicy = `${namespace}/${policy.metadata.name}`;
  const spec = (policy.spec ?? {}) as Record<string, unknown>;
  // The CRD's CEL rule (the API server's check, which schema validation here does not run).
  const targets = objectsOf<{ kind?: unknown }>([...objectsOf(spec.targetRefs), spec.targetRef, ...objectsOf(spec.targetSelectors)]);
  if (targets.some((t) => !ROUTE_KINDS.includes(t.kind as string))) return { merged: {}, problems: ['spec.mergeType: mergeType can only be used with xRoute targets'] };
  return mergeOverParents(routePolicy, spec, parents, index, gatewayKeys, record, (parent, mergedSpec) => {
    const key = mergedPolicyName(routePolicy, parent.name);
    const name = key.slice(namespace.length + 1);
    const parentNamespace = parent.name.slice(0, parent.name.indexOf('/'));
    const crossNamespace = parentNamespace !== namespace;
    const problems = crossNamespace ? unsupportedInherited(parent, spec) : [];
    // Across namespaces each side's Secret refs keep pointing into its own namespace.
    const merged = crossNamespace ? mergeSpecs(ownedRefs(parent.spec, parentNamespace), ownedRefs(spec, namespace)) : mergedSpec;
    if (name.length > 253) problems.push(`the merged policy name ${name} is longer than 253 characters`);
    if (index.get('SecurityPolicy', namespace, name)) problems.push(`a SecurityPolicy named ${key} exists, the name of this merged policy`);
    const translated = translateSecurityFeatures({ ...policy, metadata: { ...policy.metadata, name }, spec: merged }, index, crossNamespace ? [parentNamespace] : []);
    return { value: { policy: key, features: translated.features, spec: merged }, problems: [...problems, ...translated.problems] };
  });
}

/** The variant a route runs under one Gateway listener: merged over that listener's, ListenerSet's or Gateway's policy when it merged. */
export function securityFor<T extends { policy: string; value: SecurityClaim }>(
  claim: T | undefined,
  parent: { gateway: string; listener: string },
): { policy: string; value: SecurityClaim } | undefined {
  const merged = claim?.value.merged;
  const set = listenerSetKeyOf(parent.gateway, parent.listener);
  const variant = merged?.[`listener:${parent.gateway}/${parent.listener}`] ?? (set ? merged?.[set] : undefined) ?? merged?.[`gateway:${parent.gateway}`];
  if (!claim || !variant || !claim.value.valid) return claim;
  return { policy: variant.policy, value: { valid: true, features: variant.features } };
}

/** Paths of Secret refs authz reads, honouring a `namespace` on the ref. */
const SECRET_REFS: ReadonlyArray<readonly string[]> = [['oidc', 'clientSecret'], ['oidc', 'clientIDRef'], ['basicAuth', 'users']];

/** A copy of a spec whose Secret refs without a namespace name this one (merged, each side keeps its own). */
function ownedRefs(spec: Record<string, unknown>, namespace: string): Record<string, unknown> {
  const copy = structuredClone(spec);
  const refs = [...SECRET_REFS.map((path) => at(copy, path)), ...objectsOf((copy.apiKeyAuth as { credentialRefs?: unknown } | undefined)?.credentialRefs)];
  for (const ref of refs) if (typeof ref === 'object' && ref !== null && !Array.isArray(ref)) (ref as { namespace?: unknown }).namespace ??= namespace;
  return copy;
}

/** What a parent in another namespace cannot lend: references read in the policy's namespace only. */
function unsupportedInherited(parent: ParentPolicy, child: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const inherited = (path: readonly string[]) => at(parent.spec, path) !== undefined && at(child, path) === undefined;
  const referencing = (value: unknown): boolean =>
    typeof value === 'object' && value !== null && (Array.isArray(value) ? value.some(referencing) : Object.entries(value).some(([k, v]) => k === 'backendRef' || k === 'backendRefs' || k === 'valueRef' || referencing(v)));
  for (const path of [['extAuth'], ['jwt', 'providers'], ['oidc', 'provider']]) {
    if (inherited(path) && referencing(at(parent.spec, path))) {
      problems.push(`spec.${path.join('.')} of ${parent.name} names objects of namespace ${parent.name.split('/')[0]}, which a policy merged in another namespace cannot read: set it in this policy`);
    }
  }
  return problems;
}

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
