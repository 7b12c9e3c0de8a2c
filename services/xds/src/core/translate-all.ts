// The whole translation as one pure function: resources in, per-gateway Envoy snapshots and
// everything other services need (statuses, rate limit domains, authz policies, certificates) out.
import type { GatewayResource } from './provider/resource-types.js';
import type { StatusMap } from './gatewayapi/status-types.js';
import { translateGatewayApi } from './gatewayapi/translate.js';
import { translateGateway } from './translator/translate.js';
import type { CertificateRequest } from './gatewayapi/acme.js';

/** Plain Envoy JSON (protobufjs object form: snake_case, enums and int64 as strings, Any as {'@type', ...}). */
export interface EnvoyResources {
  listeners: object[];
  routes: object[];
  clusters: object[];
  endpoints: object[];
  secrets: object[];
}

/** A Gatehouse service Envoy talks to, reachable at host:port. */
export interface ServiceEndpoint {
  clusterName: string;
  host: string;
  port: number;
}

export interface TranslateOptions {
  /** GatewayClass spec.controllerName this instance serves. Default "gatehouse.dev/gateway-controller". */
  controllerName?: string;
  /** ext_authz gRPC service (services/authz). */
  authz: ServiceEndpoint & { timeoutMs?: number };
  /** Rate limit gRPC service (services/ratelimit). */
  rateLimit: ServiceEndpoint & { timeoutMs?: number; failClosed?: boolean };
  /** HTTP-01 challenge responder (services/certs). */
  certs: ServiceEndpoint;
  /** Address Envoy listeners bind. Default "0.0.0.0". */
  bindAddress?: string;
}

export const DEFAULT_CONTROLLER_NAME = 'gatehouse.dev/gateway-controller';

/** Shaped like gatehouse.v1.RateLimitDomainConfig. */
export interface RateLimitDomain {
  domain: string;
  yaml: string;
  source: string;
}

/** Shaped like gatehouse.v1.AuthzPolicy. */
export interface AuthzPolicy {
  namespace: string;
  name: string;
  yaml: string;
}

/** Shaped like gatehouse.v1.CertificateWanted (without trace); the gatewayapi stage derives it. */
export type CertificateWanted = CertificateRequest;

export interface TranslateResult {
  /** Keyed by node cluster "<namespace>/<gatewayName>". */
  snapshots: Map<string, EnvoyResources>;
  statuses: StatusMap;
  rateLimitDomains: RateLimitDomain[];
  authzPolicies: AuthzPolicy[];
  /** Secrets the policies reference, keyed "<namespace>/<name>" (gatehouse.v1.AuthzPoliciesPublished.secrets). */
  authzSecrets: Map<string, { data: Record<string, Buffer> }>;
  certificatesWanted: CertificateWanted[];
}

export function translateAll(resources: readonly GatewayResource[], options: TranslateOptions): TranslateResult {
  const stage = translateGatewayApi(resources, options.controllerName ?? DEFAULT_CONTROLLER_NAME);
  const snapshots = new Map<string, EnvoyResources>();
  const rateLimitDomains: RateLimitDomain[] = [];
  for (const gateway of stage.gateways) {
    const translated = translateGateway(gateway, options);
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
  };
}
