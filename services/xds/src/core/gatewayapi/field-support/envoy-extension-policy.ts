// Every field of Envoy Gateway v1.9's EnvoyExtensionPolicy (packages/schemas/crds/authored): what Envoy
// gets from it and the test that shows it, or why it is refused. A refused field present in a policy
// makes it Accepted=False naming the field (./refused-fields.ts); a refused object refuses all its
// fields. envoy-extension-policy.test.ts walks the CRD and fails on a field without an entry; the
// README's EnvoyExtensionPolicy table is generated from this one (`pnpm -F @gatehouse/xds golden:update`).
import type { FieldSupport } from './field-support.js';
import { policyBackendFields } from './policy-backend-fields.js';

const GOLDEN = 'services/xds/src/core/gatewayapi/testdata/envoyextensionpolicy-lua-extproc-wasm.in.yaml';
const INVALID = 'services/xds/src/core/gatewayapi/testdata/envoyextensionpolicy-invalid.in.yaml';
const END_TO_END = 'services/xds/testdata/end-to-end/envoyextensionpolicy-extensions.in.yaml';
const JOURNEY = 'e2e/specs/extension-filters.spec.ts';

function translated(envoy: string, test = END_TO_END): FieldSupport {
  return { status: 'translated', envoy, test };
}

function refused(reason: string): FieldSupport {
  return { status: 'refused', reason };
}

const TARGETS = 'the routes of the target (Gateway, listener, HTTPRoute, GRPCRoute, rule); rule beats route beats listener beats Gateway; a second policy on a target is Conflicted, a Gateway policy that routes override says Overridden';
const SELECTORS = "the Gateways and routes of that kind in the policy's namespace whose labels match, attached like targetRefs";

const SELECTOR_NAMESPACES = "Same (the default): the policy's namespace; All: every namespace; Selector: the namespaces whose Namespace document's labels match (plus kubernetes.io/metadata.name). A target in another namespace is selected only when a ReferenceGrant there allows this policy kind (gateway.envoyproxy.io) to reference its kind, otherwise ignored; its ancestor is its own Gateway";

const targeting: Record<string, FieldSupport> = {
  'spec.targetRef': translated(`${TARGETS} (deprecated single form of targetRefs)`, GOLDEN),
  'spec.targetRef.group': translated('gateway.networking.k8s.io', GOLDEN),
  'spec.targetRef.kind': translated('Gateway, HTTPRoute or GRPCRoute', GOLDEN),
  'spec.targetRef.name': translated('target name', GOLDEN),
  'spec.targetRef.sectionName': translated('a Gateway listener or a route rule; an unknown one is Accepted=False TargetNotFound', INVALID),
  'spec.targetRefs': translated(TARGETS, GOLDEN),
  'spec.targetRefs.group': translated('gateway.networking.k8s.io', GOLDEN),
  'spec.targetRefs.kind': translated('Gateway, HTTPRoute or GRPCRoute', GOLDEN),
  'spec.targetRefs.name': translated('target name; a missing one is Accepted=False TargetNotFound', INVALID),
  'spec.targetRefs.sectionName': translated('a Gateway listener or a route rule; an unknown one is Accepted=False TargetNotFound', INVALID),
  'spec.targetSelectors': translated(SELECTORS, GOLDEN),
  'spec.targetSelectors.group': translated(SELECTORS, GOLDEN),
  'spec.targetSelectors.kind': translated(SELECTORS, GOLDEN),
  'spec.targetSelectors.matchExpressions': translated(SELECTORS, GOLDEN),
  'spec.targetSelectors.matchExpressions.key': translated(SELECTORS, GOLDEN),
  'spec.targetSelectors.matchExpressions.operator': translated(SELECTORS, GOLDEN),
  'spec.targetSelectors.matchExpressions.values': translated(SELECTORS, GOLDEN),
  'spec.targetSelectors.matchLabels': translated(SELECTORS, GOLDEN),
  ...Object.fromEntries(
    ['', '.from', '.selector', '.selector.matchExpressions', '.selector.matchExpressions.key', '.selector.matchExpressions.operator', '.selector.matchExpressions.values', '.selector.matchLabels'].map((suffix) => [
      `spec.targetSelectors.namespaces${suffix}`,
      translated(SELECTOR_NAMESPACES, 'services/xds/testdata/end-to-end/policy-target-selectors-namespaces.in.yaml'),
    ]),
  ),
  'spec.mergeType': translated("StrategicMerge or JSONMerge (alike: no list merge keys): a route or rule policy's lua, extProc and wasm replace those of its listener's, else Gateway's, policy, the others are kept; Merged=True on both (the parent is not Overridden for those routes)", 'services/xds/testdata/end-to-end/envoyextensionpolicy-merge-overridden.in.yaml'),
};

