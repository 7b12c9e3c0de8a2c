// The whole translation as one pure function, composing the stages below it: resources in
// (provider) → statuses and IR per Gateway (gatewayapi) → Envoy resources (translator), plus what
// the other services need (rate limit domains, authz policies, certificates). Imports only downward.
import type { GatewayResource } from './provider/resource-types.js';
import type { StatusMap } from './gatewayapi/status-types.js';
import { DEFAULT_CONTROLLER_NAME, translateGatewayApi } from './gatewayapi/translate.js';
import type { CertificateRequest } from './gatewayapi/acme.js';
import type { EnvoyResources } from './ir/envoy-resources.js';
import type { TranslatorOptions } from './translator/options.js';
import type { RateLimitDomainConfig } from './translator/ratelimit-config.js';
import { translateGateway } from './translator/translate.js';
import { applyEnvoyPatchPolicies } from './translator/envoy-patch/apply-patches.js';
import { applyEnvoyProxyTelemetry } from './translator/envoy-proxy-telemetry.js';
import { applyIpFamily } from './translator/ip-family.js';
import { applyFilterOrder } from './translator/filter-order.js';
import type { EnvoyStartIR } from './gatewayapi/envoy-proxy-start.js';

export interface TranslateOptions extends TranslatorOptions {
  /** GatewayClass spec.controllerName this instance serves. Default "gatehouse.dev/gateway-controller". */
  controllerName?: string;
  /** How a Service backendRef becomes a DNS name: "{name}" (default, compose) or "{name}.{namespace}.svc.cluster.local". */
  serviceDnsTemplate?: string;
  /** XDS_ENABLE_ENVOY_PATCH_POLICY: apply EnvoyPatchPolicies (off: each is Accepted=False, reason Disabled). */
  enableEnvoyPatchPolicy?: boolean;
  /** XDS_ENABLE_LUA: run EnvoyExtensionPolicy lua (off: a policy with lua is Accepted=False, as in Envoy Gateway). */
  enableLua?: boolean;
}

/** Shaped like gatehouse.v1.RateLimitDomainConfig. */
export type RateLimitDomain = RateLimitDomainConfig;

/** Shaped like gatehouse.v1.AuthzPolicy. */
export interface AuthzPolicy {
  namespace: string;
  name: string;
  yaml: string;
}

/** Shaped like gatehouse.v1.CertificateWanted (without trace); the gatewayapi stage derives it. */
export type CertificateWanted = CertificateRequest;

/** What the other services get from a translation (published before the snapshots apply). */
export interface SideEffects {
  rateLimitDomains: readonly RateLimitDomain[];
  authzPolicies: readonly AuthzPolicy[];
  /** Secrets the policies reference, keyed "<namespace>/<name>" (gatehouse.v1.AuthzPoliciesPublished.secrets). */
  authzSecrets: ReadonlyMap<string, { data: Record<string, Buffer> }>;
  certificatesWanted: readonly CertificateWanted[];
}

export interface TranslateResult extends SideEffects {
  /** Keyed by node cluster: "<namespace>/<gatewayName>", or a GatewayClass name for its merged Gateways (EnvoyProxy mergeGateways). */
  snapshots: Map<string, EnvoyResources>;
  statuses: StatusMap;
  rateLimitDomains: RateLimitDomain[];
  authzPolicies: AuthzPolicy[];
  authzSecrets: Map<string, { data: Record<string, Buffer> }>;
  certificatesWanted: CertificateWanted[];
  /** Per node cluster with an EnvoyProxy: Envoy's command line and bootstrap stats (gatehouse bootstrap -f, pnpm start). */
  envoyStart?: Map<string, EnvoyStartIR>;
  /** Gateways served by the merged fleet of their GatewayClass (EnvoyProxy mergeGateways): Gateway key -> class name. */
  mergedGateways?: Map<string, string>;
}

export function translateAll(resources: readonly GatewayResource[], options: TranslateOptions): TranslateResult {
  const stage = translateGatewayApi(resources, options.controllerName ?? DEFAULT_CONTROLLER_NAME, {
    ...(options.serviceDnsTemplate ? { serviceDnsTemplate: options.serviceDnsTemplate } : {}),
    ...(options.enableEnvoyPatchPolicy ? { enableEnvoyPatchPolicy: true } : {}),
    ...(options.enableLua ? { enableLua: true } : {}),
  });
  const snapshots = new Map<string, EnvoyResources>();
  const rateLimitDomains: RateLimitDomain[] = [];
  for (const gateway of stage.gateways) {
    const translated = translateGateway(gateway, options);
    const envoyProxy = stage.envoyProxies.get(gateway.key);
    if (envoyProxy) applyEnvoyProxyTelemetry(translated.resources, envoyProxy.telemetry);
    applyIpFamily(translated.resources, envoyProxy?.network.ipFamily);
    applyFilterOrder(translated.resources, envoyProxy?.network.filterOrder);
    applyEnvoyPatchPolicies(translated.resources, stage.envoyPatchPolicies.get(gateway.key) ?? [], stage.statuses);
    snapshots.set(gateway.key, translated.resources);
    rateLimitDomains.push(...translated.rateLimitDomains);
  }
  return {
    snapshots,
    statuses: stage.statuses,
    rateLimitDomains,
    authzPolicies: stage.authzPolicies,
    authzSecrets: stage.authzSecrets,
    certificatesWanted: stage.certificatesWanted,
    // A merged Gateway's Envoys are its class's fleet: only the fleet (keyed by the class name) is started.
    mergedGateways: new Map([...stage.envoyProxies].flatMap(([key, proxy]) => (proxy.mergedInto !== undefined && proxy.mergedInto !== key ? [[key, proxy.mergedInto] as const] : []))),
    envoyStart: new Map([...stage.envoyProxies].filter(([key, proxy]) => proxy.mergedInto === undefined || proxy.mergedInto === key).map(([key, proxy]) => [key, proxy.start])),
  };
}
