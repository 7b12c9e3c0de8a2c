// EnvoyPatchPolicy attachment, as Envoy Gateway decides it: the feature must be enabled (Gatehouse:
// XDS_ENABLE_ENVOY_PATCH_POLICY), the target must be a Gateway of this controller in the policy's own
// namespace, or a GatewayClass whose Gateways are merged (its EnvoyProxy sets mergeGateways), and the
// accepted policies of a Gateway apply in ascending priority. Whether each patch applied (Programmed)
// is decided after translation, on the generated resources (translator/envoy-patch).
import type { GatewayResource } from '../provider/resource-types.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import type { GatewayContext } from './gateways.js';
import { GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';
import type { Condition, StatusMap } from './status-types.js';

/** One jsonPatches entry as written (the schema has checked its shape). */
export interface JsonPatchIR {
  type: string;
  name?: string;
  nameSelector?: { type?: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression'; value: string };
  operation: { op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'; path?: string; jsonPath?: string; from?: string; value?: unknown };
}

export interface EnvoyPatchPolicyIR {
  /** "EnvoyPatchPolicy/<namespace>/<name>": its status gets the Programmed condition. */
  statusKey: string;
  patches: JsonPatchIR[];
}

export const ENVOY_PATCH_POLICY_DISABLED_MESSAGE =
  'EnvoyPatchPolicy is disabled in the EnvoyGateway configuration (Gatehouse: set XDS_ENABLE_ENVOY_PATCH_POLICY=true on xds to apply it)';

interface TargetRef {
  group?: string;
  kind?: string;
  name?: string;
}

/** Accepted policies per node cluster (Gateway key "<namespace>/<name>", or a merged GatewayClass's name), in the order they apply. */
export function collectEnvoyPatchPolicies(
  index: ResourceIndex,
  gateways: readonly GatewayContext[],
  controllerName: string,
  statuses: StatusMap,
  enabled: boolean,
  mergedClasses: ReadonlySet<string> = new Set(),
  mergedGateways: ReadonlySet<string> = new Set(),
): Map<string, EnvoyPatchPolicyIR[]> {
  const served = new Set(gateways.map((g) => g.key));
  const byGateway = new Map<string, Array<{ priority: number; order: number; ir: EnvoyPatchPolicyIR }>>();
  index.list('EnvoyPatchPolicy').forEach((policy, order) => {
    const namespace = policy.metadata.namespace;
    const statusKey = `EnvoyPatchPolicy/${namespace}/${policy.metadata.name}`;
    const spec = (policy.spec ?? {}) as { targetRef?: TargetRef; priority?: number; jsonPatches?: unknown };
    const target = spec.targetRef ?? {};
    // With merged Gateways the target is the GatewayClass (its fleet's IR is keyed by the class name), as in Envoy Gateway.
    const toClass = target.kind === 'GatewayClass' ? mergedClasses.has(target.name ?? '') : mergedGateways.has(`${namespace}/${target.name ?? ''}`);
    const targetKind = toClass ? 'GatewayClass' : 'Gateway';
    const gatewayKey = toClass ? (target.name ?? '') : `${namespace}/${target.name ?? ''}`;
    const ancestorRef = toClass ? { group: GATEWAY_GROUP, kind: 'GatewayClass', name: target.name ?? '' } : { group: GATEWAY_GROUP, kind: 'Gateway', namespace, name: target.name ?? '' };
    const report = (condition: Condition) =>
      statuses.set(statusKey, { kind: 'EnvoyPatchPolicy', ancestors: [{ ancestorRef, controllerName, conditions: [condition] }] });

    if (policy.issues?.length) return report(conditionFalse('Accepted', Reasons.invalid, describeIssues(policy.issues)));
    // Envoy Gateway checks the feature gate first, then the target's group and kind.
    if (!enabled) return report(conditionFalse('Accepted', 'Disabled', ENVOY_PATCH_POLICY_DISABLED_MESSAGE));
    if (target.group !== GATEWAY_GROUP || target.kind !== targetKind) {
      return report(
        conditionFalse('Accepted', Reasons.invalid, `TargetRef.Group:${target.group ?? ''} TargetRef.Kind:${target.kind ?? ''}, only TargetRef.Group:${GATEWAY_GROUP} and TargetRef.Kind:${targetKind} is supported.`),
      );
    }
    // Envoy Gateway leaves a policy whose Gateway it does not serve without status; with no API server, say why here.
    if (!toClass && !served.has(gatewayKey)) return report(conditionFalse('Accepted', Reasons.targetNotFound, `Gateway ${gatewayKey} is not found or not served by this controller`));
    const problems = patchProblems(policy);
    if (problems.length > 0) return report(conditionFalse('Accepted', Reasons.invalid, problems.join('; ')));

    report(conditionTrue('Accepted', Reasons.accepted, 'Policy has been accepted.'));
    let list = byGateway.get(gatewayKey);
    if (!list) byGateway.set(gatewayKey, (list = []));
    list.push({ priority: typeof spec.priority === 'number' ? spec.priority : 0, order, ir: { statusKey, patches: objectsOf<JsonPatchIR>(spec.jsonPatches) } });
  });

  // Ascending priority; equal priorities keep the index order (oldest first), as a stable sort does.
  return new Map([...byGateway].map(([key, list]) => [key, list.sort((a, b) => a.priority - b.priority || a.order - b.order).map((e) => e.ir)]));
}

/** The CRD's CEL rules (name xor nameSelector), which the schema check does not run. */
function patchProblems(policy: GatewayResource): string[] {
  const patches = objectsOf<JsonPatchIR>((policy.spec as { jsonPatches?: unknown } | undefined)?.jsonPatches);
  return patches.flatMap((patch, i) => {
    if (patch.name !== undefined && patch.nameSelector !== undefined) return [`spec.jsonPatches[${i}]: only one of name and nameSelector can be specified`];
    if (patch.name === undefined && patch.nameSelector === undefined) return [`spec.jsonPatches[${i}]: either name or nameSelector must be specified`];
    return [];
  });
}
