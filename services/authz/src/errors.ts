// The one catalogue of authz error codes: what a deny body, a log line, a config report and a metric
// carry, and what operators search for. The README's "Error codes" table lists exactly these (tested).
// Never put a raw library message in a deny response; map it to one of these.
export const ErrorCodes = {
  // Policy selection and configuration.
  noPolicy: 'GH_AUTHZ_NO_POLICY',
  unknownPolicy: 'GH_AUTHZ_UNKNOWN_POLICY',
  configInvalid: 'GH_AUTHZ_CONFIG_INVALID',
  configUnsupportedField: 'GH_AUTHZ_CONFIG_UNSUPPORTED_FIELD',
  configMissingSecret: 'GH_AUTHZ_CONFIG_MISSING_SECRET',
  configSchema: 'GH_AUTHZ_CONFIG_SCHEMA',
  configYaml: 'GH_AUTHZ_CONFIG_YAML',
  configDuplicate: 'GH_AUTHZ_CONFIG_DUPLICATE',
  configRead: 'GH_AUTHZ_CONFIG_READ',
  // JWT.
  jwtMissing: 'GH_AUTHZ_JWT_MISSING',
  jwtMalformed: 'GH_AUTHZ_JWT_MALFORMED',
  jwtTooLarge: 'GH_AUTHZ_JWT_TOO_LARGE',
  jwtAlgNotAllowed: 'GH_AUTHZ_JWT_ALG_NOT_ALLOWED',
  jwtEmbeddedKey: 'GH_AUTHZ_JWT_EMBEDDED_KEY',
  jwtCritUnsupported: 'GH_AUTHZ_JWT_CRIT_UNSUPPORTED',
  jwtNoMatchingKey: 'GH_AUTHZ_JWT_NO_MATCHING_KEY',
  jwtSignatureInvalid: 'GH_AUTHZ_JWT_SIGNATURE_INVALID',
  jwtExpired: 'GH_AUTHZ_JWT_EXPIRED',
  jwtNotYetValid: 'GH_AUTHZ_JWT_NOT_YET_VALID',
  jwtExpMissing: 'GH_AUTHZ_JWT_EXP_MISSING',
  jwtIssuerMismatch: 'GH_AUTHZ_JWT_ISSUER_MISMATCH',
  jwtAudienceMismatch: 'GH_AUTHZ_JWT_AUDIENCE_MISMATCH',
  jwtTypNotAllowed: 'GH_AUTHZ_JWT_TYP_NOT_ALLOWED',
  jwtClaimInvalid: 'GH_AUTHZ_JWT_CLAIM_INVALID',
  jwtClaimsTooLarge: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE',
  jwksUnavailable: 'GH_AUTHZ_JWKS_UNAVAILABLE',
  // Opaque tokens.
  tokenInactive: 'GH_AUTHZ_TOKEN_INACTIVE',
  tokenAudienceMismatch: 'GH_AUTHZ_TOKEN_AUDIENCE_MISMATCH',
  introspectionFailed: 'GH_AUTHZ_INTROSPECTION_FAILED',
  // API keys and basic auth.
  apiKeyMissing: 'GH_AUTHZ_API_KEY_MISSING',
  apiKeyInvalid: 'GH_AUTHZ_API_KEY_INVALID',
  basicMissing: 'GH_AUTHZ_BASIC_MISSING',
  basicInvalid: 'GH_AUTHZ_BASIC_INVALID',
  basicLocked: 'GH_AUTHZ_BASIC_LOCKED',
  basicBusy: 'GH_AUTHZ_BASIC_BUSY',
  // OIDC browser login.
  loginRequired: 'GH_AUTHZ_LOGIN_REQUIRED',
  oidcStateInvalid: 'GH_AUTHZ_OIDC_STATE_INVALID',
  oidcCallbackInvalid: 'GH_AUTHZ_OIDC_CALLBACK_INVALID',
  oidcCodeExchangeFailed: 'GH_AUTHZ_OIDC_CODE_EXCHANGE_FAILED',
  oidcIdTokenInvalid: 'GH_AUTHZ_OIDC_ID_TOKEN_INVALID',
  oidcProviderUnavailable: 'GH_AUTHZ_OIDC_PROVIDER_UNAVAILABLE',
  sessionInvalid: 'GH_AUTHZ_SESSION_INVALID',
  // Authorization rules.
  forbidden: 'GH_AUTHZ_FORBIDDEN',
  geoipUnavailable: 'GH_AUTHZ_GEOIP_UNAVAILABLE',
  // Fail closed.
  internal: 'GH_AUTHZ_INTERNAL',
  redisUnavailable: 'GH_AUTHZ_REDIS_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

// A dependency is down (JWKS, IdP, Redis, a geo database): the check fails closed with 503, not as a bad credential.
const UNAVAILABLE: ReadonlySet<string> = new Set([ErrorCodes.geoipUnavailable, ErrorCodes.jwksUnavailable, ErrorCodes.oidcProviderUnavailable, ErrorCodes.redisUnavailable, ErrorCodes.introspectionFailed]);

export function isUnavailableCode(code: string): boolean {
  return UNAVAILABLE.has(code);
}

/** A failed credential or request check; `code` is stable, `detail` is for logs only, never for clients. */
export class AuthzError extends Error {
  override readonly name = 'AuthzError';
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}
