// SecurityPolicy (already schema-validated) -> CompiledPolicy. Every problem becomes a PolicyIssue with
// the JSON pointer of the offending field; a policy with any issue does not compile.
import { createHash } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { parseCidr } from './cidr.js';
import { parseDurationMs } from './duration.js';
import { ErrorCodes } from './error-codes.js';
import { parseHtpasswd } from './htpasswd.js';
import type {
  ApiKeySpec,
  AuthorizationRule,
  AuthorizationSpec,
  BasicAuthSpec,
  CompiledPolicy,
  ExtractFrom,
  HeaderMatch,
  JwtProviderSpec,
  JwtSpec,
  OidcSpec,
  PolicyIssue,
} from './policy-model.js';
import { findUnsupportedFields } from './supported-fields.js';

/** Secret or ConfigMap data by kind, namespace and name; undefined when absent. */
export type ResourceDataLookup = (kind: 'Secret' | 'ConfigMap', namespace: string, name: string) => Readonly<Record<string, Buffer>> | undefined;

export interface CompileOptions {
  readonly lookup: ResourceDataLookup;
}

export interface CompileResult {
  readonly policy?: CompiledPolicy;
  readonly issues: readonly PolicyIssue[];
}

type Obj = Record<string, unknown>;

const DEFAULT_JWKS_CACHE_MS = 300_000;
const DEFAULT_JWKS_REFETCH_COOLDOWN_MS = 10_000;
const MAX_STATIC_TTL_MS = 366 * 24 * 3_600_000;

export function compileSecurityPolicy(doc: unknown, options: CompileOptions): CompileResult {
  const issues: PolicyIssue[] = [];
  const issue = (path: string, message: string, code: string = ErrorCodes.configInvalid) => void issues.push({ path, message, code });
  const root = asObj(doc);
  const metadata = asObj(root.metadata);
  const name = str(metadata.name);
  const namespace = str(metadata.namespace) ?? 'default';
  if (root.kind !== 'SecurityPolicy') issue('/kind', 'expected kind SecurityPolicy');
  if (!name) issue('/metadata/name', 'is required');
  const key = `${namespace}/${name ?? ''}`;
  const spec = asObj(root.spec);
  for (const path of findUnsupportedFields(spec)) {
    issue(path, 'is not supported by the Gatehouse authz service', ErrorCodes.configUnsupportedField);
  }
  const ctx: Ctx = { issue, lookup: options.lookup, namespace, key };
  const jwt = spec.jwt === undefined ? undefined : compileJwt(asObj(spec.jwt), ctx);
  const oidc = spec.oidc === undefined ? undefined : compileOidc(asObj(spec.oidc), ctx);
  const apiKey = spec.apiKeyAuth === undefined ? undefined : compileApiKey(asObj(spec.apiKeyAuth), ctx);
  const basicAuth = spec.basicAuth === undefined ? undefined : compileBasicAuth(asObj(spec.basicAuth), ctx);
  const authorization = spec.authorization === undefined ? undefined : compileAuthorization(asObj(spec.authorization), jwt, ctx);
  if (['jwt', 'oidc', 'apiKeyAuth', 'basicAuth', 'authorization'].every((field) => spec[field] === undefined)) {
    issue('/spec', 'configures none of jwt, oidc, apiKeyAuth, basicAuth, authorization');
  }
  if (issues.length > 0) return { issues };

  const identityHeaders = new Set<string>();
  for (const provider of jwt?.providers ?? []) for (const mapping of provider.claimToHeaders) identityHeaders.add(mapping.header);
  if (apiKey?.forwardClientIdHeader) identityHeaders.add(apiKey.forwardClientIdHeader);
  if (basicAuth?.forwardUsernameHeader) identityHeaders.add(basicAuth.forwardUsernameHeader);
  if (oidc?.forwardIdTokenHeader) identityHeaders.add(oidc.forwardIdTokenHeader);
  const policy: CompiledPolicy = {
    key,
    ...(jwt && { jwt }),
    ...(oidc && { oidc }),
    ...(apiKey && { apiKey }),
    ...(basicAuth && { basicAuth }),
    ...(authorization && { authorization }),
    identityHeaders: [...identityHeaders],
  };
  return { policy, issues };
}

