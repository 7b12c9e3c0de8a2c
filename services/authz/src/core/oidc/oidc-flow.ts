// The OIDC authorization-code flow for browsers (PKCE S256, state, nonce), with sessions referenced by
// sealed __Host- cookies. Pure decision logic over the IdpClient and SessionStore ports.
import { parseCookieHeader, serializeClearCookie, serializeSetCookie } from './cookies.js';
import type { CookieSealer } from './cookie-crypto.js';
import { deny, redirect, unauthorized, type Decision } from '../decide/decision.js';
import { AuthzError, ErrorCodes } from '../../errors.js';
import type { IdpClient, LoginState, Session, SessionStore, TokenSet } from './oidc-ports.js';
import { pkceChallenge, randomToken, sha256Hex } from './pkce.js';
import { prefersHtml } from './accepts-html.js';
import type { OidcSpec } from '../policy/policy-model.js';
import { validateRedirectTarget } from './redirect-target.js';
import type { RequestView } from '../decide/request-view.js';
import { verifyJwt } from '../authenticate/verify-jwt.js';

export interface OidcFlowOptions {
  readonly idp: IdpClient;
  readonly store: SessionStore;
  readonly sealer: CookieSealer;
  readonly clockSkewSeconds: number;
  /** Absolute origins that post-login redirects may target besides the request host. */
  readonly allowedRedirectOrigins?: readonly string[];
  /** Refresh this long before the access token expires. Default 60 s. */
  readonly refreshMarginMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type SessionResult = { readonly kind: 'session'; readonly session: Session } | { readonly kind: 'decision'; readonly decision: Decision };

/** Host-only ("__Host-") unless oidc.cookieDomain shares the session with subdomains ("__Secure-" + Domain). */
export function sessionCookieName(oidc: OidcSpec): string {
  return `${oidc.cookieDomain ? '__Secure-' : '__Host-'}gh-session-${sha256Hex(oidc.id).slice(0, 10)}`;
}

export function loginCookieName(oidc: OidcSpec): string {
  return `__Host-gh-login-${sha256Hex(oidc.id).slice(0, 10)}`;
}

export class OidcFlow {
  readonly #o: OidcFlowOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: OidcFlowOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  isCallback(request: RequestView, oidc: OidcSpec): boolean {
    return request.path === oidc.callbackPath;
  }

  isLogout(request: RequestView, oidc: OidcSpec): boolean {
    return request.path === oidc.logoutPath;
  }

