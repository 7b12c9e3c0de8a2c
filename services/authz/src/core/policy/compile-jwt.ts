// spec.jwt -> JwtSpec: providers bound to one issuer (and, when listed, audiences: none listed checks no
// `aud`, as Envoy Gateway and Envoy's jwt_authn do), each with a remote
// (https) or local JWKS of public keys only, claim-to-header mappings and where the token is found.
import type { JSONWebKeySet, JWK } from 'jose';
import { ErrorCodes } from '../../errors.js';
import { arr, asObj, compileExtractFrom, defaultBearer, durationField, identityHeaderName, isAllowedFetchUrl, str, type CompileContext, type Obj } from './fields.js';
import { compileBackendRetry } from './compile-retry.js';
import type { BackendConnect, JwtProviderSpec, JwtSpec, WeightedBackend } from './policy-model.js';

const DEFAULT_JWKS_CACHE_MS = 300_000;
const DEFAULT_JWKS_REFETCH_COOLDOWN_MS = 10_000;

export function compileJwt(jwt: Obj, ctx: CompileContext): JwtSpec {
  const providers: JwtProviderSpec[] = [];
  const names = new Set<string>();
  arr(jwt.providers).forEach((raw, index) => {
    const path = `/spec/jwt/providers/${index}`;
    const p = asObj(raw);
    const name = str(p.name) ?? '';
    if (!name) ctx.issue(`${path}/name`, 'is required');
    if (names.has(name)) ctx.issue(`${path}/name`, `duplicate provider name "${name}"`);
    names.add(name);
    const issuer = str(p.issuer);
    if (!issuer) ctx.issue(`${path}/issuer`, 'is required: tokens must be bound to one issuer');
    const audiences = arr(p.audiences).filter((a): a is string => typeof a === 'string' && a !== '');
    const jwks = compileJwksSource(p, path, ctx);
    const claimToHeaders = arr(p.claimToHeaders).map((m, i) => {
      const header = identityHeaderName(asObj(m).header, `${path}/claimToHeaders/${i}/header`, ctx);
      return { claim: str(asObj(m).claim) ?? '', header };
    });
    const extractFrom = p.extractFrom === undefined ? defaultBearer() : compileExtractFrom(asObj(p.extractFrom), `${path}/extractFrom`, ctx);
    if (jwks && issuer) {
      providers.push({ id: `${ctx.key}/${name}`, name, issuer, audiences, jwks, claimToHeaders, extractFrom });
    }
  });
  if (arr(jwt.providers).length === 0) ctx.issue('/spec/jwt/providers', 'needs at least one provider');
  return { providers, optional: jwt.optional === true, failOpen: jwt.failOpen === true };
}

function compileJwksSource(p: Obj, path: string, ctx: CompileContext): JwtProviderSpec['jwks'] | undefined {
  if (p.remoteJWKS !== undefined && p.localJWKS !== undefined) return void ctx.issue(path, 'remoteJWKS and localJWKS cannot both be specified');
  if (p.remoteJWKS !== undefined) {
    const remote = asObj(p.remoteJWKS);
    const uri = str(remote.uri) ?? '';
    if (!isAllowedFetchUrl(uri)) return void ctx.issue(`${path}/remoteJWKS/uri`, 'must be an https URL (http only for loopback hosts)');
    const cacheDurationMs = durationField(remote.cacheDuration, `${path}/remoteJWKS/cacheDuration`, DEFAULT_JWKS_CACHE_MS, ctx);
    const failedRefetchMs = durationField(remote.failedRefetchDuration, `${path}/remoteJWKS/failedRefetchDuration`, DEFAULT_JWKS_REFETCH_COOLDOWN_MS, ctx);
    const backends = backendPool(remote, `${path}/remoteJWKS`, ctx);
    const retry = compileBackendRetry(remote, `${path}/remoteJWKS`, ctx);
    return { kind: 'remote', uri, cacheDurationMs, failedRefetchMs, ...(backends && { backends }), ...(retry && { retry }) };
  }
  if (p.localJWKS !== undefined) {
    const local = asObj(p.localJWKS);
    let text: string | undefined;
    if (local.type === 'ValueRef') {
      const ref = asObj(local.valueRef);
      const data = ctx.lookup('ConfigMap', ctx.namespace, str(ref.name) ?? '');
      // Key "jwks", else the ConfigMap's only value, as Envoy Gateway reads it.
      const values = Object.values(data ?? {});
      text = (data?.jwks ?? (values.length === 1 ? values[0] : undefined))?.toString('utf8');
      if (text === undefined) return void ctx.issue(`${path}/localJWKS/valueRef`, `ConfigMap ${ctx.namespace}/${str(ref.name)} with key "jwks" (or a single value) not found`, ErrorCodes.configMissingSecret);
    } else {
      text = str(local.inline);
    }
    const jwks = parseJwks(text ?? '', `${path}/localJWKS`, ctx);
    return jwks && { kind: 'local', jwks };
  }
  return void ctx.issue(path, 'either remoteJWKS or localJWKS must be specified');
}