interface Ctx {
  readonly issue: (path: string, message: string, code?: string) => void;
  readonly lookup: ResourceDataLookup;
  readonly namespace: string;
  readonly key: string;
}

function compileJwt(jwt: Obj, ctx: Ctx): JwtSpec {
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
    if (audiences.length === 0) ctx.issue(`${path}/audiences`, 'needs at least one audience: tokens minted for other services must not pass');
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
  return { providers, optional: jwt.optional === true };
}

function compileJwksSource(p: Obj, path: string, ctx: Ctx): JwtProviderSpec['jwks'] | undefined {
  if (p.remoteJWKS !== undefined && p.localJWKS !== undefined) return void ctx.issue(path, 'remoteJWKS and localJWKS cannot both be specified');
  if (p.remoteJWKS !== undefined) {
    const remote = asObj(p.remoteJWKS);
    const uri = str(remote.uri) ?? '';
    if (!isAllowedFetchUrl(uri)) return void ctx.issue(`${path}/remoteJWKS/uri`, 'must be an https URL (http only for loopback hosts)');
    const cacheDurationMs = durationField(remote.cacheDuration, `${path}/remoteJWKS/cacheDuration`, DEFAULT_JWKS_CACHE_MS, ctx);
    const failedRefetchMs = durationField(remote.failedRefetchDuration, `${path}/remoteJWKS/failedRefetchDuration`, DEFAULT_JWKS_REFETCH_COOLDOWN_MS, ctx);
    return { kind: 'remote', uri, cacheDurationMs, failedRefetchMs };
  }
  if (p.localJWKS !== undefined) {
    const local = asObj(p.localJWKS);
    let text: string | undefined;
    if (local.type === 'ValueRef') {
      const ref = asObj(local.valueRef);
      const data = ctx.lookup('ConfigMap', ctx.namespace, str(ref.name) ?? '');
      text = data?.jwks?.toString('utf8');
      if (text === undefined) return void ctx.issue(`${path}/localJWKS/valueRef`, `ConfigMap ${ctx.namespace}/${str(ref.name)} with key "jwks" not found`, ErrorCodes.configMissingSecret);
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

function parseJwks(text: string, path: string, ctx: Ctx): JSONWebKeySet | undefined {
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

function defaultBearer(): ExtractFrom {
  return { headers: [{ name: 'authorization', valuePrefix: 'Bearer ' }], cookies: [], params: [] };
}

function compileExtractFrom(e: Obj, path: string, ctx: Ctx): ExtractFrom {
  // JWT providers name headers as {name, valuePrefix}; apiKeyAuth as plain strings.
  const headers = arr(e.headers).map((h, i) =>
    typeof h === 'string'
      ? { name: headerName(h, `${path}/headers/${i}`, ctx), valuePrefix: '' }
      : { name: headerName(asObj(h).name, `${path}/headers/${i}/name`, ctx), valuePrefix: str(asObj(h).valuePrefix) ?? '' },
  );
  const cookies = arr(e.cookies).filter((c): c is string => typeof c === 'string');
  const params = arr(e.params).filter((c): c is string => typeof c === 'string');
  if (headers.length + cookies.length + params.length === 0) ctx.issue(path, 'names no header, cookie or query parameter');
  return { headers, cookies, params };
}

function compileOidc(o: Obj, ctx: Ctx): OidcSpec | undefined {
  const provider = asObj(o.provider);
  const issuer = str(provider.issuer) ?? '';
  if (!isAllowedFetchUrl(issuer)) ctx.issue('/spec/oidc/provider/issuer', 'must be an https URL (http only for loopback hosts)');
  for (const field of ['authorizationEndpoint', 'tokenEndpoint', 'endSessionEndpoint'] as const) {
    const value = str(provider[field]);
    if (value !== undefined && !isAllowedFetchUrl(value)) ctx.issue(`/spec/oidc/provider/${field}`, 'must be an https URL (http only for loopback hosts)');
  }
  let clientId = str(o.clientID);
  if (o.clientIDRef !== undefined) {
    const ref = asObj(o.clientIDRef);
    clientId = ctx.lookup('Secret', str(ref.namespace) ?? ctx.namespace, str(ref.name) ?? '')?.['client-id']?.toString('utf8');
    if (!clientId) ctx.issue('/spec/oidc/clientIDRef', 'Secret with key "client-id" not found', ErrorCodes.configMissingSecret);
  }
  if (!clientId) ctx.issue('/spec/oidc/clientID', 'clientID or clientIDRef is required');
  const secretRef = asObj(o.clientSecret);
  const secretName = `${str(secretRef.namespace) ?? ctx.namespace}/${str(secretRef.name) ?? ''}`;
  const clientSecret = ctx.lookup('Secret', str(secretRef.namespace) ?? ctx.namespace, str(secretRef.name) ?? '')?.['client-secret']?.toString('utf8');
  if (!clientSecret) ctx.issue('/spec/oidc/clientSecret', `Secret ${secretName} with key "client-secret" not found`, ErrorCodes.configMissingSecret);

  const redirectUrl = str(o.redirectURL);
  let callbackPath = '/oauth2/callback';
  if (redirectUrl !== undefined) {
    const parsed = parseRedirectUrl(redirectUrl);
    if (!parsed) ctx.issue('/spec/oidc/redirectURL', 'must be an absolute https URL or "%REQ(x-forwarded-proto)%://%REQ(:authority)%/<path>"');
    else callbackPath = parsed.path;
  }
  const logoutPath = str(o.logoutPath) ?? '/logout';
  if (!logoutPath.startsWith('/')) ctx.issue('/spec/oidc/logoutPath', 'must start with "/"');
  const sameSite = str(asObj(o.cookieConfig).sameSite) ?? 'Lax';
  if (sameSite !== 'Lax' && sameSite !== 'Strict') ctx.issue('/spec/oidc/cookieConfig/sameSite', 'must be Lax or Strict: SameSite=None session cookies invite CSRF');
  const scopes = arr(o.scopes).filter((s): s is string => typeof s === 'string');
  if (!scopes.includes('openid')) scopes.unshift('openid');
  const denyRedirectHeaders = arr(asObj(o.denyRedirect).headers).map((h, i) => headerMatch(asObj(h), `/spec/oidc/denyRedirect/headers/${i}`, ctx));
  const forwardIdTokenHeader = o.forwardIDToken === undefined ? undefined : identityHeaderName(asObj(o.forwardIDToken).header, '/spec/oidc/forwardIDToken/header', ctx);
  if (!clientId || !clientSecret) return undefined;
  return {
    id: ctx.key,
    issuer,
    ...optional('authorizationEndpoint', str(provider.authorizationEndpoint)),
    ...optional('tokenEndpoint', str(provider.tokenEndpoint)),
    ...optional('endSessionEndpoint', str(provider.endSessionEndpoint)),
    clientId,
    clientSecret,
    scopes,
    resources: arr(o.resources).filter((s): s is string => typeof s === 'string'),
    ...optional('redirectUrl', redirectUrl),
    callbackPath,
    logoutPath,
    refreshToken: o.refreshToken !== false,
    forwardAccessToken: o.forwardAccessToken === true,
    ...optional('forwardIdTokenHeader', forwardIdTokenHeader),
    passThroughAuthHeader: o.passThroughAuthHeader === true,
    sameSite,
    defaultTokenTtlMs: durationField(o.defaultTokenTTL, '/spec/oidc/defaultTokenTTL', 3_600_000, ctx),
    defaultRefreshTokenTtlMs: durationField(o.defaultRefreshTokenTTL, '/spec/oidc/defaultRefreshTokenTTL', 7 * 24 * 3_600_000, ctx),
    csrfTokenTtlMs: durationField(o.csrfTokenTTL, '/spec/oidc/csrfTokenTTL', 600_000, ctx),
    denyRedirectHeaders,
  } as OidcSpec;
}

const REQ_TEMPLATE = '%REQ(x-forwarded-proto)%://%REQ(:authority)%';

/** The callback path of a redirectURL, which may use Envoy Gateway's request template for scheme and host. */
export function parseRedirectUrl(text: string): { path: string } | undefined {
  if (text.startsWith(REQ_TEMPLATE)) {
    const path = text.slice(REQ_TEMPLATE.length);
    return /^\/[^?#\s]*$/.test(path) ? { path } : undefined;
  }
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) return undefined;
    if (url.search || url.hash || url.username || url.password) return undefined;
    return { path: url.pathname };
  } catch {
    return undefined;
  }
}

function compileApiKey(a: Obj, ctx: Ctx): ApiKeySpec {
  const keys: { clientId: string; sha256: Buffer; metadata: Readonly<{ clientId: string }> }[] = [];
  arr(a.credentialRefs).forEach((r, i) => {
    const ref = asObj(r);
    const ns = str(ref.namespace) ?? ctx.namespace;
    const data = ctx.lookup('Secret', ns, str(ref.name) ?? '');
    if (!data) return void ctx.issue(`/spec/apiKeyAuth/credentialRefs/${i}`, `Secret ${ns}/${str(ref.name)} not found`, ErrorCodes.configMissingSecret);
    for (const [clientId, key] of Object.entries(data)) {
      if (key.length < 16) ctx.issue(`/spec/apiKeyAuth/credentialRefs/${i}`, `API key of client "${clientId}" is shorter than 16 bytes`);
      keys.push({ clientId, sha256: createHash('sha256').update(key).digest(), metadata: Object.freeze({ clientId }) });
    }
  });
  const extractFrom = arr(a.extractFrom).map((e, i) => compileExtractFrom(asObj(e), `/spec/apiKeyAuth/extractFrom/${i}`, ctx));
  const merged: ExtractFrom = {
    headers: extractFrom.flatMap((e) => e.headers),
    cookies: extractFrom.flatMap((e) => e.cookies),
    params: extractFrom.flatMap((e) => e.params),
  };
  const forward = a.forwardClientIDHeader === undefined ? undefined : identityHeaderName(a.forwardClientIDHeader, '/spec/apiKeyAuth/forwardClientIDHeader', ctx);
  return { keys, extractFrom: merged, ...optional('forwardClientIdHeader', forward), sanitize: a.sanitize === true };
}

function compileBasicAuth(b: Obj, ctx: Ctx): BasicAuthSpec {
  const ref = asObj(b.users);
  const ns = str(ref.namespace) ?? ctx.namespace;
  const text = ctx.lookup('Secret', ns, str(ref.name) ?? '')?.['.htpasswd']?.toString('utf8');
  const forward = b.forwardUsernameHeader === undefined ? undefined : identityHeaderName(b.forwardUsernameHeader, '/spec/basicAuth/forwardUsernameHeader', ctx);
  if (text === undefined) {
    ctx.issue('/spec/basicAuth/users', `Secret ${ns}/${str(ref.name)} with key ".htpasswd" not found`, ErrorCodes.configMissingSecret);
    return { users: new Map() };
  }
  const { users, problems } = parseHtpasswd(text);
  for (const problem of problems) ctx.issue('/spec/basicAuth/users', `.htpasswd ${problem}`);
  return { users, ...optional('forwardUsernameHeader', forward) };
}

function compileAuthorization(a: Obj, jwt: JwtSpec | undefined, ctx: Ctx): AuthorizationSpec {
  const defaultAction = a.defaultAction === 'Allow' ? 'Allow' : 'Deny';
  const rules = arr(a.rules).map((raw, index): AuthorizationRule => {
    const path = `/spec/authorization/rules/${index}`;
    const r = asObj(raw);
    const principal = asObj(r.principal);
    const operation = asObj(r.operation);
    const clientCidrs = arr(principal.clientCIDRs).flatMap((text, i) => {
      const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
      if (!cidr) ctx.issue(`${path}/principal/clientCIDRs/${i}`, `"${String(text)}" is not a CIDR`);
      return cidr ? [cidr] : [];
    });
    const headers = arr(principal.headers).map((h, i) => ({
      name: headerName(asObj(h).name, `${path}/principal/headers/${i}/name`, ctx),
      values: arr(asObj(h).values).filter((v): v is string => typeof v === 'string'),
    }));
    let jwtMatch: AuthorizationRule['jwt'];
    if (principal.jwt !== undefined) {
      const j = asObj(principal.jwt);
      const provider = str(j.provider) ?? '';
      if (!jwt?.providers.some((p) => p.name === provider)) ctx.issue(`${path}/principal/jwt/provider`, `no jwt provider named "${provider}"`);
      jwtMatch = {
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
    const methods = arr(operation.methods).filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase());
    let pathMatch: AuthorizationRule['path'];
    if (operation.path !== undefined) {
      const p = asObj(operation.path);
      const type = p.type === 'Exact' || p.type === 'RegularExpression' ? p.type : 'PathPrefix';
      const value = str(p.value) ?? '';
      let regex: RegExp | undefined;
      if (type === 'RegularExpression') {
        try {
          regex = new RegExp(`^(?:${value})$`, 'u');
        } catch {
          ctx.issue(`${path}/operation/path/value`, 'is not a valid regular expression');
        }
      }
      pathMatch = { type, value, invert: p.invert === true, ...optional('regex', regex) };
    }
    const rule: AuthorizationRule = {
      name: str(r.name) ?? `rule-${index}`,
      action: r.action === 'Allow' ? 'Allow' : 'Deny',
      clientCidrs,
      headers,
      ...(jwtMatch && { jwt: jwtMatch }),
      methods,
      ...(pathMatch && { path: pathMatch }),
    };
    return rule;
  });
  return { defaultAction, rules };
}

function headerMatch(h: Obj, path: string, ctx: Ctx): HeaderMatch {
  const type = (str(h.type) ?? 'Exact') as HeaderMatch['type'];
  const value = str(h.value) ?? '';
  let regex: RegExp | undefined;
  if (type === 'RegularExpression') {
    try {
      regex = new RegExp(value, 'u');
    } catch {
      ctx.issue(`${path}/value`, 'is not a valid regular expression');
    }
  }
  return { name: headerName(h.name, `${path}/name`, ctx), type, value, ...optional('regex', regex) };
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// Headers that steer routing, framing or other credentials: never written from a claim or a client id.
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'cookie', 'set-cookie', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-envoy-original-path', 'x-request-id']);

/** Header names are compared lower-case. */
function headerName(value: unknown, path: string, ctx: Ctx): string {
  const name = typeof value === 'string' ? value.toLowerCase() : '';
  if (!TOKEN.test(name)) ctx.issue(path, 'is not a valid header name');
  return name;
}

/** A header the service writes: hop-by-hop, routing and framing headers are refused. */
function identityHeaderName(value: unknown, path: string, ctx: Ctx): string {
  const name = headerName(value, path, ctx);
  if (RESERVED_HEADERS.has(name) || name.startsWith('proxy-') || name.startsWith('x-envoy-')) ctx.issue(path, `"${name}" is reserved and cannot carry identity`);
  return name;
}

function durationField(value: unknown, path: string, fallback: number, ctx: Ctx): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
  if (ms === undefined || ms > MAX_STATIC_TTL_MS) {
    ctx.issue(path, 'is not a valid duration like "10s", "5m" or "1h30m"');
    return fallback;
  }
  return ms;
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Identity material must come over TLS; plain http is accepted for loopback development only. */
export function isAllowedFetchUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function asObj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