  /** A valid session, or the answer for a request without one (login redirect for browsers, 401 for APIs). */
  async authenticate(request: RequestView, oidc: OidcSpec): Promise<SessionResult> {
    const sessionId = this.#sessionId(request, oidc);
    if (sessionId) {
      const session = await this.#liveSession(sessionId, oidc);
      if (session) return { kind: 'session', session };
    }
    return { kind: 'decision', decision: await this.#challenge(request, oidc) };
  }

  async #challenge(request: RequestView, oidc: OidcSpec): Promise<Decision> {
    const navigable = (request.method === 'GET' || request.method === 'HEAD') && prefersHtml(request.headers.accept);
    if (!navigable || oidc.denyRedirectHeaders.some((h) => headerMatches(request, h))) return unauthorized(ErrorCodes.loginRequired);
    const metadata = await this.#o.idp.metadata(oidc);
    const state = randomToken();
    const nonce = randomToken();
    const codeVerifier = randomToken(48);
    const cookies = parseCookieHeader(request.headers.cookie);
    const loginName = loginCookieName(oidc);
    // Reuse this browser's binding value so that logins started in several tabs all complete.
    const browserValue = (cookies.has(loginName) && this.#o.sealer.open(loginName, cookies.get(loginName)!)) || randomToken();
    const requested = request.query ? `${request.path}?${request.query}` : request.path;
    const returnTo = validateRedirectTarget(requested, { requestHost: request.host }) ?? '/';
    const redirectUri = this.#redirectUri(request, oidc);
    const login: LoginState = { policy: oidc.id, codeVerifier, nonce, returnTo, redirectUri, browserHash: sha256Hex(browserValue) };
    await this.#o.store.putLoginState(state, login, oidc.csrfTokenTtlMs);
    const url = new URL(metadata.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', oidc.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', oidc.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('nonce', nonce);
    url.searchParams.set('code_challenge', pkceChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    for (const resource of oidc.resources) url.searchParams.append('resource', resource);
    const loginCookie = serializeSetCookie(loginName, this.#o.sealer.seal(loginName, browserValue), {
      sameSite: 'Lax', // the IdP's redirect back is a cross-site top-level navigation
      maxAgeSeconds: oidc.csrfTokenTtlMs / 1000,
    });
    return redirect(url.href, [loginCookie]);
  }

  /** The redirect back from the IdP: exchange the code, start a fresh session, return to the original URL. */
  async handleCallback(request: RequestView, oidc: OidcSpec): Promise<Decision> {
    const params = new URLSearchParams(request.query);
    const state = params.get('state');
    const code = params.get('code');
    if (params.has('error')) return deny(401, ErrorCodes.oidcCallbackInvalid);
    if (!state || !code || state.length > 512 || code.length > 4096) return deny(400, ErrorCodes.oidcCallbackInvalid);
    const login = await this.#o.store.takeLoginState(state);
    if (!login || login.policy !== oidc.id) return deny(400, ErrorCodes.oidcStateInvalid);
    const loginName = loginCookieName(oidc);
    const cookies = parseCookieHeader(request.headers.cookie);
    const browserValue = cookies.has(loginName) ? this.#o.sealer.open(loginName, cookies.get(loginName)!) : undefined;
    if (!browserValue || sha256Hex(browserValue) !== login.browserHash) return deny(400, ErrorCodes.oidcStateInvalid);

    const metadata = await this.#o.idp.metadata(oidc);
    const tokens = await this.#o.idp.exchangeCode(oidc, metadata, { code, redirectUri: login.redirectUri, codeVerifier: login.codeVerifier });
    if (!tokens.id_token) return deny(401, ErrorCodes.oidcIdTokenInvalid);
    const claims = await this.#verifyIdToken(tokens.id_token, oidc, metadata.jwks_uri, login.nonce);

    // Always a new session id at login: a session planted before login is never upgraded (no fixation).
    const previous = this.#sessionId(request, oidc);
    if (previous) await this.#o.store.deleteSession(previous);
    const sessionId = randomToken();
    const session = this.#sessionFrom(oidc, tokens, claims, undefined);
    await this.#o.store.putSession(sessionId, session, session.expiresAtMs - this.#now());
    const sessionName = sessionCookieName(oidc);
    const returnTo = this.#safeTarget(login.returnTo, request) ?? '/';
    return redirect(returnTo, [
      serializeSetCookie(sessionName, this.#o.sealer.seal(sessionName, sessionId), { sameSite: oidc.sameSite, ...(oidc.cookieDomain && { domain: oidc.cookieDomain }) }),
      serializeClearCookie(loginName, 'Lax'),
    ]);
  }

  /** Ends the session here and, when the IdP has one, at its end-session endpoint. */
  async handleLogout(request: RequestView, oidc: OidcSpec): Promise<Decision> {
    const sessionId = this.#sessionId(request, oidc);
    const session = sessionId ? await this.#o.store.getSession(sessionId) : undefined;
    if (sessionId) await this.#o.store.deleteSession(sessionId);
    const clear = [serializeClearCookie(sessionCookieName(oidc), oidc.sameSite, oidc.cookieDomain)];
    // "?return_to=" picks where the browser lands afterwards, under the same rules as post-login targets.
    const requested = new URLSearchParams(request.query).get('return_to');
    const target = requested ? this.#safeTarget(requested, request) : undefined;
    const metadata = await this.#o.idp.metadata(oidc).catch(() => undefined);
    if (metadata?.end_session_endpoint) {
      const url = new URL(metadata.end_session_endpoint);
      url.searchParams.set('client_id', oidc.clientId);
      if (session?.idToken) url.searchParams.set('id_token_hint', session.idToken);
      if (target) url.searchParams.set('post_logout_redirect_uri', target.startsWith('/') ? `${this.#origin(request)}${target}` : target);
      return redirect(url.href, clear);
    }
    return redirect(target ?? '/', clear);
  }

  #sessionId(request: RequestView, oidc: OidcSpec): string | undefined {
    const name = sessionCookieName(oidc);
    const sealed = parseCookieHeader(request.headers.cookie).get(name);
    return sealed ? this.#o.sealer.open(name, sealed) : undefined;
  }

  #redirectUri(request: RequestView, oidc: OidcSpec): string {
    if (oidc.redirectUrl && !oidc.redirectUrl.startsWith('%REQ')) return oidc.redirectUrl;
    return `${this.#origin(request)}${oidc.callbackPath}`;
  }

  #origin(request: RequestView): string {
    const scheme = request.headers['x-forwarded-proto'] === 'http' || request.scheme === 'http' ? 'http' : 'https';
    return `${scheme}://${request.host}`;
  }

