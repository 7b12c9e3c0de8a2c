#!/usr/bin/env node
// Measures how often Gatehouse's status verdicts agree with Envoy Gateway's on Envoy Gateway's own
// translator test cases (internal/gatewayapi/testdata/X.in.yaml + X.out.yaml, kept outside this repo).
// Each input becomes Gatehouse's multi-document YAML, is loaded and translated in-process with the built
// @gatehouse/xds core (run `pnpm build` first), and every policy, route, Backend and Gateway listener is
// compared on its verdict: Accepted True/False (routes: their parents' Accepted and ResolvedRefs).
//
//   node scripts/eg-verdicts.mjs <dir> [--emit <dir>] [--json]
//
// --emit writes each converted input (what Gatehouse was given) for a closer look; --json prints the
// comparison as JSON instead of text.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const xdsRoot = new URL('../services/xds/', import.meta.url);
const require = createRequire(new URL('package.json', xdsRoot));
const YAML = require('yaml');
const { loadResourcesFromFiles, translateAll, DEFAULT_CONTROLLER_NAME, SUPPORTED_KINDS } = await import(new URL('dist/core/index.js', xdsRoot).href);

/** EG's list keys and the kind each holds (items normally carry apiVersion/kind themselves). */
const LIST_KINDS = {
  gatewayClasses: ['gateway.networking.k8s.io/v1', 'GatewayClass'],
  gateways: ['gateway.networking.k8s.io/v1', 'Gateway'],
  httpRoutes: ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
  grpcRoutes: ['gateway.networking.k8s.io/v1', 'GRPCRoute'],
  tlsRoutes: ['gateway.networking.k8s.io/v1alpha2', 'TLSRoute'],
  tcpRoutes: ['gateway.networking.k8s.io/v1alpha2', 'TCPRoute'],
  udpRoutes: ['gateway.networking.k8s.io/v1alpha2', 'UDPRoute'],
  listenerSets: ['gateway.networking.k8s.io/v1', 'ListenerSet'],
  xListenerSets: ['gateway.networking.x-k8s.io/v1alpha1', 'XListenerSet'],
  referenceGrants: ['gateway.networking.k8s.io/v1beta1', 'ReferenceGrant'],
  backendTLSPolicies: ['gateway.networking.k8s.io/v1', 'BackendTLSPolicy'],
  backends: ['gateway.envoyproxy.io/v1alpha1', 'Backend'],
  backendTrafficPolicies: ['gateway.envoyproxy.io/v1alpha1', 'BackendTrafficPolicy'],
  clientTrafficPolicies: ['gateway.envoyproxy.io/v1alpha1', 'ClientTrafficPolicy'],
  securityPolicies: ['gateway.envoyproxy.io/v1alpha1', 'SecurityPolicy'],
  envoyExtensionPolicies: ['gateway.envoyproxy.io/v1alpha1', 'EnvoyExtensionPolicy'],
  envoyPatchPolicies: ['gateway.envoyproxy.io/v1alpha1', 'EnvoyPatchPolicy'],
  envoyProxiesForGateways: ['gateway.envoyproxy.io/v1alpha1', 'EnvoyProxy'],
  envoyProxies: ['gateway.envoyproxy.io/v1alpha1', 'EnvoyProxy'],
  secrets: ['v1', 'Secret'],
  configMaps: ['v1', 'ConfigMap'],
  namespaces: ['v1', 'Namespace'],
  // Declared Services give their ports (a backendRef's port is checked, BackendTLSPolicy sectionName).
  services: ['v1', 'Service'],
};
/** EG test fixtures Gatehouse has no object for: dropped, listed with --json. */
const DROPPED_KEYS = new Set(['endpointSlices', 'serviceImports', 'clusterTrustBundles', 'extensionRefFilters', 'extensionServerPolicies']);
/** EG's test harness supplies this GatewayClass; Gatehouse gets one for its own controller. */
const EG_GATEWAY_CLASS = 'envoy-gateway-class';

const args = process.argv.slice(2);
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--emit');
const emitIndex = args.indexOf('--emit');
const emitDir = emitIndex >= 0 ? args[emitIndex + 1] : undefined;
const asJson = args.includes('--json');
if (!dir) {
  process.stderr.write('usage: node scripts/eg-verdicts.mjs <dir of EG X.in.yaml/X.out.yaml> [--emit <dir>] [--json]\n');
  process.exit(2);
}
if (emitDir) mkdirSync(emitDir, { recursive: true });

