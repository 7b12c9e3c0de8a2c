// An EnvoyExtensionPolicy's spec -> the extensions it runs (lua, extProc, wasm), as Envoy Gateway v1.9
// builds them, before any backend is resolved for a Gateway. Refused fields (field-support/
// envoy-extension-policy.ts), the CRD's CEL rules, a Lua script that does not parse, a ConfigMap or
// backend that does not resolve: each is a problem, so the policy is Accepted=False (Invalid) and the
// routes it targets answer 500 rather than run without their extension, as Envoy Gateway does.
import luaparse from 'luaparse';
import type { GatewayResource } from '../provider/resource-types.js';
import type { ExtProcBodyMode, ExtProcIR, LuaIR, WasmIR } from '../ir/types.js';
import type { ClusterRegistry, BackendRef } from './backends.js';
import { readCaCertificates, verifiedUpstreamTls } from './backend-tls.js';
import { parseDurationMs } from './durations.js';
import { envoyExtensionPolicyFields } from './field-support/envoy-extension-policy.js';
import { findRefusedFields } from './field-support/refused-fields.js';
import type { ResourceIndex } from './resource-index.js';
import { planPolicyBackends, resolvePolicyBackends, type PolicyBackendRef, type PolicyBackends } from './policy-backends.js';
import { objectsOf } from './shape.js';

/** extProc before its backend is resolved for one Gateway. */
export type ExtProcPlan = Omit<ExtProcIR, 'cluster' | 'authority'> & { backendRef: BackendRef; backends: PolicyBackends };
/** wasm before its URL's cluster is added to one Gateway. */
export type WasmPlan = Omit<WasmIR, 'cluster'> & { source: WasmSource };

export interface WasmSource {
  https: boolean;
  host: string;
  port: number;
  /** code.http.tls: the CA ("<ns>/<name>" of its ConfigMap or Secret, and its PEM) the module server's certificate must chain to. */
  ca?: { ref: string; pem: string };
}

export interface ExtensionPlan {
  /** "<namespace>/<name>". */
  policy: string;
  /** Where extProc backendRefs resolve when not the policy's namespace (a merged plan keeps its parent's extProc). */
  extProcNamespace?: string;
  extProc: ExtProcPlan[];
  wasm: WasmPlan[];
  lua: LuaIR[];
}

/** What an EnvoyExtensionPolicy claims on a target; `valid: false`: its routes answer 500, as Envoy Gateway does. */
export interface ExtensionClaim {
  valid: boolean;
  plan?: ExtensionPlan;
  /** mergeType: this route policy's plan merged over a parent's, by the parent's target ("gateway:…", "listener:…"). */
  merged?: Record<string, ExtensionPlan>;
}

interface ExtProcSpec {
  backendRef?: BackendRef;
  backendRefs?: PolicyBackendRef[];
  backendSettings?: unknown;
  failOpen?: boolean;
  messageTimeout?: string;
  metadata?: { accessibleNamespaces?: string[]; writableNamespaces?: string[] };
  processingMode?: { allowModeOverride?: boolean; request?: ModeSpec; response?: ModeSpec };
  shadowMode?: boolean;
}

interface ModeSpec {
  attributes?: string[];
  body?: ExtProcBodyMode;
}

interface LuaSpec {
  type?: 'Inline' | 'ValueRef';
  inline?: string;
  valueRef?: { group?: string; kind?: string; name?: string };
}

interface WasmSpec {
  name?: string;
  rootID?: string;
  code?: { type?: string; http?: { url?: string; sha256?: string; tls?: { caCertificateRef?: { group?: string; kind?: string; name: string; namespace?: string } } }; image?: unknown };
  config?: unknown;
  env?: { hostKeys?: string[] };
  failOpen?: boolean;
}

interface ExtensionPolicySpec {
  extProc?: ExtProcSpec[];
  lua?: LuaSpec[];
  wasm?: WasmSpec[];
}

/** Envoy Gateway's name of the policy's n-th extension of a type ("envoyextensionpolicy/<ns>/<name>/lua/0"). */
export function extensionName(policy: string, type: 'lua' | 'extproc' | 'wasm', index: number): string {
  return `envoyextensionpolicy/${policy}/${type}/${index}`;
}

