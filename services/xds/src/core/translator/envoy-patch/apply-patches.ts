// EnvoyPatchPolicy patches on one Gateway's generated resources, as Envoy Gateway applies them: each
// patch on its own (by type URL and name), a failing one skipped while the others apply, and each
// result checked against Envoy's protos and their validation rules (@gatehouse/envoy-check) before it
// replaces the resource, so a patch Envoy would NACK never reaches it. The policy's Programmed
// condition says what happened, with Envoy Gateway's reasons (Programmed, Invalid, ResourceNotFound).
import { checkEnvoyResource } from '@gatehouse/envoy-check';
import type { EnvoyPatchPolicyIR, JsonPatchIR } from '../../gatewayapi/envoy-patch-policies.js';
import type { Condition, StatusMap } from '../../gatewayapi/status-types.js';
import type { EnvoyResource, EnvoyResources } from '../../ir/envoy-resources.js';
import { applyOperation, JsonPatchError, type JsonPatchOperation, type JsonValue } from './json-patch.js';
import { jsonPathPointers } from './json-path.js';

/** The xDS types a patch may name, the EnvoyResources list each lives in, and the field naming it. */
const TYPES: Record<string, { list: keyof EnvoyResources; nameField: string; label: string }> = {
  'type.googleapis.com/envoy.config.listener.v3.Listener': { list: 'listeners', nameField: 'name', label: 'Listener' },
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': { list: 'routes', nameField: 'name', label: 'RouteConfiguration' },
  'type.googleapis.com/envoy.config.cluster.v3.Cluster': { list: 'clusters', nameField: 'name', label: 'Cluster' },
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment': { list: 'endpoints', nameField: 'cluster_name', label: 'ClusterLoadAssignment' },
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret': { list: 'secrets', nameField: 'name', label: 'Secret' },
};

/** Applies the policies (already in priority order) to `resources` in place and records Programmed on each. */
export function applyEnvoyPatchPolicies(resources: EnvoyResources, policies: readonly EnvoyPatchPolicyIR[], statuses: StatusMap): void {
  for (const policy of policies) {
    const errors: string[] = [];
    const notFound: string[] = [];
    for (const patch of policy.patches) {
      const outcome = applyPatch(resources, patch);
      if (outcome.error) errors.push(outcome.error);
      if (outcome.notFound) notFound.push(outcome.notFound);
    }
    // As Envoy Gateway merges them: ResourceNotFound replaces Invalid, and True only when nothing failed.
    const condition: Condition =
      notFound.length > 0
        ? { type: 'Programmed', status: 'False', reason: 'ResourceNotFound', message: `Unable to find xds resources: ${notFound.join(',')}` }
        : errors.length > 0
          ? { type: 'Programmed', status: 'False', reason: 'Invalid', message: conditionMessage(errors) }
          : { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'Patches have been successfully applied.' };
    const status = statuses.get(policy.statusKey);
    if (status && 'ancestors' in status) for (const ancestor of status.ancestors) ancestor.conditions.push({ ...condition });
  }
}

/** Envoy Gateway's Error2ConditionMsg over the joined errors: a capital first letter and a final period. */
function conditionMessage(errors: readonly string[]): string {
  const text = errors.join('\n');
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return capital.endsWith('.') ? capital : `${capital}.`;
}

function matchesName(patch: JsonPatchIR, name: unknown): boolean {
  if (typeof name !== 'string') return false;
  if (patch.name !== undefined) return name === patch.name;
  const selector = patch.nameSelector!;
  switch (selector.type ?? 'Exact') {
    case 'Exact':
      return name === selector.value;
    case 'Prefix':
      return name.startsWith(selector.value);
    case 'Suffix':
      return name.endsWith(selector.value);
    case 'RegularExpression':
      return new RegExp(`^(?:${selector.value})$`, 'u').test(name);
  }
}