const options = {
  controllerName: DEFAULT_CONTROLLER_NAME,
  serviceDnsTemplate: '{name}.{namespace}.svc.cluster.local',
  authz: { clusterName: 'gatehouse-authz', host: '127.0.0.1', port: 9001 },
  rateLimit: { clusterName: 'gatehouse-ratelimit', host: '127.0.0.1', port: 8081 },
  certs: { clusterName: 'gatehouse-certs', host: '127.0.0.1', port: 8089 },
};

const harnessService = (namespace, name, ports) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { ports } });
const HARNESS_PORTS = [
  { name: 'http', port: 8080, protocol: 'TCP' },
  { name: 'https', port: 8443, protocol: 'TCP' },
  { name: 'tcp', port: 8163, protocol: 'TCP' },
  { name: 'udp', port: 8162, protocol: 'UDP' },
];
/** The Services EG's translator test harness gives every case. */
const HARNESS_SERVICES = [
  ...[1, 2, 3, 4].map((i) => harnessService('default', `service-${i}`, HARNESS_PORTS)),
  harnessService('default', 'mirror-service', [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  harnessService('monitoring', 'otel-collector', [
    { name: 'grpc', port: 4317, protocol: 'TCP', appProtocol: 'grpc' },
    { name: 'zipkin', port: 9411, protocol: 'TCP' },
  ]),
];

/** EG's list keys by lower case: its harness decodes with encoding/json, which matches names in any case. */
const LIST_KEYS_LOWER = new Map([...Object.keys(LIST_KINDS), ...DROPPED_KEYS].map((k) => [k.toLowerCase(), k]));
/** Free-form maps whose keys are data, not field names: left as written. */
const FREE_FORM_KEYS = new Set(['config', 'labels', 'annotations', 'data', 'stringData', 'metadata']);

/**
 * EG's fixtures sometimes capitalise a field (`Name:`, `Port:`, `Path:`); encoding/json matches it to `name`
 * anyway, so EG reads what the author meant. Give Gatehouse the field's real spelling (Kubernetes field names
 * start lower case) unless the object already has it.
 */
function normaliseFieldCase(value) {
  if (Array.isArray(value)) return value.map(normaliseFieldCase);
  if (!value || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const lower = /^[A-Z][a-zA-Z0-9]*$/.test(k) ? k[0].toLowerCase() + k.slice(1) : k;
    const key = lower !== k && !(lower in value) ? lower : k;
    out[key] = FREE_FORM_KEYS.has(key) ? v : normaliseFieldCase(v);
  }
  return out;
}

/** EG's in.yaml as Gatehouse documents (status stripped, a GatewayClass added when missing). */
function toDocuments(input) {
  const docs = [];
  const dropped = [];
  for (const [rawKey, items] of Object.entries(input ?? {})) {
    if (!Array.isArray(items)) continue;
    const key = LIST_KEYS_LOWER.get(rawKey.toLowerCase()) ?? rawKey;
    if (DROPPED_KEYS.has(key) || !LIST_KINDS[key]) {
      if (!DROPPED_KEYS.has(key)) dropped.push(key);
      continue;
    }
    const [apiVersion, kind] = LIST_KINDS[key];
    for (const item of items) {
      const { status: _status, ...rest } = item ?? {};
      const doc = { ...rest, apiVersion: rest.apiVersion ?? apiVersion, kind: rest.kind ?? kind };
      if (doc.spec && kind !== 'Secret' && kind !== 'ConfigMap') doc.spec = normaliseFieldCase(doc.spec);
      // EG's fixtures ignore apiVersion (GRPCRoute v1alpha2, which Gateway API v1.6 no longer serves):
      // a user's cluster would hold the served version, so give Gatehouse that one.
      const served = SUPPORTED_KINDS.get(doc.kind);
      if (served && !served.includes(doc.apiVersion)) {
        renamed.add(`${doc.kind} ${doc.apiVersion}`);
        doc.apiVersion = served.includes(apiVersion) ? apiVersion : served[0];
      }
      // EG's fixtures carry no creationTimestamp and its translator sorts by it alone, so a list's order
      // is its age order (the first of two conflicting policies wins): give Gatehouse that age.
      if (doc.metadata && !doc.metadata.creationTimestamp) {
        doc.metadata = { ...doc.metadata, creationTimestamp: new Date(Date.UTC(2024, 0, 1) + docs.length * 1000).toISOString().replace('.000Z', 'Z') };
      }
      docs.push(doc);
    }
  }
  // EG's harness (translator_test.go) adds Services service-1..4 (ports http 8080, https 8443, tcp 8163,
  // udp 8162), mirror-service and monitoring/otel-collector to every case: declare the ones the case does
  // not, so a Service-targeted policy or a port check sees what EG's translator saw.
  for (const svc of HARNESS_SERVICES) {
    if (!docs.some((d) => d.kind === 'Service' && d.metadata?.name === svc.metadata.name && (d.metadata?.namespace ?? 'default') === svc.metadata.namespace)) docs.push(svc);
  }
  // EG's classEnvoyProxy (later envoyProxyForGatewayClass): the EnvoyProxy its harness's GatewayClass names.
  const classProxy = input?.envoyProxyForGatewayClass ?? input?.classEnvoyProxy;
  if (classProxy?.metadata) {
    const { status: _status, ...rest } = classProxy;
    docs.push({ ...rest, apiVersion: rest.apiVersion ?? 'gateway.envoyproxy.io/v1alpha1', kind: 'EnvoyProxy' });
  }
  if (!docs.some((d) => d.kind === 'GatewayClass' && d.metadata?.name === EG_GATEWAY_CLASS)) {
    const parametersRef = classProxy?.metadata
      ? { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', namespace: classProxy.metadata.namespace, name: classProxy.metadata.name }
      : undefined;
    docs.unshift({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: EG_GATEWAY_CLASS }, spec: { controllerName: options.controllerName, ...(parametersRef ? { parametersRef } : {}) } });
  }
  return { docs, dropped };
}

/** One verdict: ok, and the first failing condition's reason and message. */
function verdict(conditionLists, types) {
  if (conditionLists.length === 0) return { ok: undefined, text: 'no status (no parents/ancestors)' };
  for (const conditions of conditionLists) {
    for (const type of types) {
      const c = (conditions ?? []).find((x) => x.type === type);
      if (!c) return { ok: false, text: `${type} missing` };
      if (c.status !== 'True') return { ok: false, text: `${type}=${c.status} ${c.reason}: ${oneLine(c.message)}` };
    }
  }
  return { ok: true, text: types.map((t) => `${t}=True`).join(' ') };
}

function oneLine(s) {
  return String(s ?? '').replace(/\s+/g, ' ').slice(0, 400);
}

const POLICY_KINDS = new Set(['BackendTrafficPolicy', 'ClientTrafficPolicy', 'SecurityPolicy', 'EnvoyExtensionPolicy', 'EnvoyPatchPolicy', 'BackendTLSPolicy']);
const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

/** The verdicts in a status-bearing resource: [{ kind, id, ok, text }] (listeners one each). */
function verdictsOf(kind, status) {
  // Older EG cases give a policy plain status.conditions instead of ancestors.
  if (POLICY_KINDS.has(kind)) {
    // A later EG also lists, for a policy merged into its parent's, an ancestor carrying only a Merged
    // condition (the parent Gateway without section): bookkeeping, not a verdict.
    const lists = (status?.ancestors ? status.ancestors.map((a) => a.conditions) : status?.conditions ? [status.conditions] : []).filter(
      (conditions) => !(conditions?.length && !conditions.some((c) => c.type === 'Accepted') && conditions.every((c) => c.type === 'Merged')),
    );
    return [{ kind, sub: '', ...verdict(lists, ['Accepted']) }];
  }
  if (ROUTE_KINDS.has(kind)) return [{ kind, sub: '', ...verdict((status?.parents ?? []).map((p) => p.conditions), ['Accepted', 'ResolvedRefs']) }];
  if (kind === 'Gateway' || kind === 'ListenerSet' || kind === 'XListenerSet') {
    return (status?.listeners ?? []).map((l) => ({ kind: 'Listener', sub: `/${l.name}`, ...verdict([l.conditions], ['Accepted']) }));
  }
  if (kind === 'Backend') return [{ kind, sub: '', ...verdict(status?.conditions ? [status.conditions] : [], ['Accepted']) }];
  return [];
}

/** Gatehouse has no verdict for it: say why (a whole Gateway refused, the kind not loaded). */
function missingVerdict(status, fileErrors) {
  if (!status) return { ok: undefined, text: `no status${fileErrors.length ? ` (${[...new Set(fileErrors)].join('; ')})` : ''}` };
  if (status.conditions?.length) {
    const whole = verdict([status.conditions], ['Accepted']);
    return { ok: whole.ok === true ? undefined : whole.ok, text: `no listener status; the Gateway: ${whole.text}` };
  }
  return { ok: undefined, text: 'no verdict' };
}

/**
 * Whether a case exercises API a later EG added (so the v1.9 CRDs refuse its input): a field the CRDs do not
 * know anywhere in it (a refused EnvoyProxy takes its Gateways' policies down with it), or a policy target
 * outside the kinds the v1.9 policy CRDs allow (only gateway.networking.k8s.io targets: no Service/Backend).
 */
function usesLaterApi(docs, statuses) {
  for (const status of statuses.values()) if (/: unknown field/.test(JSON.stringify(status))) return true;
  return docs.some(
    (d) =>
      POLICY_KINDS.has(d.kind) &&
      d.kind !== 'BackendTLSPolicy' &&
      [d.spec?.targetRef, ...(d.spec?.targetRefs ?? [])].some((ref) => ref && (ref.group ?? '') !== 'gateway.networking.k8s.io'),
  );
}

/** The Namespaces EG's translator test sees: its harness's two and the input's own. */
function harnessNamespaces(input) {
  return new Set(['default', 'envoy-gateway', ...(input?.namespaces ?? []).map((n) => n?.metadata?.name)]);
}

function compareCase(name, inText, outText) {
  const input = YAML.parse(inText);
  const expected = YAML.parse(outText);
  const { docs, dropped } = toDocuments(input);
  const text = docs.map((d) => YAML.stringify(d)).join('---\n');
  if (emitDir) writeFileSync(join(emitDir, `${name}.yaml`), text);
  const loaded = loadResourcesFromFiles([{ path: `${name}.yaml`, text }]);
  const fileErrors = loaded.fileErrors.map((e) => `${e.code}: ${oneLine(e.message)}`);
  // EG's translator tests run with EnvoyPatchPolicy and Lua enabled, but for the cases that test them disabled.
  const result = translateAll(loaded.resources, { ...options, ...(name.includes('feature-disabled') ? {} : { enableEnvoyPatchPolicy: true, enableLua: true }) });
  const rows = [];
  const later = usesLaterApi(docs, result.statuses);
  for (const [given, items] of Object.entries(expected ?? {})) {
    const key = LIST_KEYS_LOWER.get(given.toLowerCase()) ?? given;
    if (!Array.isArray(items) || !LIST_KINDS[key]) continue;
    const kind = LIST_KINDS[key][1];
    for (const item of items) {
      const ns = item.metadata?.namespace ?? 'default';
      const id = `${ns}/${item.metadata?.name}`;
      const eg = verdictsOf(kind, item.status);
      const status = result.statuses.get(`${kind}/${id}`);
      const gh = status ? verdictsOf(kind, status) : [];
      for (const e of eg) {
        const g = gh.find((x) => x.sub === e.sub) ?? missingVerdict(status, fileErrors);
        // EG computed nothing (a policy whose target is not there: ancestors null): neither enforces it
        // unless Gatehouse accepts it.
        const agree = e.ok === undefined ? g.ok !== true : e.ok === g.ok;
        // EG's harness adds only the Namespaces default and envoy-gateway; a route elsewhere without its
        // Namespace in the input is refused there (no namespace to match), never in a cluster.
        const noNamespace = ROUTE_KINDS.has(kind) && e.text.includes('NotAllowedByListeners') && !harnessNamespaces(input).has(ns);
        rows.push({ case: name, kind: e.kind, id: `${id}${e.sub}`, agree, eg: e.text, gh: g.text, later, ...(noNamespace ? { noNamespace } : {}) });
      }
    }
  }
  return { rows, dropped };
}

const cases = readdirSync(dir).filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length)).sort();
const rows = [];
const skipped = [];
const droppedKeys = new Map();
const renamed = new Set();
for (const name of cases) {
  let outText;
  try {
    outText = readFileSync(join(dir, `${name}.out.yaml`), 'utf8');
  } catch {
    skipped.push(`${name}: no out.yaml`);
    continue;
  }
  try {
    const r = compareCase(name, readFileSync(join(dir, `${name}.in.yaml`), 'utf8'), outText);
    rows.push(...r.rows);
    for (const k of r.dropped) droppedKeys.set(k, (droppedKeys.get(k) ?? 0) + 1);
  } catch (err) {
    skipped.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const byKind = new Map();
for (const row of rows) {
  const k = byKind.get(row.kind) ?? { agree: 0, total: 0 };
  k.total += 1;
  if (row.agree) k.agree += 1;
  byKind.set(row.kind, k);
}
const perKind = [...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, k]) => ({ kind, ...k, percent: Math.round((1000 * k.agree) / k.total) / 10 }));
const disagreements = rows.filter((r) => !r.agree).map((r) => ({ ...r, cause: causeOf(r) }));
const causes = new Map();
for (const d of disagreements) causes.set(d.cause, [...(causes.get(d.cause) ?? []), d]);
const byCause = [...causes].sort((a, b) => b[1].length - a[1].length);
// Fields EG added after v1.9 (the CRDs Gatehouse validates against): not a Gatehouse gap to fix.
const newerOnly = (r) => !r.agree && (r.later || causeOf(r).startsWith('field not in the v1.9 CRD'));
const perKindV19 = perKind.map((k) => {
  const excluded = rows.filter((r) => r.kind === k.kind && newerOnly(r)).length;
  const total = k.total - excluded;
  return { kind: k.kind, agree: k.agree, total, percent: total ? Math.round((1000 * k.agree) / total) / 10 : 100 };
});