/** Envoy Gateway's refusal of lua while extensionApis.enableLua is off, and Gatehouse's switch for it. */
export const LUA_DISABLED = 'Lua: Skipping Lua EnvoyExtensionPolicy as feature is disabled in the Gateway. (Gatehouse: set XDS_ENABLE_LUA=true on xds to run it)';

export function translateExtensionPolicy(policy: GatewayResource, index: ResourceIndex, enableLua = false): { plan: ExtensionPlan; problems: string[] } {
  const spec = (policy.spec ?? {}) as ExtensionPolicySpec;
  const namespace = policy.metadata.namespace;
  const name = `${namespace}/${policy.metadata.name}`;
  const problems = findRefusedFields(spec, envoyExtensionPolicyFields);
  const plan: ExtensionPlan = { policy: name, extProc: [], wasm: [], lua: [] };

  if (!enableLua && objectsOf<LuaSpec>(spec.lua).length > 0) problems.push(LUA_DISABLED);
  else objectsOf<LuaSpec>(spec.lua).forEach((lua, i) => {
    const built = planLua(lua, extensionName(name, 'lua', i), namespace, index);
    if (typeof built === 'string') problems.push(`Lua: spec.lua[${i}]: ${built}`);
    else plan.lua.push(built);
  });
  objectsOf<ExtProcSpec>(spec.extProc).forEach((extProc, i) => {
    const built = planExtProc(extProc, i, extensionName(name, 'extproc', i), name, index);
    if (Array.isArray(built)) problems.push(...built.map((p) => (p.startsWith('ExtProc: ') ? p : p.startsWith(`spec.extProc[${i}]`) ? `ExtProc: ${p}` : `ExtProc: spec.extProc[${i}]: ${p}`)));
    else if (typeof built === 'string') problems.push(`ExtProc: spec.extProc[${i}]: ${built}`);
    else plan.extProc.push(built);
  });
  objectsOf<WasmSpec>(spec.wasm).forEach((wasm, i) => {
    const built = planWasm(wasm, extensionName(name, 'wasm', i), namespace, index);
    // An Image source is refused by the field table, which names it.
    if (built === null) return;
    if (typeof built === 'string') problems.push(`Wasm: spec.wasm[${i}]: ${built}`);
    else plan.wasm.push(built);
  });
  return { plan, problems };
}

function planLua(lua: LuaSpec, name: string, namespace: string, index: ResourceIndex): LuaIR | string {
  const type = lua.type ?? 'Inline';
  // The CRD's CEL rule, which the API server would check.
  if ((type === 'Inline') !== (lua.inline !== undefined) || (type === 'ValueRef') !== (lua.valueRef !== undefined)) return 'Exactly one of inline or valueRef must be set with correct type.';
  let code = lua.inline;
  if (type === 'ValueRef') {
    const ref = lua.valueRef!;
    if (ref.kind !== 'ConfigMap' || (ref.group !== undefined && ref.group !== '' && ref.group !== 'v1')) return 'Only a reference to an object of kind ConfigMap belonging to default v1 API group is supported.';
    const configMap = index.get('ConfigMap', namespace, ref.name ?? '');
    if (!configMap) return `can't find the referenced configmap ${ref.name} in namespace ${namespace}`;
    const data = (configMap as { data?: Record<string, unknown> }).data ?? {};
    // The key `lua`, else the first value, as Envoy Gateway reads it.
    const value = 'lua' in data ? data.lua : Object.values(data)[0];
    if (typeof value !== 'string') return `can't find the key lua in the referenced configmap ${ref.name}`;
    code = value;
  }
  const invalid = describeLuaProblem(code ?? '');
  if (invalid) return `validation failed for lua body in policy with name ${name}: ${invalid}`;
  return { name, code: code ?? '' };
}

/**
 * Envoy compiles the script when the listener loads (a syntax error NACKs the whole listener), and
 * Envoy Gateway refuses a script without a global entry point: both are checked here, with LuaJIT's grammar.
 */