function applyPatch(resources: EnvoyResources, patch: JsonPatchIR): { error?: string; notFound?: string } {
  const type = TYPES[patch.type];
  if (!type) return { error: `unsupported xds resource type ${patch.type}` };
  const { op, value } = patch.operation;
  if ((op === 'add' || op === 'replace' || op === 'test') && value === undefined) return { error: `the ${op} operation requires a value` };
  if ((op === 'remove' || op === 'move' || op === 'copy') && value !== undefined) return { error: `the value field can not be set for the ${op} operation` };
  if ((op === 'move' || op === 'copy') && patch.operation.from === undefined) return { error: `the ${op} operation requires from` };
  const list = resources[type.list];
  const typeName = `${patch.type}/${patch.name ?? patch.nameSelector?.value ?? ''}`;

  // add at the empty path adds a whole new resource of the type.
  if (op === 'add' && !patch.operation.jsonPath && (patch.operation.path ?? '') === '') {
    const added = value as EnvoyResource;
    const problem = checkResource(patch.type, added);
    if (problem) return { error: `validation failed for xds resource ${JSON.stringify(value)}, err:${problem}` };
    const name = (added as Record<string, unknown>)[type.nameField];
    if (list.some((r) => r[type.nameField] === name)) return { error: `validation failed for xds resource ${JSON.stringify(value)}, err:${type.label} ${String(name)} already exists` };
    list.push(added);
    return {};
  }

  let selectorError: string | undefined;
  const targets = list.flatMap((resource, at) => {
    try {
      return matchesName(patch, resource[type.nameField]) ? [at] : [];
    } catch (err) {
      selectorError = `invalid nameSelector regular expression: ${(err as Error).message}`;
      return [];
    }
  });
  if (selectorError) return { error: selectorError };
  if (targets.length === 0) return { notFound: typeName };
  for (const at of targets) {
    const resource = list[at]!;
    const label = `${type.label} ${String(resource[type.nameField])}`;
    let patched: JsonValue;
    try {
      patched = patchOne(resource as JsonValue, patch);
    } catch (err) {
      if (!(err instanceof JsonPatchError)) throw err;
      return { error: `unable to apply patch ${JSON.stringify(patch.operation)} on resource ${label}, err: ${err.message}` };
    }
    const problem = checkResource(patch.type, patched);
    if (problem) return { error: `validation failed for xds resource ${label} patched by ${JSON.stringify(patch.operation)}, err:${problem}` };
    // The name is how listeners, routes and clusters find each other: a patch may not change it.
    if ((patched as Record<string, unknown>)[type.nameField] !== resource[type.nameField]) return { error: `patch ${JSON.stringify(patch.operation)} may not rename ${label}` };
    list[at] = patched as EnvoyResource;
  }
  return {};
}

/** One operation, at its path or at every pointer its jsonPath selects (path appended). */
function patchOne(resource: JsonValue, patch: JsonPatchIR): JsonValue {
  const { op, jsonPath, from, value } = patch.operation;
  const path = patch.operation.path ?? '';
  let pointers = [path];
  if (jsonPath) {
    const found = jsonPathPointers(resource, jsonPath);
    if (found.length === 0) throw new JsonPatchError(`no jsonPointers were found while evaluating the jsonPath: '${jsonPath}'`);
    pointers = found.map((pointer) => (path === '' ? pointer : `${pointer.replace(/\/$/, '')}/${path.replace(/^\//, '')}`));
  }
  let document = resource;
  for (const pointer of pointers) {
    const operation: JsonPatchOperation = { op, path: pointer, ...(from !== undefined ? { from } : {}), ...(value !== undefined ? { value: value as JsonValue } : {}) };
    document = applyOperation(document, operation);
  }
  return document;
}

function checkResource(typeUrl: string, resource: unknown): string | undefined {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) return 'a resource must be an object';
  const problems = checkEnvoyResource(typeUrl, resource);
  return problems.length === 0 ? undefined : problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
}
