// Attached routes -> the IR of one Gateway: Envoy listeners per port, filter chains, virtual
// hosts in precedence order, proxyless hosts and the TLS secrets served from Secret documents.
import type { FilterChainIR, GatewayIR, PortIR, ProxylessHostIR, TlsSecretIR, VirtualHostIR } from '../ir/types.js';
import type { ClusterRegistry } from './backends.js';
import type { GatewayContext } from './gateways.js';
import { covers } from './hostnames.js';
import type { ResourceIndex } from './resource-index.js';
import { readTlsSecretKey } from './tls-certificates.js';
import { comparePrecedence, type RouteEntry } from './routes.js';

export function assembleGatewayIR(
  gateway: GatewayContext,
  entries: RouteEntry[],
  proxyless: Map<string, RouteEntry[]> | undefined,
  registry: ClusterRegistry,
  index: ResourceIndex,
  identityHeaders: readonly string[],
): GatewayIR {
  return {
    key: gateway.key,
    ports: buildPorts(gateway, entries),
    proxyless: buildProxyless(proxyless),
    clusters: registry.list(),
    secrets: staticSecrets(gateway, index),
    identityHeaders: [...identityHeaders],
  };
}

function buildPorts(gateway: GatewayContext, entries: RouteEntry[]): PortIR[] {
  const ports = new Map<number, PortIR>();
  const chainEntries = new Map<FilterChainIR, RouteEntry[]>();
  for (const listener of gateway.listeners) {
    if (!listener.ready || (listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS')) continue; // L4: assemble-l4.ts
    let port = ports.get(listener.port);
    if (!port) {
      port = { name: `${gateway.key}/port/${listener.port}`, port: listener.port, protocol: listener.protocol as PortIR['protocol'], chains: [] };
      ports.set(listener.port, port);
    }
    // HTTPS: a chain per listener, chosen by SNI. HTTP: listeners sharing a port share one chain.
    if (listener.protocol === 'HTTPS' || port.chains.length === 0) {
      port.chains.push({
        name: `${gateway.key}/${listener.name}`,
        serverNames: listener.protocol === 'HTTPS' && listener.hostname ? [listener.hostname] : [],
        tlsSecrets: listener.tlsSecrets,
        virtualHosts: [],
        acmeChallenge: listener.protocol === 'HTTP' && listener.port === 80,
        ...(listener.frontendValidation ? { frontendValidation: listener.frontendValidation } : {}),
      });
    }
    const chain = port.chains[port.chains.length - 1]!;
    const list = chainEntries.get(chain) ?? [];
    list.push(...entries.filter((e) => e.listener === listener));
    chainEntries.set(chain, list);
  }
  for (const [chain, list] of chainEntries) chain.virtualHosts = buildVirtualHosts(chain.name, list);
  return [...ports.values()].sort((a, b) => a.port - b.port);
}

/**
 * A virtual host per hostname. A request for a host also reaches the routes of less specific
 * hostnames that cover it ("*.example.com", "*"), after its own: Gateway API ranks routes by
 * hostname specificity first, it does not hide the less specific ones.
 */
function buildVirtualHosts(chainName: string, entries: RouteEntry[]): VirtualHostIR[] {
  const byHost = new Map<string, RouteEntry[]>();
  const seen = new Set<string>();
  for (const entry of entries) {
    // The same route reached through two listeners of one port appears once.
    if (seen.has(entry.route.name)) continue;
    seen.add(entry.route.name);
    let list = byHost.get(entry.hostname);
    if (!list) byHost.set(entry.hostname, (list = []));
    list.push(entry);
  }
  for (const list of byHost.values()) list.sort(comparePrecedence);
  const hosts = [...byHost.keys()].sort(compareHostnames);
  return hosts.map((hostname) => {
    const covering = hosts.filter((other) => other !== hostname && covers(other, hostname)).sort(compareSpecificity);
    return {
      name: `${chainName}/${hostname}`,
      domains: [hostname],
      routes: [hostname, ...covering].flatMap((h) => byHost.get(h)!.map((e) => e.route)),
    };
  });
}

/** Most specific first: longer wildcards before shorter ones, "*" last. */
function compareSpecificity(a: string, b: string): number {
  if (a === '*' || b === '*') return a === '*' ? 1 : -1;
  return b.length - a.length;
}

/** Exact names first, then wildcards, then the catch-all: easiest to read in the output. */
function compareHostnames(a: string, b: string): number {
  const rank = (h: string) => (h === '*' ? 2 : h.startsWith('*.') ? 1 : 0);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function buildProxyless(hosts: Map<string, RouteEntry[]> | undefined): ProxylessHostIR[] {
  if (!hosts) return [];
  return [...hosts.keys()].sort().map((host) => ({ host, routes: hosts.get(host)!.sort(comparePrecedence).map((e) => e.route) }));
}

function staticSecrets(gateway: GatewayContext, index: ResourceIndex): TlsSecretIR[] {
  const secrets = new Map<string, TlsSecretIR>();
  for (const listener of gateway.listeners) {
    if (!listener.ready) continue;
    for (const name of listener.tlsSecrets) {
      const [namespace, secretName] = name.split('/') as [string, string];
      const secret = index.get('Secret', namespace, secretName);
      if (!secret) continue; // ACME-managed: the certs service provides it
      secrets.set(name, { name, certificateChain: readTlsSecretKey(secret, 'tls.crt'), privateKey: readTlsSecretKey(secret, 'tls.key') });
    }
  }
  return [...secrets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
