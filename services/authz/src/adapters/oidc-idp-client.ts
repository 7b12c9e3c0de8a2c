// Talks to OpenID providers: discovery (cached, shared fetch), code exchange, refresh and RFC 7662
// introspection with client_secret_basic, and JWKS via RemoteJwks; with provider backendRefs, every call
// connects to the Backend's address. Errors map to stable codes.
import { AuthzError, ErrorCodes } from '../errors.js';
import type { IdpClient, ProviderMetadata, TokenSet } from '../core/oidc/oidc-ports.js';
import type { OidcSpec, ServiceRetrySpec, WeightedBackend } from '../core/policy/policy-model.js';
import type { KeySource } from '../core/authenticate/select-keys.js';
import { fetchTextViaBackends } from './fetch-via-backends.js';
import { withRetries } from './retrying-fetch.js';
import { RemoteJwks } from './remote-jwks.js';

/** Discovery documents, token answers and introspection answers are small. */
const MAX_ANSWER_BYTES = 256 * 1024;

export interface HttpIdpClientOptions {
  /** Per-request timeout. Default 5 s. */
  readonly timeoutMs?: number;
  /** How long discovery documents are reused. Default 1 h. */
  readonly discoveryTtlMs?: number;
  readonly onJwksFetch?: (outcome: 'ok' | 'error', uri: string) => void;
}

export class HttpIdpClient implements IdpClient {
  readonly #timeoutMs: number;
  readonly #discoveryTtlMs: number;
  readonly #discovery = new Map<string, { at: number; value: Promise<Record<string, unknown>> }>();
  readonly #jwks = new Map<string, RemoteJwks>();
  readonly #onJwksFetch: ((outcome: 'ok' | 'error', uri: string) => void) | undefined;

  constructor(options: HttpIdpClientOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#discoveryTtlMs = options.discoveryTtlMs ?? 3_600_000;
    this.#onJwksFetch = options.onJwksFetch;
  }

  async metadata(oidc: OidcSpec): Promise<ProviderMetadata> {
    const discovered = await this.#discover(oidc.issuer, oidc.backends, oidc.retry);
    if (discovered.issuer !== oidc.issuer) throw new AuthzError(ErrorCodes.oidcProviderUnavailable, `discovery issuer ${String(discovered.issuer)} is not ${oidc.issuer}`);
    const pick = (override: string | undefined, key: string) => override ?? (typeof discovered[key] === 'string' ? (discovered[key] as string) : undefined);
    const authorization = pick(oidc.authorizationEndpoint, 'authorization_endpoint');
    const token = pick(oidc.tokenEndpoint, 'token_endpoint');
    const jwksUri = pick(undefined, 'jwks_uri');
    if (!authorization || !token || !jwksUri) throw new AuthzError(ErrorCodes.oidcProviderUnavailable, 'discovery lacks authorization, token or jwks endpoints');
    const endSession = pick(oidc.endSessionEndpoint, 'end_session_endpoint');
    const introspection = pick(undefined, 'introspection_endpoint');
    return {
      issuer: oidc.issuer,
      authorization_endpoint: authorization,
      token_endpoint: token,
      jwks_uri: jwksUri,
      ...(endSession && { end_session_endpoint: endSession }),
      ...(introspection && { introspection_endpoint: introspection }),
    };
  }

  async exchangeCode(oidc: OidcSpec, metadata: ProviderMetadata, params: { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet> {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: params.code, redirect_uri: params.redirectUri, code_verifier: params.codeVerifier });
    const { status, json } = await this.#post(oidc, metadata.token_endpoint, body, ErrorCodes.oidcCodeExchangeFailed);
    if (status !== 200 || typeof json.access_token !== 'string') throw new AuthzError(ErrorCodes.oidcCodeExchangeFailed, `token endpoint answered ${status} ${String(json.error ?? '')}`);
    return json as unknown as TokenSet;
  }

  async refresh(oidc: OidcSpec, metadata: ProviderMetadata, refreshToken: string): Promise<TokenSet> {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    const { status, json } = await this.#post(oidc, metadata.token_endpoint, body, ErrorCodes.oidcProviderUnavailable);
    if (status === 400 || status === 401) throw new AuthzError(ErrorCodes.sessionInvalid, `refresh rejected: ${String(json.error ?? status)}`);
    if (status !== 200 || typeof json.access_token !== 'string') throw new AuthzError(ErrorCodes.oidcProviderUnavailable, `token endpoint answered ${status}`);
    return json as unknown as TokenSet;
  }

