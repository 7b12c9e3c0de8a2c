// GatewayClass and Gateway validation: which Gateways this controller serves, which of their
// listeners are valid (protocol, conflicts, certificates), and the matching status conditions.
import type { GatewayResource } from '../provider/resource-types.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import { CORE_GROUP, GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import type { LabelSelector } from './namespaces.js';
import { gatewayAddresses } from './gateway-addresses.js';
import { applyFrontendTls, resolveBackendClientCertificate } from './gateway-tls.js';
import type { ClientValidationIR, TlsSecretIR } from '../ir/types.js';
import { describeCertificateProblem, readTlsSecretKey } from './tls-certificates.js';
import type { Condition, ListenerStatus, StatusMap } from './status-types.js';

export const ISSUER_ANNOTATION = 'cert-manager.io/issuer';
export const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';

const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];
/** Route kinds per listener protocol: HTTP ones, and the L4 ones (l4-routes.ts). */
const KINDS_BY_PROTOCOL = { HTTP: ROUTE_KINDS, HTTPS: ROUTE_KINDS, TCP: ['TCPRoute'], TLS: ['TLSRoute'], UDP: ['UDPRoute'] } as const;
export type ListenerProtocol = keyof typeof KINDS_BY_PROTOCOL;
export type ListenerRouteKind = RouteKind | 'TCPRoute' | 'TLSRoute' | 'UDPRoute';

export interface ListenerContext {
  name: string;
  port: number;
  protocol: ListenerProtocol;
  /** TLS listeners: Passthrough (SNI routing, the backend terminates) or Terminate (here, then TCP). */
  tlsMode?: 'Passthrough' | 'Terminate';
  hostname?: string;
  allowedNamespaces: { from: 'Same' | 'All' | 'Selector'; selector?: LabelSelector };
  allowedKinds: ListenerRouteKind[];
  /** SDS names "<namespace>/<secretName>" of the listener's certificates. */
  tlsSecrets: string[];
  /** Serves traffic (valid, references resolved, no conflict): Programmed. */
  ready: boolean;
  /**
   * Routes may attach (Accepted, no conflict), even when a reference is unresolved: as in Envoy Gateway,
   * a listener with a bad certificate still counts its routes, it just serves nothing until fixed.
   */
  attachable: boolean;
  attachedRoutes: number;
  status: ListenerStatus;
  /** Gateway spec.tls.frontend for this HTTPS listener's port (gateway-tls.ts). */
  frontendValidation?: ClientValidationIR;
  /** Added by a ListenerSet (listener-sets.ts): `name` is then "<ns>/<set>/<entry>", unique in the Gateway. */
  listenerSet?: ListenerSetOwner;
}

export interface ListenerSetOwner {
  namespace: string;
  name: string;
  /** The listener's name in its ListenerSet (a route's sectionName). */
  entryName: string;
}

export interface GatewayContext {
  resource: GatewayResource;
  key: string;
  namespace: string;
  name: string;
  listeners: ListenerContext[];
  /** ListenerSets attached to this Gateway (allowed by its allowedListeners), oldest first. */
  attachedListenerSets?: number;
  /** From the cert-manager annotations; certificates of HTTPS listeners are then ACME-managed. */
  issuer?: { name: string; kind: 'Issuer' | 'ClusterIssuer' };
  /** Gateway conditions beyond Accepted/Programmed (spec.tls: ResolvedRefs, InsecureFrontendValidationMode). */
  conditions?: Condition[];
  /** spec.tls.backend.clientCertificateRef, resolved: presented to TLS upstreams. */
  backendClientCertificate?: TlsSecretIR;
}

export interface ListenerSpec {
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
  tls?: { mode?: string; certificateRefs?: Array<{ group?: string; kind?: string; name: string; namespace?: string }> };
  allowedRoutes?: { namespaces?: { from?: 'Same' | 'All' | 'Selector'; selector?: LabelSelector }; kinds?: Array<{ group?: string; kind: string }> };
}