// Differences by design, also left out of the last table: Services (and their ports and port names)
// that EG looks up but Gatehouse resolves by DNS, Namespaces EG's harness lacks, inputs the CRDs
// (their schemas or CEL rules) refuse (EG's translator tests skip the API server's validation; a
// cluster would never hold them), and SecurityPolicy values Gatehouse refuses on purpose (secure by default).
// Gateways refused whole for input the CRDs refuse (a later EG's field): a policy on one finds no target.
const gatewaysRefusedByDesign = new Set(
  rows.filter((r) => r.kind === 'Listener' && !r.agree && /the whole Gateway refused: \/spec\//.test(causeOf(r))).map((r) => `${r.case} ${r.id.split('/').slice(0, 2).join('/')}`),
);
const targetRefusedByDesign = (r) => {
  const gateway = /TargetNotFound: Gateway ([\w-]+\/[\w-]+)/.exec(r.gh);
  return gateway !== null && gatewaysRefusedByDesign.has(`${r.case} ${gateway[1]}`);
};
const byDesign = (r) =>
  !r.agree &&
  (newerOnly(r) ||
    r.noNamespace ||
    targetRefusedByDesign(r) ||
    /[Ss]ervice [\w-]+\/[\w-]+ not found|Port \d+ not found on service|Services here have no port names|declares no port of that name/.test(`${r.eg} ${r.gh}`) ||
    causeOf(r).startsWith('schema check refuses') ||
    // SecurityPolicy values Gatehouse's authz refuses on purpose: tokens stay server-side (no token
    // cookies to name), keys and tokens come over https.
    /spec\.oidc\.cookieNames: |\.(?:uri|issuer|authorizationEndpoint|tokenEndpoint|endSessionEndpoint): "[^"]*" is not an https URL/.test(r.gh) ||
    // The v1.9 CRDs' CEL rules refuse these too: a policy targetRef of kind Service (a later EG's
    // feature), XFCC certDetailsToAdd with a mode other than AppendForward or SanitizeSet, a
    // BackendTrafficPolicy mergeType Replace.
    (POLICY_KINDS.has(r.kind) &&
      /TargetNotFound: Service [\w-]+\/[\w-]+ is not found|certDetailsToAdd: only with mode AppendForward or SanitizeSet|Replace is not a valid MergeType/.test(r.gh)) ||
    // Wasm from an OCI image: Gatehouse pulls no images and says so (EG serves them from its control plane).
    /an Image code source needs an OCI registry/.test(r.gh) ||
    /the whole Gateway refused: \/spec[/:]/.test(causeOf(r)));
