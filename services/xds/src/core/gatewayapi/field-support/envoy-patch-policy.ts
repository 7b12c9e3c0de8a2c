// Every field of EnvoyPatchPolicy (Envoy Gateway v1.9; schema authored in packages/schemas/crds/authored),
// keyed by dotted path without array indices. envoy-patch-policy-and-proxy.test.ts walks the schema and
// fails on a field missing here; the xds README's EnvoyPatchPolicy table is rendered from this one.
import type { FieldSupport } from './field-support.js';

const GOLDEN = 'testdata/end-to-end/envoypatchpolicy-json-patches.in.yaml';
const MERGED = 'testdata/end-to-end/envoypatchpolicy-merge-gateways.in.yaml';
const patch = (envoy: string): FieldSupport => ({ status: 'translated', envoy, test: GOLDEN });
const target = (envoy: string): FieldSupport => ({ status: 'translated', envoy, test: MERGED });

export const envoyPatchPolicyFields: Record<string, FieldSupport> = {
  'spec.type': patch('JSONPatch, the only type'),
  'spec.targetRef': {
    status: 'translated',
    envoy: 'the snapshot patched: a Gateway\'s (same namespace), or, when its GatewayClass merges Gateways (EnvoyProxy mergeGateways), the GatewayClass\'s merged one; the other kind is Accepted=False Invalid, as in Envoy Gateway',
    test: MERGED,
  },
  'spec.targetRef.group': patch('must be gateway.networking.k8s.io'),
  'spec.targetRef.kind': target('Gateway; GatewayClass when its Gateways are merged (and then only GatewayClass)'),
  'spec.targetRef.name': target('the Gateway in the policy\'s namespace, or the merged GatewayClass'),
  'spec.priority': patch('policies on one Gateway apply in ascending priority (equal: oldest first)'),
  'spec.jsonPatches': patch('each patch applied on its own to the generated resource, the result checked by @gatehouse/envoy-check before it replaces it (Programmed=False Invalid otherwise, the resource unchanged)'),
  'spec.jsonPatches.type': patch('the xDS type URL: Listener, RouteConfiguration, Cluster, ClusterLoadAssignment, Secret'),
  'spec.jsonPatches.name': patch('the resource name (ClusterLoadAssignment: cluster_name); none: Programmed=False ResourceNotFound'),
  'spec.jsonPatches.nameSelector': patch('every resource of the type whose name matches (Exact, Prefix, Suffix, RegularExpression)'),
  'spec.jsonPatches.nameSelector.type': patch('every resource of the type whose name matches (Exact, Prefix, Suffix, RegularExpression)'),
  'spec.jsonPatches.nameSelector.value': patch('every resource of the type whose name matches (Exact, Prefix, Suffix, RegularExpression)'),
  'spec.jsonPatches.operation': patch('one RFC 6902 operation on the resource in Envoy JSON (proto field names)'),
  'spec.jsonPatches.operation.op': patch('add (creating missing objects; at path "" a whole new resource), remove, replace, move, copy, test'),
  'spec.jsonPatches.operation.path': patch('RFC 6901 JSON Pointer; with jsonPath, appended to each pointer found'),
  'spec.jsonPatches.operation.jsonPath': patch('RFC 9535 JSONPath: members, indices, wildcards, descendants, == / != filters; the operation applies at each node found (none: Programmed=False)'),
  'spec.jsonPatches.operation.from': patch('the source pointer of move and copy'),
  'spec.jsonPatches.operation.value': patch('the value of add, replace and test'),
};
