// Gateway API resources -> IR per Gateway, plus statuses and what the other services need.
// The runner of this stage: each step lives in its own module.
import type { GatewayResource } from '../provider/resource-types.js';
import type { GatewayIR, TlsSecretIR } from '../ir/types.js';
import { certificatesWantedFor, type CertificateRequest } from './acme.js';
import { assembleGatewayIR } from './assemble-ir.js';
import { assembleL4Ports } from './assemble-l4.js';
import { recordBackendTlsPolicyStatuses } from './backend-tls-policy.js';
import { translateL4Routes } from './l4-routes.js';
import { ClusterRegistry } from './backends.js';
import { collectGateways, recordGatewayStatus } from './gateways.js';
import { presentBackendClientCertificate } from './gateway-tls.js';
import { collectIdentityHeaders } from './identity-headers.js';
import { attachListenerSets, recordListenerSetStatuses } from './listener-sets.js';
import { applyClientPolicies } from './client-policy-apply.js';
import { collectPolicies } from './policies.js';
import { collectExtensionPolicies } from './extension-attach.js';
import { noteUnactedTrafficFields } from './traffic-policy-notes.js';
import { ResourceIndex } from './resource-index.js';
import { translateRoutes } from './routes.js';
import type { Condition, StatusMap } from './status-types.js';
import { recordOtherStatuses } from './other-statuses.js';
import { collectEnvoyPatchPolicies, type EnvoyPatchPolicyIR } from './envoy-patch-policies.js';
import { resolveEnvoyProxies, type EnvoyProxyIR } from './envoy-proxies.js';
import { applyProxyBackendTls } from './envoy-proxy-network.js';
import { markMergedConflicts, mergedClasses, mergeGatewayIRs, type SharedConnectionNote } from './merged-gateways.js';

/** The GatewayClass controllerName served when none is configured. */
export const DEFAULT_CONTROLLER_NAME = 'gatehouse.dev/gateway-controller';

export interface GatewayApiResult {
  gateways: GatewayIR[];
  statuses: StatusMap;
  authzPolicies: Array<{ namespace: string; name: string; yaml: string }>;
  authzSecrets: Map<string, { data: Record<string, Buffer> }>;
  certificatesWanted: CertificateRequest[];
  /** Accepted EnvoyPatchPolicies per Gateway key, in the order they apply (after translation). */
  envoyPatchPolicies: Map<string, EnvoyPatchPolicyIR[]>;
  /**
   * The EnvoyProxy of each Gateway that has one (GatewayClass or infrastructure parametersRef), by Gateway key,
   * and of each merged fleet, by its GatewayClass name (the key of its IR in `gateways`).
   */
  envoyProxies: Map<string, EnvoyProxyIR>;
}

export interface GatewayApiOptions {
  /** How a Service backendRef becomes a hostname; default "{name}" (service-backends.ts). */
  serviceDnsTemplate?: string;
  /** XDS_ENABLE_ENVOY_PATCH_POLICY (Envoy Gateway's extensionApis.enableEnvoyPatchPolicy); default off. */
  enableEnvoyPatchPolicy?: boolean;
  /** XDS_ENABLE_LUA (Envoy Gateway's extensionApis.enableLua); default off. */
  enableLua?: boolean;
}