  #safeTarget(target: string, request: RequestView): string | undefined {
    return validateRedirectTarget(target, { requestHost: request.host, ...(this.#o.allowedRedirectOrigins && { allowedOrigins: this.#o.allowedRedirectOrigins }) });
  }

  async #verifyIdToken(idToken: string, oidc: OidcSpec, jwksUri: string, nonce: string | undefined): Promise<Record<string, unknown>> {
    const provider = { id: oidc.id, name: 'oidc', issuer: oidc.issuer, audiences: [oidc.clientId], jwks: { kind: 'remote' as const, uri: jwksUri, cacheDurationMs: 0, failedRefetchMs: 0 }, claimToHeaders: [], extractFrom: { headers: [], cookies: [], params: [] } };
    let payload: Record<string, unknown>;
    try {
      payload = (await verifyJwt(idToken, provider, this.#o.idp.keys(jwksUri, oidc.backends, oidc.retry), { clockSkewSeconds: this.#o.clockSkewSeconds, now: () => new Date(this.#now()) })).payload;
    } catch (err) {
      throw new AuthzError(ErrorCodes.oidcIdTokenInvalid, err instanceof AuthzError ? err.code : String(err));
    }
    if (nonce !== undefined && payload.nonce !== nonce) throw new AuthzError(ErrorCodes.oidcIdTokenInvalid, 'nonce mismatch');
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== oidc.clientId) throw new AuthzError(ErrorCodes.oidcIdTokenInvalid, 'azp mismatch');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new AuthzError(ErrorCodes.oidcIdTokenInvalid, 'no sub');
    return payload;
  }

  #sessionFrom(oidc: OidcSpec, tokens: TokenSet, claims: Readonly<Record<string, unknown>>, previous: Session | undefined): Session {
    const now = this.#now();
    const accessTtlMs = typeof tokens.expires_in === 'number' && tokens.expires_in > 0 ? tokens.expires_in * 1000 : oidc.defaultTokenTtlMs;
    const refreshToken = tokens.refresh_token ?? previous?.refreshToken;
    const expiresAtMs = refreshToken && oidc.refreshToken ? previous?.expiresAtMs ?? now + oidc.defaultRefreshTokenTtlMs : now + accessTtlMs;
    return {
      policy: oidc.id,
      sub: String(claims.sub),
      claims,
      accessToken: tokens.access_token,
      accessExpiresAtMs: now + accessTtlMs,
      ...(refreshToken && { refreshToken }),
      ...((tokens.id_token ?? previous?.idToken) && { idToken: tokens.id_token ?? previous?.idToken }),
      expiresAtMs,
    };
  }

  async #liveSession(sessionId: string, oidc: OidcSpec): Promise<Session | undefined> {
    const session = await this.#o.store.getSession(sessionId);
    if (!session || session.policy !== oidc.id) return undefined;
    const now = this.#now();
    if (session.expiresAtMs <= now) return undefined;
    const margin = this.#o.refreshMarginMs ?? 60_000;
    if (session.accessExpiresAtMs - margin > now) return session;
    if (!session.refreshToken || !oidc.refreshToken) return session.accessExpiresAtMs > now ? session : undefined;
    return this.#refresh(sessionId, session, oidc);
  }

  /** One refresh per session across all replicas; the others keep the current token or wait for the new one. */
  async #refresh(sessionId: string, session: Session, oidc: OidcSpec): Promise<Session | undefined> {
    if (!(await this.#o.store.acquireRefreshLock(sessionId, 10_000))) {
      if (session.accessExpiresAtMs > this.#now()) return session;
      for (let attempt = 0; attempt < 20; attempt++) {
        await this.#sleep(100);
        const updated = await this.#o.store.getSession(sessionId);
        if (!updated) return undefined;
        if (updated.accessExpiresAtMs > this.#now()) return updated;
      }
      return undefined;
    }
    try {
      const metadata = await this.#o.idp.metadata(oidc);
      let tokens: TokenSet;
      try {
        tokens = await this.#o.idp.refresh(oidc, metadata, session.refreshToken!);
      } catch (err) {
        if (err instanceof AuthzError && err.code === ErrorCodes.sessionInvalid) {
          await this.#o.store.deleteSession(sessionId);
          return undefined;
        }
        throw err;
      }
      const claims = tokens.id_token ? await this.#verifyIdToken(tokens.id_token, oidc, metadata.jwks_uri, undefined) : session.claims;
      if (claims.sub !== session.sub) throw new AuthzError(ErrorCodes.oidcIdTokenInvalid, 'sub changed on refresh');
      const refreshed = this.#sessionFrom(oidc, tokens, claims, session);
      await this.#o.store.putSession(sessionId, refreshed, refreshed.expiresAtMs - this.#now());
      return refreshed;
    } finally {
      await this.#o.store.releaseRefreshLock(sessionId);
    }
  }
}

function headerMatches(request: RequestView, match: OidcSpec['denyRedirectHeaders'][number]): boolean {
  const value = request.headers[match.name];
  if (value === undefined) return false;
  switch (match.type) {
    case 'Exact':
      return value === match.value;
    case 'Prefix':
      return value.startsWith(match.value);
    case 'Suffix':
      return value.endsWith(match.value);
    case 'RegularExpression':
      return match.regex?.test(value) ?? false;
  }
}
