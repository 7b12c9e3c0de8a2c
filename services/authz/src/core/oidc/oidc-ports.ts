// What the OIDC browser flow needs from the outside world: the identity provider and the session store.
import type { OidcSpec, ServiceRetrySpec, WeightedBackend } from '../policy/policy-model.js';
import type { KeySource } from '../authenticate/select-keys.js';

export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly end_session_endpoint?: string;
  readonly introspection_endpoint?: string;
}

export interface TokenSet {
  readonly access_token: string;
  readonly token_type?: string;
  readonly expires_in?: number;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

export interface IdpClient {
  /** Discovery merged with the endpoints the policy overrides. @throws AuthzError oidcProviderUnavailable */
  metadata(oidc: OidcSpec): Promise<ProviderMetadata>;
  /** @throws AuthzError oidcCodeExchangeFailed */
  exchangeCode(oidc: OidcSpec, metadata: ProviderMetadata, params: { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet>;
  /** @throws AuthzError sessionInvalid when the refresh token is rejected */
  refresh(oidc: OidcSpec, metadata: ProviderMetadata, refreshToken: string): Promise<TokenSet>;
  /** RFC 7662 response. @throws AuthzError introspectionFailed */
  introspect(oidc: OidcSpec, metadata: ProviderMetadata, token: string): Promise<Record<string, unknown>>;
  /** `backends`: the provider's Backends (oidc.provider backendRefs). */
  keys(jwksUri: string, backends?: readonly WeightedBackend[], retry?: ServiceRetrySpec): KeySource;
}

/** Everything needed to finish a login, stored server-side under the state value, used once. */
export interface LoginState {
  readonly policy: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
  readonly redirectUri: string;
  /** SHA-256 of the browser-binding value in the login cookie: a state minted for one browser fails in another. */
  readonly browserHash: string;
}

export interface Session {
  readonly policy: string;
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly accessToken: string;
  readonly accessExpiresAtMs: number;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** Absolute end of the session (refresh token lifetime). */
  readonly expiresAtMs: number;
}

export interface SessionStore {
  putLoginState(state: string, data: LoginState, ttlMs: number): Promise<void>;
  /** Atomically reads and deletes: a state (and so a code) is accepted once. */
  takeLoginState(state: string): Promise<LoginState | undefined>;
  putSession(sessionId: string, session: Session, ttlMs: number): Promise<void>;
  getSession(sessionId: string): Promise<Session | undefined>;
  deleteSession(sessionId: string): Promise<void>;
  /** Cluster-wide: true for exactly one caller until released or ttlMs passes. */
  acquireRefreshLock(sessionId: string, ttlMs: number): Promise<boolean>;
  releaseRefreshLock(sessionId: string): Promise<void>;
}