const perKindDesign = perKind.map((k) => {
  const excluded = rows.filter((r) => r.kind === k.kind && byDesign(r)).length;
  const total = k.total - excluded;
  return { kind: k.kind, agree: k.agree, total, percent: total ? Math.round((1000 * k.agree) / total) / 10 : 100 };
});

/** A coarse cause, to group disagreements: the kind of refusal and the field it names. */
function causeOf(r) {
  if (r.eg.startsWith('Accepted=False') || r.eg.includes('=False')) {
    return r.gh.startsWith('no status') ? 'not handled by Gatehouse (no status)' : `EG refuses (${r.eg.split(':')[0]}), Gatehouse accepts`;
  }
  if (r.gh.startsWith('no status (no parents')) return 'Gatehouse gives it no parents/ancestors (its parent was refused)';
  if (r.gh.startsWith('no status')) return `not handled by Gatehouse: ${r.gh.replace(/^no status \(?/, '').split(':')[0] || 'no status'}`;
  if (r.gh.startsWith('no listener status')) return `the whole Gateway refused: ${r.gh.replace(/^.*?: \/spec/, '/spec').replace(/\/\d+/g, '[]').slice(0, 120)}`;
  const unknown = /(\/spec\/[\w/]+?)(?:\/\d+)?: unknown field/.exec(r.gh);
  if (unknown) return `field not in the v1.9 CRD (a later EG's case): ${unknown[1].replace(/\/\d+/g, '[]')}`;
  const notYet = /(spec\.[\w.[\]]+): [^;]*not translated yet/.exec(r.gh);
  if (notYet) return `refused as not translated yet: ${notYet[1].replace(/\[\d+\]/g, '[]')}`;
  // A schema error or a CRD CEL rule's (which may sit on /spec itself): both are what the API server refuses.
  const schema = /(\/spec(?:\/[\w/]+)?): ([^;]+)/.exec(r.gh);
  if (schema) return `schema check refuses: ${schema[1].replace(/\/\d+/g, '[]')}: ${schema[2]}`;
  const reason = /=False (\w+): (.{0,60})/.exec(r.gh);
  return reason ? `Gatehouse refuses (${reason[1]}): ${reason[2]}` : `other: ${r.gh.slice(0, 60)}`;
}