/** Only asymmetric public keys: a shared secret in a JWKS is what makes HS/RS confusion possible. */
export function checkPublicJwk(jwk: JWK): string | undefined {
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') return `key type "${String(jwk.kty)}" is not allowed (only RSA, EC, OKP public keys)`;
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) return 'contains private key material';
  if (jwk.alg !== undefined && /^(HS|none)/i.test(jwk.alg)) return `alg "${jwk.alg}" is not allowed`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `use "${jwk.use}" is not "sig"`;
  return undefined;
}

function parseJwks(text: string, path: string, ctx: CompileContext): JSONWebKeySet | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return void ctx.issue(path, 'is not valid JSON');
  }
  const keys = asObj(parsed).keys;
  if (!Array.isArray(keys) || keys.length === 0) return void ctx.issue(path, 'must be a JWKS with a non-empty "keys" array');
  let ok = true;
  keys.forEach((k, i) => {
    const problem = checkPublicJwk(asObj(k) as JWK);
    if (problem) {
      ok = false;
      ctx.issue(`${path}/keys/${i}`, problem);
    }
  });
  return ok ? (parsed as JSONWebKeySet) : undefined;
}

/**
 * remoteJWKS backendRefs (or the deprecated backendRef): every one's Backend address, weight (default 1)
 * and fallback, which xds publishes (and files declare as a Backend document) under
 * "Backend:<namespace>/<name>" with key "address" (key "tls": its BackendTLSPolicy).
 */
export function backendPool(holder: Obj, path: string, ctx: CompileContext): WeightedBackend[] | undefined {
  const list = holder.backendRefs !== undefined;
  const refs = list ? arr(holder.backendRefs) : holder.backendRef !== undefined ? [holder.backendRef] : [];
  if (refs.length === 0) return undefined;
  const backends: WeightedBackend[] = [];
  refs.forEach((raw, i) => {
    const ref = asObj(raw);
    const at = list ? `${path}/backendRefs/${i}` : `${path}/backendRef`;
    const connect = backendConnect(ref, at, ctx);
    const weight = ref.weight === undefined ? 1 : ref.weight;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) return void ctx.issue(`${at}/weight`, 'must be an integer, 0 or more');
    if (connect) backends.push({ ...connect, weight, fallback: ref.fallback === true });
  });
  if (backends.length !== refs.length) return undefined;
  if (backends.every((b) => b.weight === 0)) return void ctx.issue(list ? `${path}/backendRefs` : `${path}/backendRef`, 'every backendRef has weight 0: there is no backend to fetch from');
  return backends;
}

function backendConnect(ref: Obj, at: string, ctx: CompileContext): BackendConnect | undefined {
  if ((str(ref.kind) ?? 'Service') !== 'Backend') return void ctx.issue(at, 'only a Backend (gateway.envoyproxy.io) can be reached by the authz service');
  const namespace = str(ref.namespace) ?? ctx.namespace;
  if (namespace !== ctx.namespace) return void ctx.issue(`${at}/namespace`, "authz reads Backends of the policy's namespace only");
  const address = ctx.lookup('Backend', namespace, str(ref.name) ?? '')?.address?.toString('utf8');
  const match = address ? /^(.+):(\d{1,5})$/.exec(address) : null;
  if (!match) return void ctx.issue(at, `Backend ${namespace}/${String(ref.name)} is not known or has no endpoint`);
  const connect = { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
  // Key "tlsProblem": a BackendTLSPolicy in the config folder targets it that authz cannot apply.
  const tlsProblem = ctx.lookup('Backend', namespace, str(ref.name) ?? '')?.tlsProblem?.toString('utf8');
  if (tlsProblem !== undefined) return void ctx.issue(at, `Backend ${namespace}/${String(ref.name)}: ${tlsProblem}`);
  // Key "tls": the Backend's BackendTLSPolicy (SNI, SANs, CA); one that does not parse is refused, never ignored.
  const tlsRaw = ctx.lookup('Backend', namespace, str(ref.name) ?? '')?.tls?.toString('utf8');
  if (tlsRaw === undefined) return connect;
  const tls = parseBackendTls(tlsRaw);
  if (!tls) return void ctx.issue(at, `Backend ${namespace}/${String(ref.name)}: its BackendTLSPolicy settings do not parse`);
  return { ...connect, tls };
}

function parseBackendTls(raw: string): BackendConnect['tls'] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const o = asObj(value);
  const sans = arr(o.subjectAltNames).map(asObj).map((san) => ({ type: san.type, value: san.value }));
  const sni = str(o.sni);
  const ca = o.ca === undefined ? undefined : str(o.ca);
  if (!sni || (o.ca !== undefined && !ca) || sans.length === 0) return undefined;
  if (!sans.every((san): san is { type: 'DNS' | 'URI'; value: string } => (san.type === 'DNS' || san.type === 'URI') && typeof san.value === 'string' && san.value !== '')) return undefined;
  return { sni, subjectAltNames: sans, ...(ca !== undefined && { ca }) };
}
