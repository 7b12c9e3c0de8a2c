// Who may open an ADS stream as which node.cluster, decided from the identity in the caller's verified
// client certificate. Pure: the adapter hands in the identities and the node.cluster of the first request.
//
// The rules (README, "Trust"):
// - a Gateway's Envoy (`spiffe://gatehouse/gateway/<ns>/<name>`) gets exactly the node cluster `<ns>/<name>`,
//   all of it (listeners, routes, clusters, endpoints, the Secrets its listeners reference);
// - the merged fleet of a GatewayClass (EnvoyProxy mergeGateways; `spiffe://gatehouse/gatewayclass/<name>`)
//   gets exactly the node cluster `<name>`, which holds every Gateway of the class and their Secrets. A
//   Gateway's own certificate never opens it: merging a class does not hand one Gateway's Envoy the others' keys;
// - a proxyless gRPC client (`spiffe://gatehouse/client/<name>`) gets the proxyless part of a Gateway's node
//   cluster (API listeners and what their routes use; never Envoy listeners, never Secrets): of any Gateway,
//   or, when XDS_PROXYLESS_CLIENTS lists the client, of the Gateways listed for it only;
// - a service identity, a certificate without a Gatehouse identity, or one with several, gets nothing;
// - with plaintext (GATEHOUSE_INSECURE_PLAINTEXT, development) nobody is identified: every node cluster is
//   served whole, as before binding existed, and the grant says it is unbound.
import { formatIdentity, type Identity } from '@gatehouse/contracts';

/** What the transport says about the caller. */
export type StreamPeer = { readonly transport: 'plaintext' } | { readonly transport: 'mtls'; readonly identities: readonly Identity[] };

/** How much of a node cluster's snapshot a stream sees. */
export type StreamView = 'gateway' | 'proxyless';

export type StreamDenial =
  | 'no_identity'
  | 'several_identities'
  | 'service_identity'
  | 'other_gateway'
  | 'client_not_allowed';

export type StreamGrant =
  | { readonly allowed: true; readonly view: StreamView; readonly bound: true; readonly identity: string }
  | { readonly allowed: true; readonly view: 'gateway'; readonly bound: false }
  | { readonly allowed: false; readonly reason: StreamDenial; readonly message: string };

export interface StreamPolicy {
  /**
   * Proxyless clients allowed per client name: the node clusters each may open. A client not in the map
   * may open none when the map is given; without a map every client identity may open any node cluster.
   */
  readonly proxylessClients?: ReadonlyMap<string, ReadonlySet<string>>;
}

export function authorizeStream(peer: StreamPeer, nodeCluster: string, policy: StreamPolicy = {}): StreamGrant {
  if (peer.transport === 'plaintext') return { allowed: true, view: 'gateway', bound: false };
  // One certificate, one identity: a certificate naming two is not one the deployment's PKI writes.
  const distinct = [...new Map(peer.identities.map((i) => [formatIdentity(i), i])).values()];
  if (distinct.length === 0) {
    return deny('no_identity', `the client certificate carries no Gatehouse identity (a spiffe://gatehouse/gateway/<namespace>/<name>, spiffe://gatehouse/gatewayclass/<name> or spiffe://gatehouse/client/<name> URI SAN); node cluster "${nodeCluster}" is not served to it`);
  }
  if (distinct.length > 1) {
    return deny('several_identities', `the client certificate carries ${distinct.length} Gatehouse identities (${distinct.map(formatIdentity).join(', ')}); an ADS client must present exactly one`);
  }
  const identity = distinct[0]!;
  const uri = formatIdentity(identity);
  switch (identity.kind) {
    case 'gateway': {
      const own = `${identity.namespace}/${identity.name}`;
      if (nodeCluster !== own) {
        return deny('other_gateway', `${uri} may open ADS only as node.cluster "${own}", not "${nodeCluster}"`);
      }
      return { allowed: true, view: 'gateway', bound: true, identity: uri };
    }
    case 'gatewayclass': {
      if (nodeCluster !== identity.name) {
        return deny('other_gateway', `${uri} may open ADS only as node.cluster "${identity.name}" (the GatewayClass's merged Gateways), not "${nodeCluster}"`);
      }
      return { allowed: true, view: 'gateway', bound: true, identity: uri };
    }
    case 'client': {
      const allowed = policy.proxylessClients;
      if (allowed && !allowed.get(identity.name)?.has(nodeCluster)) {
        const listed = [...(allowed.get(identity.name) ?? [])].sort();
        const which = listed.length > 0 ? `only ${listed.map((c) => `"${c}"`).join(', ')}` : 'no node cluster (it is not in XDS_PROXYLESS_CLIENTS)';
        return deny('client_not_allowed', `${uri} may open ${which}, not "${nodeCluster}"`);
      }
      return { allowed: true, view: 'proxyless', bound: true, identity: uri };
    }
    case 'service':
      return deny('service_identity', `${uri} is a Gatehouse service, not a proxy: services get no xDS configuration`);
  }
}

function deny(reason: StreamDenial, message: string): StreamGrant {
  return { allowed: false, reason, message };
}

/**
 * XDS_PROXYLESS_CLIENTS: `<client>=<namespace>/<gateway>` (or `<client>=<gatewayclass>`, the node cluster of a
 * GatewayClass's merged Gateways) entries separated by commas or whitespace; a client may be listed once per Gateway. Returns the map authorizeStream takes, or a message naming the bad entry.
 */
export function parseProxylessClients(raw: string): ReadonlyMap<string, ReadonlySet<string>> | { error: string } {
  const map = new Map<string, Set<string>>();
  const name = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
  // A bare name is a GatewayClass whose Gateways are merged (its fleet's node cluster).
  const entry = new RegExp(`^(${name})=(${name}(?:/${name})?)$`);
  for (const part of raw.split(/[\s,]+/).filter((p) => p !== '')) {
    const match = entry.exec(part);
    if (!match) return { error: `"${part}" is not <client>=<namespace>/<gateway> (or <client>=<gatewayclass> for merged Gateways)` };
    const client = match[1]!;
    let set = map.get(client);
    if (!set) map.set(client, (set = new Set()));
    set.add(match[3]!);
  }
  return map;
}
