// ListenerSet (Gateway API v1.5+, GEP-1713): listeners a ListenerSet adds to its parent Gateway when the
// Gateway's `allowedListeners` admits the set's namespace (default: none). Its listeners join the
// Gateway's list after the Gateway's own, oldest set first (creation time, then namespace/name), and a
// listener that conflicts with an earlier one (same port, other protocol; or same hostname) is the one
// Conflicted, so a ListenerSet can never take a port or hostname away from the Gateway. Routes reach them
// through parentRefs of kind ListenerSet (+ sectionName = the listener's name in its set); a route whose
// parent is the Gateway does not attach to them. Each set gets its own status, per listener too.
import type { GatewayResource } from '../provider/resource-types.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import { finishListenerStatus, socketKey, validateListener, type GatewayContext, type ListenerContext, type ListenerSetOwner, type ListenerSpec } from './gateways.js';
import { describeSelectorProblem, namespaceLabels, selectorMatches, type LabelSelector } from './namespaces.js';
import { GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import type { Condition, ParentReference, StatusMap } from './status-types.js';

const ListenerSetReasons = {
  notAllowed: 'NotAllowed',
  parentNotAccepted: 'ParentNotAccepted',
  listenersNotValid: 'ListenersNotValid',
} as const;

interface ListenerSetSpec {
  parentRef?: { group?: string; kind?: string; name?: string; namespace?: string };
  listeners?: ListenerSpec[];
}

interface AllowedListeners {
  namespaces?: { from?: 'All' | 'Same' | 'Selector' | 'None'; selector?: LabelSelector };
}

/** An attached ListenerSet and the listener contexts it added to its Gateway. */
interface AttachedSet {
  resource: GatewayResource;
  gateway: GatewayContext;
  listeners: ListenerContext[];
}

/**
 * Adds every allowed ListenerSet's listeners to its Gateway (after markConflicts ran on the Gateway's own),
 * records the status of the ones refused, and returns the attached ones for recordListenerSetStatuses.
 */
export function attachListenerSets(index: ResourceIndex, gateways: readonly GatewayContext[], statuses: StatusMap): AttachedSet[] {
  const byKey = new Map(gateways.map((g) => [g.key, g]));
  const attached: AttachedSet[] = [];
  for (const set of index.list('ListenerSet')) {
    const { namespace, name } = set.metadata;
    const key = `ListenerSet/${namespace}/${name}`;
    const refuse = (reason: string, message: string) =>
      statuses.set(key, { kind: 'ListenerSet', conditions: [conditionFalse('Accepted', reason, message), conditionFalse('Programmed', reason, message)], listeners: [] });
    if (set.issues?.length) {
      refuse(Reasons.invalid, describeIssues(set.issues));
      continue;
    }
    const spec = (set.spec ?? {}) as ListenerSetSpec;
    const parent = spec.parentRef ?? {};
    const parentNamespace = parent.namespace ?? namespace;
    if ((parent.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (parent.kind ?? 'Gateway') !== 'Gateway') {
      refuse(Reasons.invalid, `parentRef ${parent.group ?? GATEWAY_GROUP}/${parent.kind ?? 'Gateway'} is not supported; a ListenerSet's parent is a Gateway`);
      continue;
    }
    const gateway = byKey.get(`${parentNamespace}/${parent.name ?? ''}`);
    if (!gateway) {
      // A Gateway of another controller is not ours to report on; one we refused, or none at all, is said.
      const gatewayKey = `Gateway/${parentNamespace}/${parent.name ?? ''}`;
      if (index.get('Gateway', parentNamespace, parent.name ?? '') && !statuses.has(gatewayKey)) continue;
      const why = statuses.has(gatewayKey) ? 'is not accepted' : 'is not found';
      refuse(ListenerSetReasons.parentNotAccepted, `Parent Gateway ${parentNamespace}/${parent.name ?? ''} ${why}`);
      continue;
    }
    const allowed = allowsListenerSet(gateway, namespace, index);
    gateway.attachedListenerSets ??= 0;
    if (!allowed) {
      refuse(ListenerSetReasons.notAllowed, `ListenerSet attachment from namespace ${namespace} is not allowed by Gateway ${gateway.key} (spec.allowedListeners)`);
      continue;
    }
    const listeners: ListenerContext[] = [];
    const specs = (spec.listeners ?? []).filter((entry, i, all) => all.findIndex((other) => other.name === entry.name) === i);
    for (const entry of specs) {
      const listener = validateListener(entry, gateway, index, { kind: 'ListenerSet', namespace });
      const owner: ListenerSetOwner = { namespace, name, entryName: entry.name };
      // Names are unique in a set only: the Gateway-wide name carries the set (no Gateway listener has a "/").
      listener.name = `${namespace}/${name}/${entry.name}`;
      listener.listenerSet = owner;
      markConflictWithEarlier(listener, gateway.listeners);
      gateway.listeners.push(listener);
      listeners.push(listener);
    }
    attached.push({ resource: set, gateway, listeners });
  }
  return attached;
}

/** The Gateway's `spec.allowedListeners.namespaces`: None (the default), Same, All or a namespace Selector. */
function allowsListenerSet(gateway: GatewayContext, namespace: string, index: ResourceIndex): boolean {
  const allowed = (gateway.resource.spec as { allowedListeners?: AllowedListeners } | undefined)?.allowedListeners?.namespaces;
  switch (allowed?.from ?? 'None') {
    case 'All':
      return true;
    case 'Same':
      return namespace === gateway.namespace;
    case 'Selector':
      return allowed?.selector !== undefined && describeSelectorProblem(allowed.selector) === undefined && selectorMatches(allowed.selector, namespaceLabels(index, namespace));
    default:
      return false;
  }
}

/** Precedence: the Gateway's listeners, then older sets: a set's listener loses any port or hostname clash with them. */
function markConflictWithEarlier(listener: ListenerContext, earlier: readonly ListenerContext[]): void {
  if (isRefused(listener)) return;
  let conflict: { reason: string; message: string } | undefined;
  for (const other of earlier) {
    if (socketKey(other) !== socketKey(listener) || isRefused(other) || !other.attachable) continue;
    if (other.protocol !== listener.protocol) {
      conflict = { reason: Reasons.protocolConflict, message: `Port ${listener.port} is already used with protocol ${other.protocol} by an earlier listener` };
      break;
    }
    if ((other.hostname ?? '') === (listener.hostname ?? '')) {
      conflict = { reason: Reasons.hostnameConflict, message: `An earlier listener on port ${listener.port} has the same hostname "${listener.hostname ?? ''}"` };
      break;
    }
  }
  if (conflict) {
    listener.ready = false;
    listener.attachable = false;
    // The conformance suite (ListenerSetHostnameConflict) wants the losing set listener not Accepted, for the clash's reason.
    listener.status.conditions = listener.status.conditions.filter((c) => c.type !== 'Accepted');
    listener.status.conditions.unshift(conditionFalse('Accepted', conflict.reason, conflict.message));
    listener.status.conditions.push(conditionTrue('Conflicted', conflict.reason, conflict.message));
  } else listener.status.conditions.push(conditionFalse('Conflicted', Reasons.noConflicts, 'No conflicts'));
}

function isRefused(listener: ListenerContext): boolean {
  return listener.status.conditions.some((c) => c.type === 'Accepted' && c.status === 'False');
}

/** Each attached set's status once routes are counted, and the Gateways' attachedListenerSets. */
export function recordListenerSetStatuses(sets: readonly AttachedSet[], statuses: StatusMap): void {
  for (const { resource, gateway, listeners } of sets) {
    // A listener is valid when accepted, not conflicted and its references resolve (ListenerSetReferenceGrant:
    // a set whose only listener may not use its certificate is not Accepted).
    const accepted = listeners.map((l) => !isRefused(l) && l.attachable && !l.status.conditions.some((c) => c.type === 'ResolvedRefs' && c.status === 'False'));
    const programmed = listeners.map((l) => l.ready);
    const conditions: Condition[] = [];
    if (accepted.every(Boolean)) conditions.push(conditionTrue('Accepted', Reasons.accepted, 'All listeners are accepted'));
    else if (accepted.some(Boolean)) conditions.push(conditionTrue('Accepted', ListenerSetReasons.listenersNotValid, 'Some listeners are invalid'));
    else conditions.push(conditionFalse('Accepted', ListenerSetReasons.listenersNotValid, 'No listener is accepted'));
    if (programmed.every(Boolean)) conditions.push(conditionTrue('Programmed', Reasons.programmed, 'All listeners are programmed'));
    else if (programmed.some(Boolean)) conditions.push(conditionTrue('Programmed', Reasons.programmed, 'Some listeners are not programmed'));
    else conditions.push(conditionFalse('Programmed', ListenerSetReasons.listenersNotValid, 'No listener is programmed'));
    if (conditions[0]!.status === 'True') gateway.attachedListenerSets = (gateway.attachedListenerSets ?? 0) + 1;
    statuses.set(`ListenerSet/${resource.metadata.namespace}/${resource.metadata.name}`, { kind: 'ListenerSet', conditions, listeners: listeners.map(finishSetListenerStatus) });
  }
}

/** A set listener's status; one that lost a clash is not Programmed for the clash's reason (HostnameConflict, ProtocolConflict). */
function finishSetListenerStatus(listener: ListenerContext) {
  const status = finishListenerStatus(listener);
  const conflicted = status.conditions.find((c) => c.type === 'Conflicted' && c.status === 'True');
  const programmed = status.conditions.find((c) => c.type === 'Programmed');
  if (conflicted && programmed?.status === 'False') programmed.reason = conflicted.reason;
  return status;
}

export type RouteParent = { gateway: GatewayContext; listenerSet?: Pick<ListenerSetOwner, 'namespace' | 'name'> } | { foreign: true } | { missing: string };

/** A route's parentRef: a Gateway of ours, a ListenerSet attached to one, another controller's (skip), or missing. */
export function resolveRouteParent(reported: ParentReference, byKey: ReadonlyMap<string, GatewayContext>, index: ResourceIndex, statuses: StatusMap): RouteParent {
  const namespace = reported.namespace!;
  if (reported.group === GATEWAY_GROUP && reported.kind === 'ListenerSet') {
    for (const gateway of byKey.values()) {
      if (gateway.listeners.some((l) => l.listenerSet?.namespace === namespace && l.listenerSet.name === reported.name)) {
        return { gateway, listenerSet: { namespace, name: reported.name } };
      }
    }
    if (index.get('ListenerSet', namespace, reported.name) && !statuses.has(`ListenerSet/${namespace}/${reported.name}`)) return { foreign: true };
    return { missing: `ListenerSet ${namespace}/${reported.name} is not found or not attached to a Gateway` };
  }
  const gateway = reported.group === GATEWAY_GROUP && reported.kind === 'Gateway' ? byKey.get(`${namespace}/${reported.name}`) : undefined;
  if (gateway) return { gateway };
  if (index.get('Gateway', namespace, reported.name) && reported.kind === 'Gateway') return { foreign: true };
  return { missing: `Gateway ${namespace}/${reported.name} is not found` };
}

/**
 * Policies on a ListenerSet (Envoy Gateway's SecurityPolicy, BackendTrafficPolicy, ClientTrafficPolicy):
 * the whole set is "listenerset:<gw>/<ns>/<set>", looked up after the listener's own key and before the
 * Gateway's, so they cover the set's listeners and never the Gateway's. A set's listener is "<ns>/<set>/<entry>".
 */
export function listenerSetKeyOf(gatewayKey: string, listenerName: string): string | undefined {
  const parts = listenerName.split('/');
  return parts.length === 3 ? `listenerset:${gatewayKey}/${parts[0]}/${parts[1]}` : undefined;
}

/** A policy's targetRef of kind ListenerSet (+ sectionName: one of its listeners): its key and the ancestor it reports. */
export function listenerSetTarget(
  target: { name: string; sectionName?: string },
  namespace: string,
  gatewayKeys: ReadonlyMap<string, ReadonlySet<string>>,
): { key: string; ancestor: ParentReference } | undefined {
  const prefix = `${namespace}/${target.name}/`;
  for (const [gatewayKey, listeners] of gatewayKeys) {
    if (![...listeners].some((name) => name.startsWith(prefix))) continue;
    if (target.sectionName && !listeners.has(`${prefix}${target.sectionName}`)) return undefined;
    const ancestor: ParentReference = { group: GATEWAY_GROUP, kind: 'ListenerSet', namespace, name: target.name, ...(target.sectionName ? { sectionName: target.sectionName } : {}) };
    return { key: target.sectionName ? `listener:${gatewayKey}/${prefix}${target.sectionName}` : `listenerset:${gatewayKey}/${namespace}/${target.name}`, ancestor };
  }
  return undefined;
}
