// Authorization rules: the first rule whose every condition matches decides; otherwise the default action.
// A rule whose clientIPGeoLocations cannot be decided (its answer depends on a database this service has
// not loaded) denies the request: skipping it could let a later rule or an Allow default through what
// it was written to stop, and matching it could allow what it was written to allow only from somewhere.
import type { RequestAttributes } from '@gatehouse/cel';
import { celAttributes } from './cel-attributes.js';
import { cidrContains } from './cidr.js';
import { databasesNeeded, matchGeoLocations, missingDatabases, NO_GEO, type GeoDatabase, type GeoLookup, type GeoRecord } from './geo.js';
import { readClaim, readScopes } from '../authenticate/claims.js';
import { normalizePath } from './normalize-path.js';
import type { AuthorizationRule, AuthorizationSpec } from '../policy/policy-model.js';
import type { RequestView } from './request-view.js';

export interface VerifiedJwt {
  readonly provider: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface AuthorizationVerdict {
  readonly action: 'Allow' | 'Deny';
  /** The rule that decided, or undefined for the default action. */
  readonly rule?: string;
  /** Set when `rule` could not be decided for want of these geo databases; the action is then Deny. */
  readonly missingGeoDatabases?: readonly GeoDatabase[];
}

export function evaluateAuthorization(spec: AuthorizationSpec, request: RequestView, jwt: VerifiedJwt | undefined, geo: GeoLookup = NO_GEO): AuthorizationVerdict {
  const path = normalizePath(request.path);
  // Built once, and only when a rule with a CEL expression (or a geo condition) gets that far.
  let attributes: RequestAttributes | undefined;
  const cel = (rule: AuthorizationRule): boolean => rule.cel!.matches((attributes ??= celAttributes(request, jwt)));
  let record: GeoRecord | undefined;
  const geoRecord = (): GeoRecord => (record ??= geo.lookup(request.clientIp));
  for (const rule of spec.rules) {
    if (!ruleMatches(rule, request, path, jwt)) continue;
    const located = rule.geoLocations.length === 0 || matchGeoLocations(rule.geoLocations, geoRecord, geo.available);
    if (located === false || (rule.cel && !cel(rule))) continue;
    if (located === 'unknown') {
      const missing = missingDatabases(databasesNeeded([rule]), geo.available);
      return { action: 'Deny', rule: rule.name, missingGeoDatabases: missing };
    }
    return { action: rule.action, rule: rule.name };
  }
  return { action: spec.defaultAction };
}

function ruleMatches(rule: AuthorizationRule, request: RequestView, path: string, jwt: VerifiedJwt | undefined): boolean {
  if (rule.clientCidrs.length > 0 && !rule.clientCidrs.some((cidr) => cidrContains(cidr, request.clientIp))) return false;
  for (const header of rule.headers) {
    const value = request.headers[header.name];
    if (value === undefined || (header.values.length > 0 && !header.values.includes(value))) return false;
  }
  if (rule.methods.length > 0 && !rule.methods.includes(request.method)) return false;
  if (rule.path && pathMatches(rule.path, path) === rule.path.invert) return false;
  if (rule.jwt) {
    if (!jwt || jwt.provider !== rule.jwt.provider) return false;
    for (const claim of rule.jwt.claims) {
      const value = readClaim(jwt.claims, claim.name);
      const matched =
        claim.valueType === 'StringArray'
          ? Array.isArray(value) && value.some((v) => typeof v === 'string' && claim.values.includes(v))
          : typeof value === 'string' && claim.values.includes(value);
      if (!matched) return false;
    }
    const scopes = readScopes(jwt.claims);
    if (!rule.jwt.scopes.every((scope) => scopes.has(scope))) return false;
  }
  return true;
}

function pathMatches(match: NonNullable<AuthorizationRule['path']>, path: string): boolean {
  switch (match.type) {
    case 'Exact':
      return path === match.value;
    case 'PathPrefix': {
      // Segment-wise, as Gateway API defines it: "/api" matches "/api" and "/api/x", not "/apix".
      const prefix = match.value.endsWith('/') ? match.value.slice(0, -1) : match.value;
      return path === prefix || path.startsWith(`${prefix}/`) || prefix === '';
    }
    case 'RegularExpression':
      return match.regex?.test(path) ?? false;
  }
}
