// EnvoyProxy `ipFamily` on one node cluster's generated resources, as Envoy Gateway applies it: IPv6 and
// DualStack listeners bind "::" (DualStack with ipv4_compat, so IPv4 clients still connect), IPv4 ones
// 0.0.0.0; DNS clusters resolve V4_ONLY (IPv4), V6_ONLY (IPv6), or ALL (DualStack, unless a
// BackendTrafficPolicy's dns.lookupFamily chose one). Proxyless API listeners have no socket to bind.
import type { IpFamily } from '../gatewayapi/envoy-proxy-network.js';
import type { EnvoyResource, EnvoyResources } from '../ir/envoy-resources.js';
import type { EnvoyObject } from './envoy-types.js';

const ANY_V4 = '0.0.0.0';

export function applyIpFamily(resources: EnvoyResources, family: IpFamily | undefined): void {
  if (!family) return;
  resources.listeners = resources.listeners.map((listener) => {
    const address = (listener.address as EnvoyObject | undefined)?.socket_address as EnvoyObject | undefined;
    // Only the wildcard is the family's to choose; a configured bind address stays as it is.
    if (!address || address.address !== ANY_V4 || family === 'IPv4') return listener;
    const socket_address = { ...address, address: '::', ...(family === 'DualStack' ? { ipv4_compat: true } : {}) };
    return { ...listener, address: { ...(listener.address as EnvoyObject), socket_address } } as EnvoyResource;
  });
  resources.clusters = resources.clusters.map((cluster) => {
    if (cluster.type !== 'STRICT_DNS' && cluster.type !== 'LOGICAL_DNS') return cluster;
    if (family === 'DualStack') return cluster.dns_lookup_family ? cluster : { ...cluster, dns_lookup_family: 'ALL' };
    return { ...cluster, dns_lookup_family: family === 'IPv4' ? 'V4_ONLY' : 'V6_ONLY' };
  });
}
