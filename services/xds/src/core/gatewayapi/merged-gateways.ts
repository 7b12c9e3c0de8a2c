// EnvoyProxy `spec.mergeGateways`, as Envoy Gateway does it: every Gateway of a GatewayClass whose
// EnvoyProxy merges Gateways is served by one Envoy fleet, named after the class (its node cluster is the
// GatewayClass name, which never contains the "/" of a Gateway's "<namespace>/<name>"). Listeners of
// different Gateways must then be distinct across the class: the same port with another protocol is a
// ProtocolConflict, the same port, protocol and hostname a HostnameConflict, and the newer listener (by
// creationTimestamp, then the order read) is the one refused. Compatible listeners on one port become one
// Envoy listener: HTTPS chains side by side (SNI), HTTP virtual hosts in one route configuration.
import type { FilterChainIR, GatewayIR, L4PortIR, PortIR, ProxylessHostIR, VirtualHostIR } from '../ir/types.js';
import { conditionTrue, Reasons } from './conditions.js';
import { socketKey, type GatewayContext, type ListenerContext } from './gateways.js';

/** The Gateways one merged fleet serves, oldest first. */
export interface MergedClass {
  /** The GatewayClass name: the node cluster of the merged fleet. */
  className: string;
  members: GatewayContext[];
}

/** Envoy Gateway's messages for listeners that collide across the merged Gateways. */
export const MERGED_CONFLICT_MESSAGES = {
  hostname: 'Port, protocol and hostname tuple must be unique for every listener',
  protocol: 'All listeners for a given port must use a compatible protocol',
} as const;

/** Groups the served Gateways of merging classes (`merging`: class name -> merges) in Envoy Gateway's order. */
export function mergedClasses(gateways: readonly GatewayContext[], classOf: (gateway: GatewayContext) => string | undefined): Map<string, MergedClass> {
  const classes = new Map<string, MergedClass>();
  gateways.forEach((gateway) => {
    const className = classOf(gateway);
    if (className === undefined) return;
    let merged = classes.get(className);
    if (!merged) classes.set(className, (merged = { className, members: [] }));
    merged.members.push(gateway);
  });
  for (const merged of classes.values()) merged.members = sortOldestFirst(merged.members);
  return classes;
}

/** creationTimestamp first (files have none: they keep the order read), then namespace/name as a tie-break. */
function sortOldestFirst(members: GatewayContext[]): GatewayContext[] {
  const order = new Map(members.map((m, i) => [m, i]));
  const created = (g: GatewayContext) => (g.resource.metadata as { creationTimestamp?: string }).creationTimestamp;
  return [...members].sort((a, b) => {
    const ta = created(a);
    const tb = created(b);
    if (ta && tb && ta !== tb) return ta < tb ? -1 : 1;
    return order.get(a)! - order.get(b)!;
  });
}

/**
 * Marks the listeners that collide with an older Gateway's listener of the same class: Conflicted=True,
 * not programmed, no routes attach (the older listener keeps serving). Listeners already refused are skipped.
 */
export function markMergedConflicts(merged: MergedClass): void {
  const claimed = new Map<string, ListenerContext[]>();
  for (const gateway of merged.members) {
    const own: Array<[string, ListenerContext]> = [];
    for (const listener of gateway.listeners) {
      if (!listener.attachable) continue;
      const key = socketKey(listener);
      const earlier = claimed.get(key) ?? [];
      const protocolClash = earlier.some((other) => other.protocol !== listener.protocol);
      const hostnameClash = earlier.some((other) => (other.hostname ?? '') === (listener.hostname ?? ''));
      if (protocolClash || hostnameClash) {
        conflict(listener, protocolClash ? Reasons.protocolConflict : Reasons.hostnameConflict, protocolClash ? MERGED_CONFLICT_MESSAGES.protocol : MERGED_CONFLICT_MESSAGES.hostname);
        continue;
      }
      own.push([key, listener]);
    }
    // A Gateway's own listeners were checked against each other already (gateways.ts).
    for (const [key, listener] of own) claimed.set(key, [...(claimed.get(key) ?? []), listener]);
  }
}

function conflict(listener: ListenerContext, reason: string, message: string): void {
  listener.ready = false;
  listener.attachable = false;
  const conditions = listener.status.conditions.filter((c) => c.type !== 'Conflicted' && c.type !== 'Accepted');
  conditions.unshift(conditionTrue('Conflicted', reason, message));
  listener.status.conditions = conditions;
}

