// SecurityPolicy on TCP connections, as Envoy Gateway v1.9 applies it: only `authorization` on client
// CIDRs means anything to a connection. A policy on a TCPRoute (or one of its rules) that sets any
// other section, or a rule condition a connection does not carry, is Invalid naming the field; a
// policy on a listener, ListenerSet or Gateway reaches its TCP and TLS chains with its authorization
// alone. The client address is the connection's peer (after a PROXY protocol header, when a
// ClientTrafficPolicy asks for one): X-Forwarded-For and custom headers do not exist on L4.
import type { L4RbacIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import { listenerSetKeyOf } from './listener-sets.js';
import type { ResourceIndex } from './resource-index.js';
import type { SecurityClaim } from './security-merge.js';
import { objectsOf } from './shape.js';

/** Sections of a SecurityPolicy with no meaning for a connection. */
const HTTP_SECTIONS = ['cors', 'csrf', 'jwt', 'oidc', 'apiKeyAuth', 'basicAuth', 'extAuth', 'mergeType'] as const;

interface AuthorizationRule {
  name?: string;
  action?: string;
  operation?: unknown;
  cel?: unknown;
  principal?: { clientCIDRs?: unknown; jwt?: unknown; headers?: unknown; clientIPGeoLocations?: unknown };
}

interface Authorization {
  defaultAction?: string;
  rules?: unknown;
}

/** Rule conditions a connection carries none of (HTTP requests only), as spec paths below a rule. */
function requestOnlyConditions(rule: AuthorizationRule): string[] {
  return [
    ...(rule.principal?.jwt !== undefined ? ['principal.jwt'] : []),
    ...(rule.principal?.headers !== undefined ? ['principal.headers'] : []),
    ...(rule.operation !== undefined ? ['operation'] : []),
    ...(rule.cel !== undefined ? ['cel'] : []),
  ];
}

/**
 * What makes a SecurityPolicy Invalid on a TCPRoute target (Envoy Gateway's messages, with the field
 * paths): HTTP sections, and rule conditions other than clientCIDRs (jwt and headers as Envoy Gateway
 * refuses them; operation, cel and clientIPGeoLocations too, which Envoy's network RBAC cannot match).
 */
export function tcpRouteProblems(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const sections = HTTP_SECTIONS.filter((section) => spec[section] !== undefined && spec[section] !== null).map((section) => `spec.${section}`);
  if (sections.length > 0) problems.push(`invalid SecurityPolicy for TCP route: only authorization is supported for TCP (routes/listeners): ${sections.join(', ')}`);
  const authorization = (spec.authorization ?? {}) as Authorization;
  for (const [i, rule] of objectsOf<AuthorizationRule>(authorization.rules).entries()) {
    const what = [...requestOnlyConditions(rule), ...(rule.principal?.clientIPGeoLocations !== undefined ? ['principal.clientIPGeoLocations'] : [])];
    for (const field of what) {
      const label = field === 'principal.jwt' ? 'JWT' : field === 'principal.headers' ? 'headers' : field.replace('principal.', '');
      problems.push(`invalid SecurityPolicy for TCP route: rule ${i}: ${label} not supported for TCP (spec.authorization.rules[${i}].${field})`);
    }
  }
  return problems;
}

/**
 * The network RBAC of a policy's authorization. On a TCPRoute target every rule is on clientCIDRs
 * (tcpRouteProblems refused the rest). A Gateway or listener policy may carry HTTP rules: a condition
 * on a request (jwt, headers, operation, cel) never holds for a connection, so that rule never matches;
 * a client location Envoy does not look up here makes an Allow rule never match and a Deny rule match on
 * its CIDRs alone (every client without any), so such a rule can only shut more connections, never open one.
 */
export function tcpAuthorization(policy: GatewayResource): L4RbacIR | undefined {
  const spec = (policy.spec ?? {}) as { authorization?: Authorization };
  if (!spec.authorization) return undefined;
  const policyName = `securitypolicy/${policy.metadata.namespace}/${policy.metadata.name}`;
  const rules: L4RbacIR['rules'] = [];
  for (const [i, rule] of objectsOf<AuthorizationRule>(spec.authorization.rules).entries()) {
    const action = rule.action === 'Allow' ? 'Allow' : 'Deny';
    if (requestOnlyConditions(rule).length > 0) continue;
    const geo = rule.principal?.clientIPGeoLocations !== undefined;
    if (geo && action === 'Allow') continue;
    let cidrs = (Array.isArray(rule.principal?.clientCIDRs) ? rule.principal.clientCIDRs : []).filter((c): c is string => typeof c === 'string');
    if (cidrs.length === 0 && geo) cidrs = ['0.0.0.0/0', '::/0'];
    if (cidrs.length === 0) continue;
    rules.push({ name: rule.name ?? `${policyName}/authorization/rule/${i}`, action, cidrs: cidrs.map(cidrRange) });
  }
  return { defaultAction: spec.authorization.defaultAction === 'Allow' ? 'Allow' : 'Deny', rules };
}

/** Every connection refused: a broken policy on the chain fails closed, as its HTTP routes answer 500. */
export const DENY_ALL: L4RbacIR = { defaultAction: 'Deny', rules: [] };

/**
 * The authorization on one TCP or TLS chain: the most specific policy (route rule, route, listener,
 * ListenerSet, Gateway) that has one, as Envoy Gateway fills a TCP route's authorization only where a
 * more specific policy left it unset. A broken policy there denies every connection.
 */
export function chainAuthorization(
  security: { get(target: string): { policy: string; value: SecurityClaim } | undefined },
  index: ResourceIndex,
  route: { kind: string; namespace: string; name: string; ruleName?: string },
  gatewayKey: string,
  listenerName: string,
): L4RbacIR | undefined {
  const routeKeys =
    route.kind === 'TCPRoute'
      ? [...(route.ruleName === undefined ? [] : [`rule:TCPRoute/${route.namespace}/${route.name}/${route.ruleName}`]), `route:TCPRoute/${route.namespace}/${route.name}`]
      : [];
  const listenerSet = listenerSetKeyOf(gatewayKey, listenerName);
  const keys = [...routeKeys, `listener:${gatewayKey}/${listenerName}`, ...(listenerSet ? [listenerSet] : []), `gateway:${gatewayKey}`];
  for (const key of keys) {
    const held = security.get(key);
    if (!held) continue;
    const [namespace, name] = held.policy.split('/') as [string, string];
    const policy = index.get('SecurityPolicy', namespace, name);
    const hasAuthorization = (policy?.spec as { authorization?: unknown } | undefined)?.authorization !== undefined;
    // A TCPRoute's own broken policy shuts it; a broken Gateway policy does so only when it meant to authorize.
    if (!held.value.valid && (hasAuthorization || routeKeys.includes(key))) return DENY_ALL;
    if (!held.value.valid || !policy) continue;
    const authorization = tcpAuthorization(policy);
    if (authorization) return authorization;
  }
  return undefined;
}

function cidrRange(cidr: string): { prefix: string; length: number } {
  const [prefix, length] = cidr.split('/') as [string, string];
  return { prefix, length: Number(length) };
}