const lua: Record<string, FieldSupport> = {
  'spec.lua': translated('one envoy.filters.http.lua/envoyextensionpolicy/<ns>/<name>/lua/<i> filter per entry (disabled in the HCM, its script in source_codes), enabled on the routes by LuaPerRoute.name; the script must parse (LuaJIT grammar) and define envoy_on_request or envoy_on_response, else Accepted=False and the routes answer 500'),
  'spec.lua.type': translated('Inline or ValueRef (exactly one of inline, valueRef)'),
  'spec.lua.inline': translated('Lua.source_codes[<name>].inline_string'),
  'spec.lua.valueRef': translated('the ConfigMap in the policy namespace: key `lua`, else its first value; a missing one is Accepted=False', INVALID),
  'spec.lua.valueRef.group': translated('"" or v1 (core)', INVALID),
  'spec.lua.valueRef.kind': translated('ConfigMap', INVALID),
  'spec.lua.valueRef.name': translated('the ConfigMap name', INVALID),
  'spec.lua.filterContext': refused('filterContext (LuaPerRoute.filter_context) is not in the Envoy API Gatehouse serves'),
};

const backendRef = (field: string): FieldSupport => translated(`ExternalProcessor.grpc_service.envoy_grpc: ${field}`);
const extProc: Record<string, FieldSupport> = {
  'spec.extProc': translated('one envoy.filters.http.ext_proc/envoyextensionpolicy/<ns>/<name>/extproc/<i> filter per entry (disabled in the HCM, enabled on its routes by FilterConfig), gRPC timeout 10s', `${END_TO_END}, ${JOURNEY}`),
  'spec.extProc.backendRef': refused('BackendRefs must be used, backendRef is not supported.'),
  'spec.extProc.backendRefs': backendRef('the cluster of the one backendRef (HTTP/2), or envoyextensionpolicy/<ns>/<name>/extproc/<i> holding every backend\'s endpoints; authority <name>.<namespace>[:port] of the first; a missing backend is Accepted=False'),
  'spec.extProc.backendRefs.group': backendRef('"" (Service) or gateway.envoyproxy.io (Backend)'),
  'spec.extProc.backendRefs.kind': backendRef('Service (by DNS) or Backend'),
  'spec.extProc.backendRefs.name': backendRef('the backend'),
  'spec.extProc.backendRefs.namespace': backendRef('the backend namespace (ReferenceGrant needed across namespaces)'),
  'spec.extProc.backendRefs.port': backendRef('the Service port, and the authority port'),
  ...policyBackendFields('spec.extProc', 'grpc', 'the cluster envoyextensionpolicy/<ns>/<name>/extproc/<i>', 'services/xds/testdata/end-to-end/policy-backends-weighted-settings.in.yaml'),
  'spec.extProc.failOpen': translated('ExternalProcessor.failure_mode_allow'),
  'spec.extProc.messageTimeout': translated('ExternalProcessor.message_timeout (Envoy default 200ms)'),
  'spec.extProc.metadata': translated('ExternalProcessor.metadata_options'),
  'spec.extProc.metadata.accessibleNamespaces': translated('metadata_options.forwarding_namespaces.untyped'),
  'spec.extProc.metadata.writableNamespaces': translated('metadata_options.receiving_namespaces.untyped (no envoy.filters.http.* namespace)'),
  'spec.extProc.processingMode': translated('ExternalProcessor.processing_mode (headers SKIP, bodies NONE, trailers SKIP unless set)'),
  'spec.extProc.processingMode.allowModeOverride': translated('ExternalProcessor.allow_mode_override'),
  'spec.extProc.processingMode.request': translated('processing_mode.request_header_mode SEND', `${END_TO_END}, ${JOURNEY}`),
  'spec.extProc.processingMode.request.attributes': translated('ExternalProcessor.request_attributes'),
  'spec.extProc.processingMode.request.body': translated('processing_mode.request_body_mode STREAMED, BUFFERED or BUFFERED_PARTIAL (FullDuplexStreamed: Accepted=False, not in the Envoy API served)'),
  'spec.extProc.processingMode.response': translated('processing_mode.response_header_mode SEND'),
  'spec.extProc.processingMode.response.attributes': translated('ExternalProcessor.response_attributes'),
  'spec.extProc.processingMode.response.body': translated('processing_mode.response_body_mode STREAMED, BUFFERED or BUFFERED_PARTIAL (FullDuplexStreamed: Accepted=False, not in the Envoy API served)'),
  'spec.extProc.shadowMode': translated('ExternalProcessor.observability_mode'),
  'spec.extProc.statusOnError': refused('statusOnError (ExternalProcessor.status_on_error) is not in the Envoy API Gatehouse serves; a failing processor answers 500'),
};

