// Which SecurityPolicy fields the authz service implements. Anything else present in a policy is a
// config error naming its path: a security policy must never be silently half-applied.
type Shape = true | { readonly [field: string]: Shape } | readonly [Shape];

const extractFrom: Shape = { headers: [{ name: true, valuePrefix: true }], cookies: true, params: true };
const objectRef: Shape = { group: true, kind: true, name: true, namespace: true };
const backendRef: Shape = { group: true, kind: true, name: true, namespace: true, port: true };
/** A BackendRef of backendRefs also has a weight and fallback (backend-order.ts). */
const weightedBackendRef: Shape = { ...backendRef, weight: true, fallback: true };
/** backendSettings of a backend authz fetches itself: only retry applies (xds refuses the rest by field). */
const backendSettings: Shape = { retry: { numRetries: true, retryOn: { triggers: true }, perRetry: { backOff: { baseInterval: true, maxInterval: true } } } };

const securityPolicySpec: Shape = {
  // Targeting and merging are the xds service's job; cors is Envoy's cors filter, which xds configures.
  // xds configures csrf (Envoy's csrf filter) and extAuth too, but never sends them here.
  targetRef: true,
  targetRefs: true,
  targetSelectors: true,
  mergeType: true,
  cors: true,
  jwt: {
    optional: true,
    failOpen: true,
    providers: [
      {
        name: true,
        issuer: true,
        audiences: true,
        claimToHeaders: [{ claim: true, header: true }],
        extractFrom,
        localJWKS: { type: true, inline: true, valueRef: objectRef },
        remoteJWKS: { uri: true, cacheDuration: true, failedRefetchDuration: true, backendRef: backendRef, backendRefs: [weightedBackendRef], backendSettings },
        recomputeRoute: true, // Envoy's: xds sets clear_route_cache on the ext_authz filter
      },
    ],
  },
  oidc: {
    provider: { issuer: true, authorizationEndpoint: true, tokenEndpoint: true, endSessionEndpoint: true, backendRef: backendRef, backendRefs: [weightedBackendRef], backendSettings },
    clientID: true,
    clientIDRef: objectRef,
    clientSecret: objectRef,
    scopes: true,
    resources: true,
    redirectURL: true,
    logoutPath: true,
    forwardAccessToken: true,
    forwardIDToken: { header: true },
    refreshToken: true,
    defaultTokenTTL: true,
    defaultRefreshTokenTTL: true,
    csrfTokenTTL: true,
    cookieConfig: { sameSite: true },
    passThroughAuthHeader: true,
    denyRedirect: { headers: [{ name: true, type: true, value: true }] },
    cookieDomain: true,
    disableTokenEncryption: true, // false only: true is refused by compile-oidc
  },
  apiKeyAuth: { credentialRefs: [objectRef], extractFrom: [{ headers: true, cookies: true, params: true }], forwardClientIDHeader: true, sanitize: true },
  basicAuth: { users: objectRef, forwardUsernameHeader: true },
  authorization: {
    defaultAction: true,
    rules: [
      {
        name: true,
        action: true,
        principal: {
          clientCIDRs: true,
          clientIPGeoLocations: [{ country: true, region: true, city: true, asn: true, isp: true, anonymous: { isAnonymous: true, isVPN: true, isHosting: true, isTor: true, isProxy: true } }],
          headers: [{ name: true, values: true }],
          jwt: { provider: true, claims: [{ name: true, valueType: true, values: true }], scopes: true },
        },
        operation: { methods: true, path: { type: true, value: true, invert: true } },
        cel: true,
      },
    ],
  },
};

/** JSON pointers of every field under `spec` that the service does not implement. */
export function findUnsupportedFields(spec: unknown): string[] {
  const found: string[] = [];
  walk(spec, securityPolicySpec, '/spec', found);
  return found;
}

function walk(value: unknown, shape: Shape, path: string, found: string[]): void {
  if (shape === true || value === null || typeof value !== 'object') return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, shape[0]!, `${path}/${index}`, found));
    return;
  }
  for (const [field, child] of Object.entries(value)) {
    const childShape = (shape as Record<string, Shape>)[field];
    const childPath = `${path}/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (childShape === undefined) found.push(childPath);
    else walk(child, childShape, childPath, found);
  }
}
