// IR of one Gateway -> the Envoy resources of its node cluster, and its rate limit domains.
import { emptyEnvoyResources, type EnvoyResources } from '../ir/envoy-resources.js';
import type { FilterChainIR, GatewayIR } from '../ir/types.js';
import { buildCluster, buildServiceCluster } from './clusters.js';
import type { EnvoyObject } from './envoy-types.js';
import { dynamicForwardProxyFilter, loopbackGuardFilter } from './dynamic-forward-proxy.js';
import { corsFilter } from './filters/cors.js';
import { csrfFilter } from './filters/csrf.js';
import { userExtAuthFilter } from './filters/ext-auth.js';
import { compressorFilters } from './filters/compressor.js';
import { extAuthzFilter } from './filters/ext-authz.js';
import { extProcFilter } from './filters/ext-proc.js';
import { luaFilter } from './filters/lua.js';
import { wasmFilter } from './filters/wasm.js';
import { faultFilter } from './filters/fault.js';
import { grpcWebFilter } from './filters/grpc-web.js';
import { healthCheckFilter } from './filters/health-check.js';
import { localRateLimitFilter } from './filters/local-ratelimit.js';
import { admissionControlFilter } from './filters/admission-control.js';
import { bandwidthLimitFilter } from './filters/bandwidth-limit.js';
import { customResponseFilter } from './filters/custom-response.js';
import type { HttpFilterTranslator } from './filters/http-filter.js';
import { rateLimitFilter } from './filters/ratelimit.js';
import { requestBufferFilter } from './filters/request-buffer.js';
import { routerFilter } from './filters/router.js';
import { buildL4Listener } from './l4-listeners.js';
import { applyClientExtrasToRoutes } from './client-extras.js';
import { buildListener } from './listeners.js';
import { buildQuicListener } from './quic-listener.js';
import { buildNoBackendCluster, buildProxyless } from './proxyless.js';
import { buildRateLimitDomain, type RateLimitDomainConfig } from './ratelimit-config.js';
import { buildRouteConfiguration } from './routes.js';
import { buildSecret } from './secrets.js';
import type { TranslatorOptions } from './options.js';

/**
 * In HCM order, as Envoy Gateway orders its filters: the DynamicResolver loopback guard, the gateway's own health check, gRPC-Web, faults,
 * CORS (preflights answered before any authentication), CSRF, the users' ext_authz services, Gatehouse's
 * authz (its JWT/OIDC/basic-auth place), the EnvoyExtensionPolicies' lua, ext_proc and wasm filters, then rate limiting after authorization (denied requests do not
 * spend quota; the local bucket before the global one), admission control, bandwidth limits, the request
 * buffer, custom responses, compressors, the dynamic forward proxy, router last.
 */
const HTTP_FILTERS: readonly HttpFilterTranslator[] = [
  loopbackGuardFilter,
  healthCheckFilter,
  grpcWebFilter,
  faultFilter,
  corsFilter,
  csrfFilter,
  userExtAuthFilter,
  extAuthzFilter,
  luaFilter,
  extProcFilter,
  wasmFilter,
  localRateLimitFilter,
  rateLimitFilter,
  admissionControlFilter,
  bandwidthLimitFilter,
  requestBufferFilter,
  customResponseFilter,
  ...compressorFilters,
  dynamicForwardProxyFilter,
  routerFilter,
];

export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

export function translateGateway(gateway: GatewayIR, options: TranslatorOptions): { resources: EnvoyResources; rateLimitDomains: RateLimitDomainConfig[] } {
  const resources = emptyEnvoyResources();
  const rateLimitDomains: RateLimitDomainConfig[] = [];
  /** Filters some chain of this Gateway uses: each adds the clusters it needs, once. */
  const activeFilters = new Set<HttpFilterTranslator>();

  for (const port of gateway.ports) {
    const chainFilters = new Map<FilterChainIR, EnvoyObject[]>();
    for (const chain of port.chains) {
      const active = HTTP_FILTERS.map((f) => ({ translator: f, filter: f.buildFilter(chain, options) })).filter((a) => a.filter !== undefined);
      chainFilters.set(chain, active.flatMap((a): EnvoyObject[] => (Array.isArray(a.filter) ? a.filter : [a.filter!])));
      const translators = active.map((a) => a.translator);
      for (const translator of translators) activeFilters.add(translator);
      const routeConfiguration = buildRouteConfiguration(chain.name, withChallengeHost(chain), translators, {
        leading: chain.acmeChallenge ? [acmeChallengeRoute(options)] : [],
        identityHeaders: gateway.identityHeaders,
      });
      resources.routes.push(applyClientExtrasToRoutes(routeConfiguration, chain, port));
      const domain = buildRateLimitDomain(chain);
      if (domain) rateLimitDomains.push(domain);
    }
    resources.listeners.push(buildListener(port, chainFilters, options));
    const quic = buildQuicListener(port, chainFilters, options);
    if (quic) resources.listeners.push(quic);
  }

  let needsNoBackend = false;
  for (const port of gateway.l4Ports ?? []) {
    const built = buildL4Listener(port, options);
    resources.listeners.push(built.listener);
    needsNoBackend ||= built.needsNoBackend;
  }
  for (const host of gateway.proxyless) {
    const built = buildProxyless(host);
    resources.listeners.push(built.listener);
    resources.routes.push(built.routeConfiguration);
    needsNoBackend ||= built.needsNoBackend;
  }
  if (needsNoBackend) {
    const noBackend = buildNoBackendCluster();
    resources.clusters.push(noBackend.cluster);
    resources.endpoints.push(noBackend.endpoints);
  }

  for (const cluster of gateway.clusters) {
    const built = buildCluster(cluster);
    resources.clusters.push(built.cluster);
    if (built.endpoints) resources.endpoints.push(built.endpoints);
  }
  for (const filter of HTTP_FILTERS) if (activeFilters.has(filter)) resources.clusters.push(...filter.resources(options).clusters);
  // The HTTP-01 challenge route on port 80 goes to the certs service.
  if (gateway.ports.some((port) => port.chains.some((chain) => chain.acmeChallenge))) resources.clusters.push(buildServiceCluster(options.certs, false));
  resources.secrets.push(...gateway.secrets.map(buildSecret));
  return { resources, rateLimitDomains };
}

/** Port 80 answers ACME HTTP-01 challenges for any host, so there must be a catch-all host. */
function withChallengeHost(chain: FilterChainIR): FilterChainIR['virtualHosts'] {
  if (!chain.acmeChallenge || chain.virtualHosts.some((vh) => vh.domains.includes('*'))) return chain.virtualHosts;
  return [...chain.virtualHosts, { name: `${chain.name}/*`, domains: ['*'], routes: [] }];
}

/** Ahead of every other route (and redirect) of a port-80 virtual host. */
function acmeChallengeRoute(options: TranslatorOptions): EnvoyObject {
  return { name: 'acme-http01-challenge', match: { prefix: ACME_CHALLENGE_PREFIX }, route: { cluster: options.certs.clusterName } };
}