if (asJson) {
  process.stdout.write(`${JSON.stringify({ cases: cases.length, perKind, perKindExcludingLaterFields: perKindV19, perKindExcludingByDesign: perKindDesign, disagreements, causes: byCause.map(([cause, list]) => ({ cause, count: list.length })), skipped, unknownKeys: Object.fromEntries(droppedKeys), apiVersionsReplaced: [...renamed] }, null, 2)}\n`);
} else {
  const out = [`${cases.length} case(s), ${rows.length} verdict(s) compared`, '', 'Agreement per kind:'];
  for (const k of perKind) out.push(`  ${k.kind.padEnd(22)} ${String(k.agree).padStart(4)} / ${String(k.total).padEnd(4)} ${k.percent}%`);
  out.push('', 'Excluding fields a later EG added (unknown to the v1.9 CRDs):');
  for (const k of perKindV19) out.push(`  ${k.kind.padEnd(22)} ${String(k.agree).padStart(4)} / ${String(k.total).padEnd(4)} ${k.percent}%`);
  out.push('', 'Excluding also differences by design (Services EG finds missing: Gatehouse resolves them by DNS; Namespaces the EG harness lacks; input the CRDs refuse):');
  for (const k of perKindDesign) out.push(`  ${k.kind.padEnd(22)} ${String(k.agree).padStart(4)} / ${String(k.total).padEnd(4)} ${k.percent}%`);
  out.push('', 'Disagreements by cause:');
  for (const [cause, list] of byCause) out.push(`  ${String(list.length).padStart(3)}  ${cause}  [${[...new Set(list.map((d) => d.case))].join(', ')}]`);
  out.push('', `Disagreements (${disagreements.length}):`);
  for (const d of disagreements) out.push(`- ${d.case}: ${d.kind} ${d.id}`, `    EG:        ${d.eg}`, `    Gatehouse: ${d.gh}`);
  if (skipped.length) out.push('', 'Skipped:', ...skipped.map((s) => `- ${s}`));
  if (renamed.size) out.push('', `apiVersions replaced by a served one: ${[...renamed].join(', ')}`);
  if (droppedKeys.size) out.push('', `Input keys not converted: ${[...droppedKeys].map(([k, n]) => `${k} (${n})`).join(', ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