const IMAGE = 'an Image code source needs an OCI registry the gateway can reach: Gatehouse does not pull OCI images; publish the .wasm over HTTP(S) and use type HTTP with its sha256';
const wasm: Record<string, FieldSupport> = {
  'spec.wasm': translated('one envoy.filters.http.wasm/envoyextensionpolicy/<ns>/<name>/wasm/<i> filter per entry (disabled in the HCM, enabled on its routes by FilterConfig), runtime envoy.wasm.runtime.v8'),
  'spec.wasm.name': translated('PluginConfig.name (default: the entry name above)'),
  'spec.wasm.rootID': translated('PluginConfig.root_id'),
  'spec.wasm.code': translated('PluginConfig.vm_config.code'),
  'spec.wasm.code.type': translated('HTTP (Image is refused)'),
  'spec.wasm.code.http': translated('vm_config.code.remote: Envoy fetches the module through a cluster for the URL host (TLS with the system trust store for https)'),
  'spec.wasm.code.http.url': translated('remote.http_uri.uri (and its cluster wasm/<scheme>/<host>:<port>)'),
  'spec.wasm.code.http.sha256': translated('remote.sha256: required, Envoy refuses a module with another checksum', INVALID),
  ...Object.fromEntries(
    ['', '.caCertificateRef', '.caCertificateRef.group', '.caCertificateRef.kind', '.caCertificateRef.name', '.caCertificateRef.namespace'].map((suffix) => [
      `spec.wasm.code.http.tls${suffix}`,
      translated(
        "the module server's CA: ca.crt of the Secret (default) or ConfigMap, another namespace only with a ReferenceGrant, as the inline trusted_ca of the URL host's own cluster wasm/https/<host>:<port>/ca/<ns>/<name>; https only",
        'services/xds/testdata/end-to-end/envoyextensionpolicy-wasm-private-ca.in.yaml',
      ),
    ]),
  ),
  'spec.wasm.code.image': refused(IMAGE),
  'spec.wasm.code.pullPolicy': translated('no effect with sha256 pinned (Envoy Gateway ignores it then too), and sha256 is required'),
  'spec.wasm.config': translated('PluginConfig.configuration: google.protobuf.StringValue with the config as JSON'),
  'spec.wasm.env': translated('vm_config.environment_variables'),
  'spec.wasm.env.hostKeys': translated('environment_variables.host_env_keys'),
  'spec.wasm.failOpen': translated('PluginConfig.fail_open'),
};

export const envoyExtensionPolicyFields: Record<string, FieldSupport> = {
  ...targeting,
  ...lua,
  ...extProc,
  ...wasm,
  'spec.dynamicModule': refused('dynamicModule needs a module registered in an EnvoyProxy dynamicModules allowlist, which Gatehouse does not load'),
};
