// spec.authorization -> AuthorizationSpec: rules (first match decides) over client CIDRs, client geo
// locations, headers, JWT claims and scopes, methods and paths; the default action is Deny unless it says Allow.
import { compileCel } from '@gatehouse/cel';
import { parseCidr } from '../decide/cidr.js';
import { compileGeoLocations } from './compile-geo-locations.js';
import { arr, asObj, headerName, optional, str, type CompileContext, type Obj } from './fields.js';
import type { AuthorizationRule, AuthorizationSpec, JwtSpec } from './policy-model.js';

export function compileAuthorization(a: Obj, jwt: JwtSpec | undefined, ctx: CompileContext): AuthorizationSpec {
  const defaultAction = a.defaultAction === 'Allow' ? 'Allow' : 'Deny';
  const rules = arr(a.rules).map((raw, index) => compileRule(asObj(raw), `/spec/authorization/rules/${index}`, index, jwt, ctx));
  return { defaultAction, rules };
}

function compileRule(r: Obj, path: string, index: number, jwt: JwtSpec | undefined, ctx: CompileContext): AuthorizationRule {
  const principal = asObj(r.principal);
  const operation = asObj(r.operation);
  const clientCidrs = arr(principal.clientCIDRs).flatMap((text, i) => {
    const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
    if (!cidr) ctx.issue(`${path}/principal/clientCIDRs/${i}`, `"${String(text)}" is not a CIDR`);
    return cidr ? [cidr] : [];
  });
  const geoLocations = compileGeoLocations(principal.clientIPGeoLocations, `${path}/principal/clientIPGeoLocations`, ctx);
  const headers = arr(principal.headers).map((h, i) => ({
    name: headerName(asObj(h).name, `${path}/principal/headers/${i}/name`, ctx),
    values: arr(asObj(h).values).filter((v): v is string => typeof v === 'string'),
  }));
  const jwtMatch = principal.jwt === undefined ? undefined : compileJwtPrincipal(asObj(principal.jwt), `${path}/principal/jwt`, jwt, ctx);
  const methods = arr(operation.methods).filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase());
  const pathMatch = operation.path === undefined ? undefined : compilePathMatch(asObj(operation.path), `${path}/operation/path`, ctx);
  const cel = r.cel === undefined ? undefined : compileRuleCel(r.cel, `${path}/cel`, ctx);
  return {
    name: str(r.name) ?? `rule-${index}`,
    action: r.action === 'Allow' ? 'Allow' : 'Deny',
    clientCidrs,
    geoLocations,
    headers,
    ...(jwtMatch && { jwt: jwtMatch }),
    methods,
    ...(pathMatch && { path: pathMatch }),
    ...(cel && { cel }),
  };
}

function compileRuleCel(expression: unknown, path: string, ctx: CompileContext): AuthorizationRule['cel'] {
  const compiled = compileCel(String(expression));
  if (compiled.ok) return compiled.program;
  ctx.issue(path, `CEL expression does not compile: ${compiled.message}`);
  return undefined;
}

/** A rule's JWT principal must name a provider of this policy's spec.jwt. */
function compileJwtPrincipal(j: Obj, path: string, jwt: JwtSpec | undefined, ctx: CompileContext): AuthorizationRule['jwt'] {
  const provider = str(j.provider) ?? '';
  if (!jwt?.providers.some((p) => p.name === provider)) ctx.issue(`${path}/provider`, `no jwt provider named "${provider}"`);
  return {
    provider,
    claims: arr(j.claims).map((c) => {
      const claim = asObj(c);
      return {
        name: str(claim.name) ?? '',
        valueType: claim.valueType === 'StringArray' ? 'StringArray' : 'String',
        values: arr(claim.values).filter((v): v is string => typeof v === 'string'),
      } as const;
    }),
    scopes: arr(j.scopes).filter((s): s is string => typeof s === 'string'),
  };
}

function compilePathMatch(p: Obj, path: string, ctx: CompileContext): AuthorizationRule['path'] {
  const type = p.type === 'Exact' || p.type === 'RegularExpression' ? p.type : 'PathPrefix';
  const value = str(p.value) ?? '';
  let regex: RegExp | undefined;
  if (type === 'RegularExpression') {
    try {
      regex = new RegExp(`^(?:${value})$`, 'u');
    } catch {
      ctx.issue(`${path}/value`, 'is not a valid regular expression');
    }
  }
  return { type, value, invert: p.invert === true, ...optional('regex', regex) };
}