export function describeLuaProblem(code: string): string | undefined {
  let chunk: { body: Array<{ type: string; isLocal?: boolean; identifier?: { type: string; name?: string } | null; variables?: Array<{ type: string; name?: string }> }> };
  try {
    chunk = luaparse.parse(code, { luaVersion: 'LuaJIT', comments: false }) as typeof chunk;
  } catch (error) {
    return `lua syntax error: ${(error as Error).message}`;
  }
  const defines = (entry: string) =>
    chunk.body.some(
      (statement) =>
        (statement.type === 'FunctionDeclaration' && statement.isLocal !== true && statement.identifier?.type === 'Identifier' && statement.identifier.name === entry) ||
        (statement.type === 'AssignmentStatement' && (statement.variables ?? []).some((v) => v.type === 'Identifier' && v.name === entry)),
    );
  return defines('envoy_on_request') || defines('envoy_on_response') ? undefined : 'expected one of envoy_on_request() or envoy_on_response() to be defined';
}


function planExtProc(spec: ExtProcSpec, i: number, name: string, policy: string, index: ResourceIndex): ExtProcPlan | string | string[] {
  if (spec.backendRef !== undefined) return 'BackendRefs must be used, backendRef is not supported.';
  const refs = objectsOf<PolicyBackendRef>(spec.backendRefs);
  if (refs.length === 0) return 'a backendRef is required';
  const namespace = policy.split('/')[0]!;
  // Resolved once here so a missing backend makes the policy Accepted=False; each Gateway resolves it into its own clusters.
  const backends = planPolicyBackends(
    { refs, settings: spec.backendSettings, at: `spec.extProc[${i}]`, label: 'ExtProc', name, policy, from: { kind: 'EnvoyExtensionPolicy', namespace }, grpc: true },
    index,
  );
  if (Array.isArray(backends)) return backends;
  const backendRef = refs[0]!;
  const mode = spec.processingMode ?? {};
  for (const [direction, options] of [['request', mode.request], ['response', mode.response]] as const) {
    if (options?.body === 'FullDuplexStreamed') return `processingMode.${direction}.body FullDuplexStreamed is not in the Envoy API Gatehouse serves (no FULL_DUPLEX_STREAMED body mode)`;
    if (spec.shadowMode && options?.body !== undefined && options.body !== 'Streamed') return 'If shadowMode is enabled, body processing mode must be Streamed or unset.';
  }
  const plan: ExtProcPlan = {
    name,
    backendRef,
    backends,
    failOpen: spec.failOpen ?? false,
    requestHeaders: mode.request !== undefined,
    responseHeaders: mode.response !== undefined,
    requestAttributes: mode.request?.attributes ?? [],
    responseAttributes: mode.response?.attributes ?? [],
    allowModeOverride: mode.allowModeOverride ?? false,
    forwardingNamespaces: spec.metadata?.accessibleNamespaces ?? [],
    receivingNamespaces: spec.metadata?.writableNamespaces ?? [],
    shadowMode: spec.shadowMode ?? false,
  };
  if (plan.receivingNamespaces.some((ns) => ns.startsWith('envoy.filters.http'))) return 'writableNamespaces cannot contain well-known Envoy HTTP filter namespaces';
  if (backends.retry) plan.retry = backends.retry;
  if (mode.request?.body) plan.requestBody = mode.request.body;
  if (mode.response?.body) plan.responseBody = mode.response.body;
  if (spec.messageTimeout !== undefined) {
    const ms = parseDurationMs(spec.messageTimeout);
    if (ms === undefined || ms === 0) return `invalid ExtProc messageTimeout value "${spec.messageTimeout}": a positive duration is needed`;
    plan.messageTimeoutMs = ms;
  }
  return plan;
}

/** The extProc of a policy with its backend resolved into this Gateway's clusters (HTTP/2: gRPC). */
export function resolveExtProc(plan: ExtProcPlan, namespace: string, index: ResourceIndex, registry: ClusterRegistry): ExtProcIR | undefined {
  const resolved = resolvePolicyBackends(plan.backends, { kind: 'EnvoyExtensionPolicy', namespace }, index, registry);
  if (!resolved.ok) return undefined;
  const { backendRef, backends: _backends, ...rest } = plan;
  // Envoy Gateway's authority: "<name>.<namespace>[:port]".
  const authority = `${backendRef.name}.${backendRef.namespace ?? namespace}${backendRef.port ? `:${backendRef.port}` : ''}`;
  return { ...rest, cluster: resolved.cluster, authority };
}