/**
 * One IR for the merged fleet from its members' IRs (each assembled as a Gateway of its own, so chain
 * names, client policies and rate limit domains stay per Gateway listener). HTTP listeners sharing a port
 * share the first chain (its route configuration gets every Gateway's virtual hosts; virtual hosts for the
 * same domain are joined, the older Gateway's routes first); HTTPS and L4 chains sit side by side.
 */
export function mergeGatewayIRs(className: string, members: readonly GatewayIR[], shadowed: SharedConnectionNote[] = []): GatewayIR {
  const ports = new Map<number, PortIR>();
  for (const ir of members) {
    for (const port of ir.ports) {
      const existing = ports.get(port.port);
      if (!existing) {
        ports.set(port.port, { ...port, name: `${className}/port/${port.port}`, chains: port.chains.map((c) => ({ ...c, virtualHosts: [...c.virtualHosts] })) });
        continue;
      }
      if (port.protocol === 'HTTP') {
        const into = existing.chains[0]!;
        const from = port.chains[0]!;
        if (JSON.stringify(into.client ?? null) !== JSON.stringify(from.client ?? null)) shadowed.push({ port: port.port, into: into.name, from: from.name, ...(into.client ? { intoPolicy: into.client.policy } : {}), ...(from.client ? { fromPolicy: from.client.policy } : {}) });
        joinHttpChain(into, from);
      }
      else existing.chains.push(...port.chains);
    }
  }
  const l4 = new Map<string, L4PortIR>();
  for (const ir of members) {
    for (const port of ir.l4Ports ?? []) {
      const key = socketKey(port);
      const existing = l4.get(key);
      if (existing) existing.chains.push(...port.chains);
      else l4.set(key, { ...port, name: `${className}/port/${key}`, chains: [...port.chains] });
    }
  }
  const proxyless = new Map<string, ProxylessHostIR>();
  for (const host of members.flatMap((ir) => ir.proxyless)) {
    const existing = proxyless.get(host.host);
    if (existing) existing.routes.push(...host.routes);
    else proxyless.set(host.host, { ...host, routes: [...host.routes] });
  }
  const l4Ports = [...l4.values()].sort((a, b) => a.port - b.port || a.name.localeCompare(b.name));
  return {
    key: className,
    ports: [...ports.values()].sort((a, b) => a.port - b.port),
    ...(l4Ports.length > 0 ? { l4Ports } : {}),
    proxyless: [...proxyless.values()].sort((a, b) => (a.host < b.host ? -1 : 1)),
    clusters: uniqueByName(members.flatMap((ir) => ir.clusters)),
    secrets: uniqueByName(members.flatMap((ir) => ir.secrets)),
    identityHeaders: [...new Set(members.flatMap((ir) => ir.identityHeaders))].sort(),
  };
}

/**
 * HTTP listeners of different Gateways sharing a port share one connection manager, the oldest Gateway's
 * (as in Envoy Gateway): when their ClientTrafficPolicies differ, the newer listener's connection settings
 * are its port's, not its own, and each policy involved says so (a warning in its status).
 */
export interface SharedConnectionNote {
  port: number;
  /** The chain (Gateway listener) whose connection manager the port keeps. */
  into: string;
  from: string;
  /** "<namespace>/<name>" of the ClientTrafficPolicy of each side, when it has one. */
  intoPolicy?: string;
  fromPolicy?: string;
}

function joinHttpChain(into: FilterChainIR, from: FilterChainIR): void {
  into.acmeChallenge ||= from.acmeChallenge;
  for (const host of from.virtualHosts) {
    const same = into.virtualHosts.findIndex((h) => sameDomains(h, host));
    if (same >= 0) into.virtualHosts[same] = { ...into.virtualHosts[same]!, routes: [...into.virtualHosts[same]!.routes, ...host.routes] };
    else into.virtualHosts.push(host);
  }
}

function sameDomains(a: VirtualHostIR, b: VirtualHostIR): boolean {
  return a.domains.length === b.domains.length && a.domains.every((d) => b.domains.includes(d));
}

function uniqueByName<T extends { name: string }>(items: readonly T[]): T[] {
  const byName = new Map<string, T>();
  for (const item of items) if (!byName.has(item.name)) byName.set(item.name, item);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
