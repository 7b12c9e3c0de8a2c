// Words for what the gateway does: a policy as badges ("JWT from https://idp…, sub → x-user-id",
// "5 requests/minute per x-user-id"), a route match, a time left. Pure, so the wording is unit-tested.
import type { PolicyView, RateLimitPolicyView, RateLimitSelector, RouteMatchView, SecurityPolicyView, StringMatch } from './model.js';

export interface Badge {
  /** Short words shown on the badge. */
  text: string;
  /** What kind of thing it is, for its colour: auth, limit, cors. */
  tone: 'auth' | 'limit' | 'cors' | 'deny';
  /** The policy it comes from, "<Kind> <namespace>/<name>", shown on hover. */
  source: string;
}

export function describePolicies(policies: readonly PolicyView[]): Badge[] {
  return policies.flatMap((p) => (p.kind === 'SecurityPolicy' ? securityBadges(p) : rateLimitBadges(p)));
}

function securityBadges(policy: SecurityPolicyView): Badge[] {
  const source = `SecurityPolicy ${policy.name}`;
  const badges: Badge[] = [];
  for (const provider of policy.jwt ?? []) {
    const from = provider.issuer ?? provider.jwksUri ?? 'a local key set';
    const claims = (provider.claimToHeaders ?? []).map((c) => `${c.claim} → ${c.header}`);
    badges.push({ text: [`JWT from ${from}`, ...claims].join(', '), tone: 'auth', source });
  }
  if (policy.oidc) badges.push({ text: `OIDC login${policy.oidc.issuer ? ` with ${policy.oidc.issuer}` : ''}`, tone: 'auth', source });
  if (policy.apiKeyAuth) badges.push({ text: `API key${policy.apiKeyAuth.header ? ` in ${policy.apiKeyAuth.header}` : ''}`, tone: 'auth', source });
  if (policy.basicAuth) badges.push({ text: 'Basic auth', tone: 'auth', source });
  if (policy.cors) badges.push({ text: `CORS: ${policy.cors.allowOrigins.join(', ') || 'no origin'}`, tone: 'cors', source });
  if (policy.authorization) {
    const rules = policy.authorization.rules === 1 ? '1 rule' : `${policy.authorization.rules} rules`;
    badges.push({ text: `Authorization: ${rules}, otherwise ${(policy.authorization.defaultAction ?? 'Deny').toLowerCase()}`, tone: 'auth', source });
  }
  // A policy that says nothing we can word still guards the route: say so rather than show nothing.
  if (badges.length === 0) badges.push({ text: 'Security policy (no valid version: requests fail closed)', tone: 'deny', source });
  return badges;
}

function rateLimitBadges(policy: RateLimitPolicyView): Badge[] {
  const source = `BackendTrafficPolicy ${policy.name}`;
  return policy.rules.map((rule) => {
    const per = [...rule.selectors.map(describeSelector), ...(rule.cidr ? [rule.cidr.distinct ? `client IP in ${rule.cidr.cidr}` : `clients in ${rule.cidr.cidr} together`] : [])];
    const plural = rule.requests === 1 ? 'request' : 'requests';
    const scope = per.length > 0 ? ` ${per.join(', ')}` : policy.shared ? ' shared by all routes' : '';
    return { text: `${rule.requests} ${plural}/${rule.unit}${scope}`, tone: 'limit', source };
  });
}

function describeSelector(selector: RateLimitSelector): string {
  const not = selector.invert ? 'not ' : '';
  switch (selector.kind) {
    case 'header':
      if (selector.distinct) return `per ${selector.name}`;
      return `when ${selector.name} ${not}${selector.match ? describeMatch(selector.match) : 'is present'}`;
    case 'method':
      return `when method ${not}${selector.methods.join('/')}`;
    case 'path':
      return `when path ${not}${describeMatch(selector.match)}`;
    case 'query':
      return `when ?${selector.name} ${not}${describeMatch(selector.match)}`;
  }
}

export function describeMatch(match: StringMatch): string {
  switch (match.type) {
    case 'Exact':
      return `= ${match.value}`;
    case 'Prefix':
      return `starts with ${match.value}`;
    case 'RegularExpression':
      return `~ /${match.value}/`;
  }
}

/** "GET /api/* header x-env = prod", the way one reads a route. */
export function describeRouteMatch(match: RouteMatchView): string {
  const path = match.path.type === 'Prefix' ? (match.path.value === '/' ? '/*' : `${match.path.value.replace(/\/$/, '')}/*`) : match.path.type === 'Exact' ? match.path.value : `~ /${match.path.value}/`;
  const parts = [match.method ? `${match.method} ${path}` : path];
  for (const h of match.headers) parts.push(`header ${h.name} ${h.invert ? 'not ' : ''}${describeMatch(h.match)}`);
  for (const q of match.queryParams) parts.push(`?${q.name} ${q.invert ? 'not ' : ''}${describeMatch(q.match)}`);
  return parts.join(' ');
}

/** "in 12 days", "3 hours ago": how far `iso` is from `now`. */
export function describeTimeFrom(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const units: Array<[string, number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
  ];
  const [unit, size] = units.find(([, size]) => abs >= size) ?? ['second', 1000];
  const n = Math.floor(abs / size);
  const words = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ms >= 0 ? `in ${words}` : `${words} ago`;
}

/**
 * A ratelimit rule label (the config path "<domain>.<route descriptor>_….rule-<r>-match-<m>") as the route
 * rule it limits: "default/api rule 0, limit 1". Labels of another shape are shown as they are.
 */
export function describeRateLimitRule(rule: string): string {
  const route = /(?:httproute|grpcroute)\/([^/]+)\/([^/]+)\/rule\/(\d+)/.exec(rule);
  if (!route) return rule;
  const limit = /\.rule-(\d+)-match-\d+$/.exec(rule);
  return `${route[1]}/${route[2]} rule ${route[3]}${limit ? `, limit ${Number(limit[1]) + 1}` : ''}`;
}