function planWasm(spec: WasmSpec, name: string, namespace: string, index: ResourceIndex): WasmPlan | string | null {
  const code = spec.code ?? {};
  if (code.type === 'Image' && code.image !== undefined) return null;
  if (code.type === 'HTTP' ? code.http === undefined : code.http !== undefined) return 'If type is HTTP, http field needs to be set.';
  if (code.type === 'Image' ? code.image === undefined : code.image !== undefined) return 'If type is Image, image field needs to be set.';
  if (code.type !== 'HTTP' || !code.http) return `unsupported Wasm code source type "${String(code.type)}"`;
  const { url = '', sha256 } = code.http;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `code.http.url "${url}" is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `code.http.url "${url}" must be http or https`;
  // Envoy fetches the module itself (Envoy Gateway serves it from its own cache): the checksum is what pins it.
  if (!sha256) return 'code.http.sha256 is required: Envoy fetches the module from the URL and only a sha256 pins what it runs';
  if (!/^[a-f0-9]{64}$/.test(sha256)) return `code.http.sha256 "${sha256}" is not 64 lower-case hex digits`;
  const https = parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const ca = code.http.tls ? wasmServerCa(code.http.tls.caCertificateRef, https, namespace, index) : undefined;
  if (typeof ca === 'string') return ca;
  const plan: WasmPlan = {
    name,
    pluginName: spec.name ?? name,
    url,
    sha256,
    failOpen: spec.failOpen ?? false,
    hostEnvKeys: spec.env?.hostKeys ?? [],
    source: { https, host, port: parsed.port ? Number(parsed.port) : https ? 443 : 80, ...(ca ? { ca } : {}) },
  };
  if (spec.rootID !== undefined) plan.rootId = spec.rootID;
  if (spec.config !== undefined && spec.config !== null) plan.config = JSON.stringify(spec.config);
  return plan;
}

/**
 * code.http.tls.caCertificateRef, as Envoy Gateway reads it: key ca.crt of a Secret (the default kind)
 * or ConfigMap, in another namespace only with a ReferenceGrant there; it verifies the module server.
 */
function wasmServerCa(ref: { group?: string; kind?: string; name: string; namespace?: string } | undefined, https: boolean, namespace: string, index: ResourceIndex): { ref: string; pem: string } | string {
  if (!ref?.name) return 'code.http.tls.caCertificateRef: a name is required';
  if (!https) return 'code.http.tls: a CA verifies an https module server; the URL is http';
  const kind = ref.kind ?? 'Secret';
  const refNamespace = ref.namespace ?? namespace;
  if (!index.isReferenceAllowed({ group: 'gateway.envoyproxy.io', kind: 'EnvoyExtensionPolicy', namespace }, { group: ref.group ?? '', kind, namespace: refNamespace, name: ref.name })) {
    return `code.http.tls.caCertificateRef: ${kind} ${refNamespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`;
  }
  const read = readCaCertificates({ ...ref, kind }, refNamespace, index);
  if (!read.ok) return read.message.replace('tls.caCertificateRefs', 'code.http.tls.caCertificateRef');
  return { ref: `${refNamespace}/${ref.name}`, pem: read.pem };
}

/** The wasm entry with the cluster of its URL's host added to this Gateway (TLS with the system trust store for https). */
export function resolveWasm(plan: WasmPlan, registry: ClusterRegistry): WasmIR {
  const { source, ...rest } = plan;
  // A module server verified by its own CA has a cluster of its own.
  const cluster = `wasm/${source.https ? 'https' : 'http'}/${source.host}:${source.port}${source.ca ? `/ca/${source.ca.ref}` : ''}`;
  const ip = /^[0-9.]+$/.test(source.host) || source.host.includes(':');
  registry.add({
    name: cluster,
    endpoints: [ip ? { kind: 'ip', address: source.host, port: source.port } : { kind: 'fqdn', hostname: source.host, port: source.port }],
    http2: false,
    ...(source.https
      ? {
          tls: verifiedUpstreamTls(ip ? [] : [{ type: 'DNS', value: source.host }], ip ? undefined : source.host, source.ca ? { kind: 'inline', pem: source.ca.pem } : { kind: 'system' }),
        }
      : {}),
  });
  return { ...rest, cluster };
}