/** Gateways of GatewayClasses this controller owns, with their listeners validated. */
export function collectGateways(index: ResourceIndex, controllerName: string, statuses: StatusMap): GatewayContext[] {
  const ownedClasses = new Set<string>();
  for (const gatewayClass of index.list('GatewayClass')) {
    const spec = gatewayClass.spec as { controllerName?: string } | undefined;
    if (spec?.controllerName !== controllerName) continue; // another controller's class: not ours to report on
    const key = `GatewayClass/${gatewayClass.metadata.namespace}/${gatewayClass.metadata.name}`;
    if (gatewayClass.issues?.length) {
      statuses.set(key, { kind: 'GatewayClass', conditions: [conditionFalse('Accepted', Reasons.invalidParameters, describeIssues(gatewayClass.issues))] });
      continue;
    }
    ownedClasses.add(gatewayClass.metadata.name);
    statuses.set(key, { kind: 'GatewayClass', conditions: [conditionTrue('Accepted', Reasons.accepted, `Handled by ${controllerName}`)] });
  }

  const gateways: GatewayContext[] = [];
  for (const gateway of index.list('Gateway')) {
    const className = (gateway.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName;
    const key = `Gateway/${gateway.metadata.namespace}/${gateway.metadata.name}`;
    if (gateway.issues?.length) {
      const message = describeIssues(gateway.issues);
      statuses.set(key, {
        kind: 'Gateway',
        conditions: [conditionFalse('Accepted', Reasons.invalid, message), conditionFalse('Programmed', Reasons.invalid, message)],
        listeners: [],
      });
      continue;
    }
    if (!className || !ownedClasses.has(className)) {
      // Without Kubernetes nobody else will say why this Gateway does nothing, so say it here.
      const message = `GatewayClass "${className ?? ''}" does not exist or is not handled by ${controllerName}`;
      statuses.set(key, {
        kind: 'Gateway',
        conditions: [conditionFalse('Accepted', Reasons.invalidParameters, message), conditionFalse('Programmed', Reasons.invalid, message)],
        listeners: [],
      });
      continue;
    }
    const addresses = gatewayAddresses(gateway);
    if (!addresses.ok) {
      statuses.set(key, {
        kind: 'Gateway',
        conditions: [conditionFalse('Accepted', Reasons.unsupportedAddress, addresses.message), conditionFalse('Programmed', Reasons.invalid, addresses.message)],
        listeners: [],
      });
      continue;
    }
    gateways.push(buildGatewayContext(gateway, index));
  }
  return gateways;
}

function buildGatewayContext(gateway: GatewayResource, index: ResourceIndex): GatewayContext {
  const annotations = gateway.metadata.annotations ?? {};
  const issuerName = annotations[CLUSTER_ISSUER_ANNOTATION] ?? annotations[ISSUER_ANNOTATION];
  const context: GatewayContext = {
    resource: gateway,
    key: `${gateway.metadata.namespace}/${gateway.metadata.name}`,
    namespace: gateway.metadata.namespace,
    name: gateway.metadata.name,
    listeners: [],
    ...(issuerName ? { issuer: { name: issuerName, kind: annotations[CLUSTER_ISSUER_ANNOTATION] ? 'ClusterIssuer' : 'Issuer' } } : {}),
  };
  const specs = ((gateway.spec as { listeners?: ListenerSpec[] } | undefined)?.listeners ?? []).filter(
    (spec, i, all) => all.findIndex((other) => other.name === spec.name) === i,
  );
  for (const spec of specs) context.listeners.push(validateListener(spec, context, index));
  markConflicts(context.listeners);
  applyFrontendTls(context, index);
  const backendCertificate = resolveBackendClientCertificate(context, index);
  if (backendCertificate) context.backendClientCertificate = backendCertificate;
  return context;
}

/** Who declares a listener: its Gateway, or a ListenerSet (certificates and "Same" namespace are then its own). */
export interface ListenerOrigin {
  kind: 'Gateway' | 'ListenerSet';
  namespace: string;
}

export function validateListener(spec: ListenerSpec, gateway: GatewayContext, index: ResourceIndex, origin: ListenerOrigin = { kind: 'Gateway', namespace: gateway.namespace }): ListenerContext {
  const conditions: Condition[] = [];
  const protocol: ListenerProtocol = Object.hasOwn(KINDS_BY_PROTOCOL, spec.protocol) ? (spec.protocol as ListenerProtocol) : 'HTTP';
  const tlsMode = spec.tls?.mode === 'Passthrough' ? 'Passthrough' : 'Terminate';
  const listener: ListenerContext = {
    name: spec.name,
    port: spec.port,
    protocol,
    ...(protocol === 'TLS' ? { tlsMode } : {}),
    ...(spec.hostname ? { hostname: spec.hostname } : {}),
    allowedNamespaces: {
      from: spec.allowedRoutes?.namespaces?.from ?? 'Same',
      ...(spec.allowedRoutes?.namespaces?.selector ? { selector: spec.allowedRoutes.namespaces.selector } : {}),
    },
    allowedKinds: [],
    tlsSecrets: [],
    ready: true,
    attachable: true,
    attachedRoutes: 0,
    status: { name: spec.name, attachedRoutes: 0, supportedKinds: [], conditions },
  };

  if (!Object.hasOwn(KINDS_BY_PROTOCOL, spec.protocol)) {
    listener.ready = false;
    listener.attachable = false;
    conditions.push(conditionFalse('Accepted', Reasons.unsupportedProtocol, `Protocol ${spec.protocol} is not supported; use HTTP, HTTPS, TLS, TCP or UDP`));
    return listener;
  }
  const protocolKinds: readonly ListenerRouteKind[] = KINDS_BY_PROTOCOL[protocol];

  let refsOk = true;
  const requested = spec.allowedRoutes?.kinds;
  if (requested && requested.length > 0) {
    for (const kind of requested) {
      const known = (kind.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (protocolKinds as readonly string[]).includes(kind.kind);
      if (known) listener.allowedKinds.push(kind.kind as ListenerRouteKind);
      else {
        refsOk = false;
        conditions.push(conditionFalse('ResolvedRefs', Reasons.invalidRouteKinds, `Route kind ${kind.group ?? GATEWAY_GROUP}/${kind.kind} is not supported`));
      }
    }
  } else listener.allowedKinds.push(...protocolKinds);
  listener.status.supportedKinds = listener.allowedKinds.map((kind) => ({ group: GATEWAY_GROUP, kind }));

  // No tls at all: Envoy Gateway's listener check ("must have TLS set"), the listener is not accepted;
  // routes still count it, as there (the CRD refuses this for TLS, not for HTTPS).
  if ((protocol === 'HTTPS' || protocol === 'TLS') && !spec.tls) {
    listener.ready = false;
    conditions.push(conditionFalse('Accepted', Reasons.invalid, `Listener must have TLS set when protocol is ${protocol}.`));
    conditions.push(conditionTrue('ResolvedRefs', Reasons.resolvedRefs, 'All references resolved'));
    return listener;
  }
  if (protocol === 'HTTPS' || (protocol === 'TLS' && tlsMode === 'Terminate')) {
    const certProblem = resolveCertificates(spec, listener, gateway, index, origin);
    if (certProblem) {
      refsOk = false;
      listener.ready = false;
      conditions.push(conditionFalse('ResolvedRefs', certProblem.reason, certProblem.message));
    }
  }

  if (refsOk) conditions.push(conditionTrue('ResolvedRefs', Reasons.resolvedRefs, 'All references resolved'));
  conditions.unshift(conditionTrue('Accepted', Reasons.accepted, 'Listener is valid'));
  return listener;
}

function resolveCertificates(
  spec: ListenerSpec,
  listener: ListenerContext,
  gateway: GatewayContext,
  index: ResourceIndex,
  origin: ListenerOrigin,
): { reason: string; message: string } | undefined {
  const mode = spec.tls?.mode ?? 'Terminate';
  if (mode !== 'Terminate') return { reason: Reasons.unsupportedValue, message: `TLS mode ${mode} is not supported; use Terminate` };
  const refs = spec.tls?.certificateRefs ?? [];
  if (refs.length === 0) return { reason: Reasons.invalidCertificateRef, message: `An ${listener.protocol} listener needs tls.certificateRefs` };
  for (const ref of refs) {
    const group = ref.group ?? CORE_GROUP;
    const kind = ref.kind ?? 'Secret';
    const namespace = ref.namespace ?? origin.namespace;
    if (group !== CORE_GROUP || kind !== 'Secret') return { reason: Reasons.invalidCertificateRef, message: `Certificate ref kind ${group}/${kind} is not supported; use a Secret` };
    const allowed = index.isReferenceAllowed(
      { group: GATEWAY_GROUP, kind: origin.kind, namespace: origin.namespace },
      { group: CORE_GROUP, kind: 'Secret', namespace, name: ref.name },
    );
    if (!allowed) return { reason: Reasons.refNotPermitted, message: `Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it` };
    // An ACME-managed certificate does not exist until the certs service issues it.
    const acmeManaged = origin.kind === 'Gateway' && gateway.issuer !== undefined && listener.hostname !== undefined && listener.protocol === 'HTTPS';
    if (!acmeManaged) {
      const problem = describeTlsSecretProblem(index.get('Secret', namespace, ref.name));
      if (problem) return { reason: Reasons.invalidCertificateRef, message: `Secret ${namespace}/${ref.name} ${problem}` };
    }
    listener.tlsSecrets.push(`${namespace}/${ref.name}`);
  }
  return undefined;
}

function describeTlsSecretProblem(secret: GatewayResource | undefined): string | undefined {
  if (!secret) return 'does not exist';
  if (secret.issues?.length) return `is invalid: ${describeIssues(secret.issues)}`;
  const hasKey = (name: string) => Boolean(secret.data?.[name] ?? secret.stringData?.[name]);
  if (!hasKey('tls.crt') || !hasKey('tls.key')) return 'needs tls.crt and tls.key';
  const problem = describeCertificateProblem(readTlsSecretKey(secret, 'tls.crt'), readTlsSecretKey(secret, 'tls.key'));
  return problem ? `must contain a valid certificate and key: ${problem}` : undefined;
}

/**
 * Listeners sharing a port must agree on protocol and differ in hostname (Gateway API rules). A UDP
 * socket is not a TCP one: UDP listeners share a port with any other protocol, as in Envoy Gateway.
 */
function markConflicts(listeners: ListenerContext[]): void {
  const byPort = new Map<string, ListenerContext[]>();
  for (const listener of listeners) {
    if (!listener.ready && listener.status.conditions.some((c) => c.type === 'Accepted' && c.status === 'False')) continue;
    const key = socketKey(listener);
    let group = byPort.get(key);
    if (!group) byPort.set(key, (group = []));
    group.push(listener);
  }
  for (const group of byPort.values()) {
    const protocols = new Set(group.map((l) => l.protocol));
    for (const listener of group) {
      let conflict: { reason: string; message: string } | undefined;
      if (protocols.size > 1) conflict = { reason: Reasons.protocolConflict, message: `Port ${listener.port} is used with more than one protocol` };
      else if (group.some((other) => other !== listener && (other.hostname ?? '') === (listener.hostname ?? ''))) {
        conflict = { reason: Reasons.hostnameConflict, message: `Another listener on port ${listener.port} has the same hostname "${listener.hostname ?? ''}"` };
      }
      if (conflict) {
        listener.ready = false;
        listener.attachable = false;
        listener.status.conditions.push(conditionTrue('Conflicted', conflict.reason, conflict.message));
      } else listener.status.conditions.push(conditionFalse('Conflicted', Reasons.noConflicts, 'No conflicts'));
    }
  }
}

/** "<port>" for TCP sockets, "<port>/udp" for UDP ones: listeners conflict only on the same socket. */
export function socketKey(listener: Pick<ListenerContext, 'port' | 'protocol'>): string {
  return listener.protocol === 'UDP' ? `${listener.port}/udp` : String(listener.port);
}

/** Final Gateway and listener statuses, once routes have been counted. */
export function recordGatewayStatus(gateway: GatewayContext, statuses: StatusMap): void {
  const own = gateway.listeners.filter((l) => !l.listenerSet);
  const listeners = own.map(finishListenerStatus);
  // A Gateway whose listeners all come from ListenerSets is programmed by theirs.
  const anyReady = (own.length > 0 ? own : gateway.listeners).some((l) => l.ready);
  const addresses = gatewayAddresses(gateway.resource);
  statuses.set(`Gateway/${gateway.key}`, {
    kind: 'Gateway',
    ...(addresses.ok && addresses.addresses.length > 0 ? { addresses: addresses.addresses } : {}),
    conditions: [
      ...(anyReady
        ? [conditionTrue('Accepted', Reasons.accepted, 'Gateway is accepted'), conditionTrue('Programmed', Reasons.programmed, 'Gateway is programmed')]
        : [conditionFalse('Accepted', Reasons.listenersNotValid, 'No listener is valid'), conditionFalse('Programmed', Reasons.invalid, 'No listener is valid')]),
      ...(gateway.conditions ?? []),
    ],
    listeners,
    ...(gateway.attachedListenerSets !== undefined ? { attachedListenerSets: gateway.attachedListenerSets } : {}),
  });
}

/** A listener's status once its routes are counted: attachedRoutes and Programmed. */
export function finishListenerStatus(listener: ListenerContext): ListenerStatus {
  listener.status.attachedRoutes = listener.attachedRoutes;
  listener.status.conditions.push(
    listener.ready
      ? conditionTrue('Programmed', Reasons.programmed, 'Listener is programmed')
      : conditionFalse('Programmed', Reasons.invalid, 'Listener is not valid or is in conflict'),
  );
  return listener.status;
}