export function translateGatewayApi(resources: readonly GatewayResource[], controllerName: string, options: GatewayApiOptions = {}): GatewayApiResult {
  const statuses: StatusMap = new Map();
  const index = new ResourceIndex(resources);
  const { gateways, proxies: envoyProxies } = resolveEnvoyProxies(index, collectGateways(index, controllerName, statuses), controllerName, statuses, options.serviceDnsTemplate);
  const merged = mergedClasses(gateways, (g) => envoyProxies.get(g.key)?.mergedInto);
  for (const fleet of merged.values()) markMergedConflicts(fleet);
  const listenerSets = attachListenerSets(index, gateways, statuses);
  // A merged fleet is one Envoy: its Gateways share one set of clusters, as one Gateway's routes do.
  const fleetRegistries = new Map([...merged.keys()].map((name) => [name, new ClusterRegistry(options.serviceDnsTemplate)]));
  const registries = new Map(gateways.map((g) => [g.key, fleetRegistries.get(envoyProxies.get(g.key)?.mergedInto ?? '') ?? new ClusterRegistry(options.serviceDnsTemplate)]));
  const policies = collectPolicies(index, gateways, controllerName, statuses);
  collectExtensionPolicies(index, gateways, controllerName, statuses, policies.extension, options.enableLua === true);
  noteUnactedTrafficFields(index, envoyProxies, statuses);
  const routes = translateRoutes(index, gateways, registries, policies, controllerName, statuses);
  const l4Routes = translateL4Routes(index, gateways, registries, controllerName, statuses, policies.traffic);
  for (const gateway of gateways) {
    // The Gateway's own spec.tls.backend first, then its EnvoyProxy's backendTLS where nothing else is set.
    presentBackendClientCertificate(gateway, registries.get(gateway.key)!);
    applyProxyBackendTls(registries.get(gateway.key)!, envoyProxies.get(gateway.key)?.network.backendTls);
  }
  recordBackendTlsPolicyStatuses(index, gateways, registries, controllerName, statuses);
  recordListenerSetStatuses(listenerSets, statuses);
  const envoyPatchPolicies = collectEnvoyPatchPolicies(index, gateways, controllerName, statuses, options.enableEnvoyPatchPolicy === true, new Set(merged.keys()), new Set([...merged.values()].flatMap((fleet) => fleet.members.map((g) => g.key))));
  for (const gateway of gateways) recordGatewayStatus(gateway, statuses);
  recordOtherStatuses(index, statuses);
  stampObservedGenerations(index, statuses);
  attachWarnings(resources, statuses);

  const identityHeaders = collectIdentityHeaders(index);
  const irs = gateways.map((gateway) =>
    withUpstreamSecrets(
      withL4Ports(
        assembleGatewayIR(gateway, routes.entries.get(gateway.key) ?? [], routes.proxyless.get(gateway.key), registries.get(gateway.key)!, index, identityHeaders),
        assembleL4Ports(gateway, l4Routes.get(gateway.key) ?? [], policies.client, { attachments: policies.security, index }),
      ),
      registries.get(gateway.key)!.secrets(),
    ),
  );
  for (const ir of irs) applyClientPolicies(ir, policies.client);
  const fleets = [...merged.values()].map((fleet) => {
    const members = new Set(fleet.members.map((g) => g.key));
    const first = envoyProxies.get(fleet.members[0]!.key)!;
    envoyProxies.set(fleet.className, first);
    const shadowed: SharedConnectionNote[] = [];
    const merged = mergeGatewayIRs(fleet.className, fleet.members.map((g) => irs.find((ir) => ir.key === g.key)!).filter((ir) => members.has(ir.key)), shadowed);
    for (const note of shadowed) {
      const shared = `GatewayClass ${fleet.className} merges its Gateways: on port ${note.port}, listener ${note.from} shares the connection manager of ${note.into} (the older Gateway's, as in Envoy Gateway)`;
      warn(statuses, note.fromPolicy, `${shared}, so this policy's connection settings do not apply to ${note.from} on that port`);
      warn(statuses, note.intoPolicy, `${shared}, so this policy's connection settings apply to ${note.from} there too`);
    }
    return merged;
  });
  const mergedKeys = new Set([...merged.values()].flatMap((fleet) => fleet.members.map((g) => g.key)));
  return {
    gateways: [...irs.filter((ir) => !mergedKeys.has(ir.key)), ...fleets],
    statuses,
    authzPolicies: policies.authzPolicies,
    authzSecrets: policies.authzSecrets,
    certificatesWanted: gateways.flatMap(certificatesWantedFor),
    envoyPatchPolicies,
    envoyProxies,
  };
}

/** A note in a ClientTrafficPolicy's status that does not change its verdict. */
function warn(statuses: StatusMap, policy: string | undefined, message: string): void {
  const status = policy ? statuses.get(`ClientTrafficPolicy/${policy}`) : undefined;
  if (status) status.warnings = [...(status.warnings ?? []), message];
}

/** TCP/TLS listeners join the IR only when a Gateway has some, so HTTP-only IR stays as it was. */
function withL4Ports(ir: GatewayIR, l4Ports: GatewayIR['l4Ports']): GatewayIR {
  return l4Ports && l4Ports.length > 0 ? { ...ir, l4Ports } : ir;
}

/** Client certificates Backends present upstream join the SDS secrets (once per name). */
function withUpstreamSecrets(ir: GatewayIR, secrets: readonly TlsSecretIR[]): GatewayIR {
  const extra = secrets.filter((secret) => !ir.secrets.some((s) => s.name === secret.name));
  return extra.length === 0 ? ir : { ...ir, secrets: [...ir.secrets, ...extra].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/** Conditions say which generation of their resource they describe (files have none; the admin API may). */
function stampObservedGenerations(index: ResourceIndex, statuses: StatusMap): void {
  for (const [key, status] of statuses) {
    const [kind, namespace, name] = key.split('/') as [string, string, string];
    const generation = index.get(kind, namespace, name)?.metadata.generation;
    if (typeof generation !== 'number') continue;
    const stamp = (conditions: Condition[]) => {
      for (const condition of conditions) condition.observedGeneration = generation;
    };
    if ('conditions' in status) stamp(status.conditions);
    if ('listeners' in status) for (const listener of status.listeners) stamp(listener.conditions);
    if ('parents' in status) for (const parent of status.parents) stamp(parent.conditions);
    if ('ancestors' in status) for (const ancestor of status.ancestors) stamp(ancestor.conditions);
  }
}

/** A resource read in a deprecated apiVersion still translates; its status says so, as kubectl would warn. */
function attachWarnings(resources: readonly GatewayResource[], statuses: StatusMap): void {
  for (const resource of resources) {
    const status = resource.warnings?.length ? statuses.get(`${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`) : undefined;
    if (status) status.warnings = [...resource.warnings!];
  }
}
