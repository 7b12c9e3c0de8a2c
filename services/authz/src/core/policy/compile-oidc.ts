// spec.oidc -> OidcSpec: the provider (https), client credentials from the policy or its Secrets, the
// callback and logout paths, cookie and token lifetimes, and which requests get a 401 instead of a login.
import { ErrorCodes } from '../../errors.js';
import { arr, asObj, durationField, headerName, identityHeaderName, isAllowedFetchUrl, isLoopbackHost, optional, str, type CompileContext, type Obj } from './fields.js';
import { backendPool } from './compile-jwt.js';
import { compileBackendRetry } from './compile-retry.js';
import type { HeaderMatch, OidcSpec } from './policy-model.js';

export function compileOidc(o: Obj, ctx: CompileContext): OidcSpec | undefined {
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
  if (o.disableTokenEncryption === true) {
    ctx.issue('/spec/oidc/disableTokenEncryption', DISABLE_TOKEN_ENCRYPTION_REFUSED, ErrorCodes.configUnsupportedField);
  }
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
    ...optional('cookieDomain', str(o.cookieDomain)?.toLowerCase()),
    ...optional('backends', backendPool(provider, '/spec/oidc/provider', ctx)),
    ...optional('retry', compileBackendRetry(provider, '/spec/oidc/provider', ctx)),
  } as OidcSpec;
}

/** Tokens never reach the browser here (sessions are sealed in Redis), so there is nothing to store in plain text. */
export const DISABLE_TOKEN_ENCRYPTION_REFUSED =
  'true is not supported: Gatehouse keeps tokens server-side, sealed in Redis, and never in cookies; give the upstream the tokens with forwardAccessToken / forwardIDToken';

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

function headerMatch(h: Obj, path: string, ctx: CompileContext): HeaderMatch {
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