  async introspect(oidc: OidcSpec, metadata: ProviderMetadata, token: string): Promise<Record<string, unknown>> {
    if (!metadata.introspection_endpoint) throw new AuthzError(ErrorCodes.introspectionFailed, 'the provider has no introspection endpoint');
    const { status, json } = await this.#post(oidc, metadata.introspection_endpoint, new URLSearchParams({ token, token_type_hint: 'access_token' }), ErrorCodes.introspectionFailed);
    if (status !== 200 || typeof json.active !== 'boolean') throw new AuthzError(ErrorCodes.introspectionFailed, `introspection answered ${status}`);
    return json;
  }

  keys(jwksUri: string, backends?: readonly WeightedBackend[], retry?: ServiceRetrySpec): KeySource {
    const id = `${jwksUri}\u0000${via(backends)}\u0000${JSON.stringify(retry ?? null)}`;
    let jwks = this.#jwks.get(id);
    if (!jwks) {
      const onFetch = this.#onJwksFetch;
      jwks = new RemoteJwks({ uri: jwksUri, timeoutMs: this.#timeoutMs, ...(backends && { backends }), ...(retry && { retry }), ...(onFetch && { onFetch: (outcome: 'ok' | 'error') => onFetch(outcome, jwksUri) }) });
      this.#jwks.set(id, jwks);
    }
    return jwks;
  }

  #discover(issuer: string, backends: readonly WeightedBackend[] | undefined, retry: ServiceRetrySpec | undefined): Promise<Record<string, unknown>> {
    const key = `${issuer}\u0000${via(backends)}\u0000${JSON.stringify(retry ?? null)}`;
    const cached = this.#discovery.get(key);
    if (cached && Date.now() - cached.at < this.#discoveryTtlMs) return cached.value;
    const value = this.#fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, backends, retry);
    this.#discovery.set(key, { at: Date.now(), value });
    // A failed discovery is not cached: the next request retries.
    value.catch(() => this.#discovery.delete(key));
    return value;
  }

  async #fetchJson(url: string, backends: readonly WeightedBackend[] | undefined, retry: ServiceRetrySpec | undefined): Promise<Record<string, unknown>> {
    try {
      const headers = { accept: 'application/json' };
      const { status, text } = await withRetries(async () => {
        if (backends) return fetchTextViaBackends(url, backends, { timeoutMs: this.#timeoutMs, maxBytes: MAX_ANSWER_BYTES, headers });
        const response = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs), headers });
        return { status: response.status, text: await response.text() };
      }, retry);
      if (status < 200 || status > 299) throw new Error(`${url} answered ${status}`);
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new AuthzError(ErrorCodes.oidcProviderUnavailable, err instanceof Error ? err.message : String(err));
    }
  }

  async #post(oidc: OidcSpec, url: string, body: URLSearchParams, code: AuthzError['code']): Promise<{ status: number; json: Record<string, unknown> }> {
    // RFC 6749 2.3.1: client id and secret are form-urlencoded before base64.
    const credentials = Buffer.from(`${formEncode(oidc.clientId)}:${formEncode(oidc.clientSecret)}`).toString('base64');
    const headers = { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    try {
      const { status, text } = await withRetries(async () => {
        if (oidc.backends) return fetchTextViaBackends(url, oidc.backends, { timeoutMs: this.#timeoutMs, maxBytes: MAX_ANSWER_BYTES, headers, body: body.toString() });
        const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(this.#timeoutMs), headers, body, redirect: 'error' });
        return { status: response.status, text: await response.text() };
      }, oidc.retry);
      return { status, json: parseObject(text) };
    } catch (err) {
      throw new AuthzError(code, err instanceof Error ? err.message : String(err));
    }
  }
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** Addresses, weights, fallbacks and TLS settings: a changed one must not reuse a cache made with the old ones. */
function via(backends: readonly WeightedBackend[] | undefined): string {
  return backends ? JSON.stringify(backends) : '';
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
