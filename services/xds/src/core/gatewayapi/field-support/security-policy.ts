// Every field of Envoy Gateway v1.9's SecurityPolicy: what Envoy (or the authz service Envoy calls)
// gets from it and the test that shows it, or why it is refused. A refused field present in a policy
// makes it Accepted=False naming the field (./refused-fields.ts); a refused object refuses all its
// fields. field-support.test.ts walks the CRD and fails on a field without an entry; the README's
// SecurityPolicy table is generated from this one (`pnpm -F @gatehouse/xds fields:readme`).
import type { FieldSupport } from './field-support.js';
import { authzBackendSettingsFields, policyBackendFields } from './policy-backend-fields.js';

const GOLDEN = 'services/xds/src/core/gatewayapi/testdata';
const TCP_TEST = 'services/xds/testdata/end-to-end/securitypolicy-tcp-authorization.in.yaml';
const END_TO_END = 'services/xds/testdata/end-to-end/securitypolicy-cors-and-ext-auth.in.yaml';
const AUTHZ_TESTS = 'services/authz/src/core/policy/compile.test.ts';
const JWT_VALUES_TEST = 'services/xds/testdata/end-to-end/securitypolicy-jwt-values-authz-reads.in.yaml';

function translated(envoy: string, test: string): FieldSupport {
  return { status: 'translated', envoy, test };
}

function refused(reason: string): FieldSupport {
  return { status: 'refused', reason };
}

/** Evaluated by the Gatehouse authz service, which Envoy's ext_authz filter asks per request. */
function authz(what: string, test = AUTHZ_TESTS): FieldSupport {
  return translated(`ext_authz (envoy.filters.http.ext_authz, context_extensions policy) → Gatehouse authz: ${what}`, test);
}

const BACKENDS_TEST = 'services/xds/testdata/end-to-end/policy-backends-weighted-settings.in.yaml';
const SELECTED = "the Gateways and routes of that kind (in the policy's namespace unless `namespaces` says otherwise) whose labels match (matchLabels and matchExpressions In, NotIn, Exists, DoesNotExist), attached like targetRefs";
const SELECTORS_TEST = `${GOLDEN}/securitypolicy-target-selectors.in.yaml`;
const SELECTED_NAMESPACES =
  "Same (the default): the policy's namespace; All: every namespace; Selector: the namespaces whose Namespace document's labels match. A target in another namespace is selected only when a ReferenceGrant there allows SecurityPolicy (gateway.envoyproxy.io) to reference its kind, otherwise ignored; its ancestor is its own Gateway, its routes ask authz for this policy (Secrets still read in the policy's namespace)";
const SELECTORS_NAMESPACES_TEST = 'services/xds/testdata/end-to-end/securitypolicy-target-selectors-namespaces.in.yaml';

const targeting: Record<string, FieldSupport> = {
  'spec.targetRef': translated('which routes get the policy (deprecated single form of targetRefs)', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml`),
  'spec.targetRef.group': translated('target group (gateway.networking.k8s.io)', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml`),
  'spec.targetRef.kind': translated('Gateway, ListenerSet, HTTPRoute, GRPCRoute or TCPRoute (its authorization on client CIDRs only: network RBAC)', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml, ${TCP_TEST}`),
  'spec.targetRef.name': translated('target name', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml`),
  'spec.targetRef.sectionName': translated('a Gateway listener or a route rule; an unknown one is Accepted=False TargetNotFound', `${GOLDEN}/securitypolicy-refs-unresolved.in.yaml`),
  'spec.targetRefs': translated('which routes get the policy (rule beats route beats listener beats Gateway)', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml`),
  'spec.targetRefs.group': translated('target group (gateway.networking.k8s.io)', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml`),
  'spec.targetRefs.kind': translated('Gateway, ListenerSet, HTTPRoute, GRPCRoute or TCPRoute (its authorization on client CIDRs only: network RBAC)', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml, ${TCP_TEST}`),
  'spec.targetRefs.name': translated('target name', `${GOLDEN}/securitypolicy-attachment-precedence-and-conflicts.in.yaml`),
  'spec.targetRefs.sectionName': translated('a Gateway listener or a route rule; an unknown one is Accepted=False TargetNotFound', `${GOLDEN}/securitypolicy-refs-unresolved.in.yaml`),
  'spec.targetSelectors': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.group': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.kind': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.matchExpressions': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.matchExpressions.key': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.matchExpressions.operator': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.matchExpressions.values': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.matchLabels': translated(SELECTED, SELECTORS_TEST),
  'spec.targetSelectors.namespaces': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.targetSelectors.namespaces.from': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.targetSelectors.namespaces.selector': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.targetSelectors.namespaces.selector.matchExpressions': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.targetSelectors.namespaces.selector.matchExpressions.key': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.targetSelectors.namespaces.selector.matchExpressions.operator': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.targetSelectors.namespaces.selector.matchExpressions.values': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.targetSelectors.namespaces.selector.matchLabels': translated(SELECTED_NAMESPACES, SELECTORS_NAMESPACES_TEST),
  'spec.mergeType': translated(
    "StrategicMerge or JSONMerge (lists replaced, as the API declares no merge keys): the route policy's spec merged over the closest SecurityPolicy of each listener the route attaches to (the listener's, else its ListenerSet's, else its Gateway's) is what the route enforces (Envoy filters, and in authz under the key <ns>/<name>.merged.<parent ns>.<parent name>); Merged on both policies",
    `services/xds/testdata/end-to-end/securitypolicy-merge-type.in.yaml, services/xds/src/core/gatewayapi/security-merge.test.ts`,
  ),
};

const cors: Record<string, FieldSupport> = {
  'spec.cors': translated('envoy.filters.http.cors in the HCM + per-route typed_per_filter_config CorsPolicy', `${END_TO_END}, e2e/specs/cors-ext-auth.spec.ts`),
  'spec.cors.allowOrigins': translated('CorsPolicy.allow_origin_string_match ("*" and wildcards as safe_regex, others exact)', `${END_TO_END}, e2e/specs/cors-ext-auth.spec.ts`),
  'spec.cors.allowMethods': translated('CorsPolicy.allow_methods', END_TO_END),
  'spec.cors.allowHeaders': translated('CorsPolicy.allow_headers', END_TO_END),
  'spec.cors.exposeHeaders': translated('CorsPolicy.expose_headers', END_TO_END),
  'spec.cors.maxAge': translated('CorsPolicy.max_age (seconds)', END_TO_END),
  'spec.cors.allowCredentials': translated('CorsPolicy.allow_credentials', END_TO_END),
  'spec.csrf': translated('envoy.filters.http.csrf in the HCM (filter_enabled 0%) + per-route typed_per_filter_config CsrfPolicy enforcing it', `${END_TO_END}, e2e/specs/cors-ext-auth.spec.ts`),
  'spec.csrf.additionalOrigins': translated('CsrfPolicy.additional_origins (host[:port]; "*" and wildcards as safe_regex)', `${END_TO_END}, e2e/specs/cors-ext-auth.spec.ts`),
  'spec.csrf.shadowFraction': translated('CsrfPolicy.filter_enabled = 100% − fraction, shadow_enabled 100%', END_TO_END),
  'spec.csrf.shadowFraction.numerator': translated('shadow fraction numerator', END_TO_END),
  'spec.csrf.shadowFraction.denominator': translated('shadow fraction denominator (default 100)', END_TO_END),
};

const backendRef = (at: string, envoy: string, test: string): Record<string, FieldSupport> => ({
  [`${at}.backendRef`]: translated(envoy, test),
  [`${at}.backendRef.group`]: translated('gateway.envoyproxy.io (Backend)', test),
  [`${at}.backendRef.kind`]: translated('Backend', test),
  [`${at}.backendRef.name`]: translated('the Backend; missing: Accepted=False Invalid', test),
  [`${at}.backendRef.namespace`]: translated('the Backend namespace (ReferenceGrant needed across namespaces)', test),
  [`${at}.backendRef.port`]: translated('accepted; each Backend endpoint carries its own port', test),
  [`${at}.backendRefs`]: translated(envoy, test),
  [`${at}.backendRefs.group`]: translated('gateway.envoyproxy.io (Backend)', test),
  [`${at}.backendRefs.kind`]: translated('Backend', test),
  [`${at}.backendRefs.name`]: translated('the Backend; missing: Accepted=False Invalid', test),
  [`${at}.backendRefs.namespace`]: translated('the Backend namespace (ReferenceGrant needed across namespaces)', test),
  [`${at}.backendRefs.port`]: translated('accepted; each Backend endpoint carries its own port', test),
});

/** remoteJWKS and oidc.provider: authz spreads its own fetches over every backendRef (backend-order.ts). */
const AUTHZ_BACKENDS_TEST = `services/authz/src/core/backend-order.test.ts, services/authz/src/adapters/fetch-via-backends.int.test.ts, ${GOLDEN}/securitypolicy-jwks-backends-weighted.in.yaml`;
const authzBackendRefs = (at: string): Record<string, FieldSupport> => ({
  [`${at}.backendRefs`]: authz('every backendRef: each fetch tries a primary picked by weight, then the other primaries, then the fallbacks, moving on at a connect error, timeout or 5xx; each Backend\'s address (and BackendTLSPolicy) is published with the policy', AUTHZ_BACKENDS_TEST),
  [`${at}.backendRefs.weight`]: authz('the backend\'s chance to be tried first among the primaries (default 1); weight 0: never tried; all 0: Accepted=False', AUTHZ_BACKENDS_TEST),
  [`${at}.backendRefs.fallback`]: authz('tried only after every primary failed on that fetch (Envoy Gateway\'s priority 1)', AUTHZ_BACKENDS_TEST),
});

const EXT_AUTH_TEST = END_TO_END;
const EXT_AUTH_OPTIONS = 'services/xds/testdata/end-to-end/securitypolicy-ext-auth-route-options.in.yaml';
const extAuth: Record<string, FieldSupport> = {
  'spec.extAuth': translated('its own ext_authz filter envoy.filters.http.ext_authz/securitypolicy/<ns>/<name> (disabled in the HCM, enabled on its routes), before Gatehouse authz', `${EXT_AUTH_TEST}, e2e/specs/cors-ext-auth.spec.ts`),
  'spec.extAuth.grpc': translated('ExtAuthz.grpc_service.envoy_grpc (cluster backend/<ns>/<name>, HTTP/2)', EXT_AUTH_TEST),
  ...backendRef('spec.extAuth.grpc', 'the cluster of ExtAuthz.grpc_service', EXT_AUTH_TEST),
  ...policyBackendFields('spec.extAuth.grpc', 'grpc', 'the cluster securitypolicy/<ns>/<name>/0', BACKENDS_TEST),
  'spec.extAuth.grpc.backendRefs': translated('the cluster of ExtAuthz.grpc_service: the one backend\'s, or securitypolicy/<ns>/<name>/0 holding every backend\'s endpoints', `${EXT_AUTH_TEST}, ${BACKENDS_TEST}`),
  'spec.extAuth.http': translated('ExtAuthz.http_service.server_uri (cluster backend/<ns>/<name>)', `${EXT_AUTH_TEST}, e2e/specs/cors-ext-auth.spec.ts`),
  ...backendRef('spec.extAuth.http', 'the cluster of ExtAuthz.http_service.server_uri', EXT_AUTH_TEST),
  ...policyBackendFields('spec.extAuth.http', 'http', 'the cluster securitypolicy/<ns>/<name>/0', `${BACKENDS_TEST}, e2e/specs/cors-ext-auth.spec.ts`),
  'spec.extAuth.http.backendRefs': translated('the cluster of ExtAuthz.http_service.server_uri: the one backend\'s, or securitypolicy/<ns>/<name>/0 holding every backend\'s endpoints', `${EXT_AUTH_TEST}, ${BACKENDS_TEST}`),
  'spec.extAuth.http.path': translated('ExtAuthz.http_service.path_prefix', EXT_AUTH_TEST),
  'spec.extAuth.http.pathOverride': refused('pathOverride needs an ext_authz HttpService path override, which is newer than the Envoy API Gatehouse validates against: use path (a prefix)'),
  'spec.extAuth.http.headersToBackend': translated('ExtAuthz.http_service.authorization_response.allowed_upstream_headers', `${EXT_AUTH_TEST}, e2e/specs/cors-ext-auth.spec.ts`),
  'spec.extAuth.headersToExtAuth': translated('ExtAuthz.allowed_headers', EXT_AUTH_TEST),
  'spec.extAuth.bodyToExtAuth': translated('ExtAuthz.with_request_body', EXT_AUTH_TEST),
  'spec.extAuth.bodyToExtAuth.maxRequestBytes': translated('ExtAuthz.with_request_body.max_request_bytes (allow_partial_message)', EXT_AUTH_TEST),
  'spec.extAuth.failOpen': translated('ExtAuthz.failure_mode_allow', EXT_AUTH_TEST),
  'spec.extAuth.timeout': translated('grpc_service.timeout / http_service.server_uri.timeout (default 10s)', EXT_AUTH_TEST),
  'spec.extAuth.statusOnError': translated('ExtAuthz.status_on_error', EXT_AUTH_TEST),
  'spec.extAuth.contextExtensions': translated('ExtAuthzPerRoute.check_settings.context_extensions on its routes', EXT_AUTH_TEST),
  'spec.extAuth.contextExtensions.name': translated('context extension key', EXT_AUTH_TEST),
  'spec.extAuth.contextExtensions.type': translated('Value or ValueRef', EXT_AUTH_TEST),
  'spec.extAuth.contextExtensions.value': translated('context extension value', EXT_AUTH_TEST),
  'spec.extAuth.contextExtensions.valueRef': translated('the value of a ConfigMap or Secret key of the policy namespace; missing: Accepted=False', EXT_AUTH_OPTIONS),
  'spec.extAuth.contextExtensions.valueRef.group': translated('"" (core)', EXT_AUTH_OPTIONS),
  'spec.extAuth.contextExtensions.valueRef.kind': translated('ConfigMap or Secret', EXT_AUTH_OPTIONS),
  'spec.extAuth.contextExtensions.valueRef.name': translated('the ConfigMap or Secret', EXT_AUTH_OPTIONS),
  'spec.extAuth.contextExtensions.valueRef.key': translated('its key', EXT_AUTH_OPTIONS),
  'spec.extAuth.includeRouteMetadata': translated(
    'ExtAuthz.route_metadata_context_namespaces ["envoy-gateway"] + route metadata filter_metadata["envoy-gateway"].resources [{kind, namespace, name}] (no sectionName or annotations)',
    EXT_AUTH_OPTIONS,
  ),
  'spec.extAuth.recomputeRoute': translated('ExtAuthz.clear_route_cache on the policy\'s own filter', EXT_AUTH_OPTIONS),
};

const jwt: Record<string, FieldSupport> = {
  'spec.jwt': authz('JWT verification'),
  'spec.jwt.optional': authz('requests without a token pass'),
  'spec.jwt.failOpen': authz('a missing or invalid token passes unauthenticated (a valid one still verifies and sets its headers; the rules still apply; an unreachable JWKS still fails closed)', 'services/authz/src/core/authorize.test.ts'),
  'spec.jwt.providers': authz('providers, matched by issuer'),
  'spec.jwt.providers.name': authz('provider name'),
  'spec.jwt.providers.issuer': authz('iss check'),
  'spec.jwt.providers.audiences': authz('aud check: the token must name one of them; none listed checks no aud (as Envoy Gateway)', `${AUTHZ_TESTS}, ${JWT_VALUES_TEST}`),
  'spec.jwt.providers.claimToHeaders': authz('claims written to upstream headers', 'services/xds/src/identity-headers.int.test.ts'),
  'spec.jwt.providers.claimToHeaders.claim': authz('claim read'),
  'spec.jwt.providers.claimToHeaders.header': authz('header written (an owned identity header)'),
  'spec.jwt.providers.extractFrom': authz('where the token is read'),
  'spec.jwt.providers.extractFrom.headers': authz('headers'),
  'spec.jwt.providers.extractFrom.headers.name': authz('header name'),
  'spec.jwt.providers.extractFrom.headers.valuePrefix': authz('value prefix'),
  'spec.jwt.providers.extractFrom.cookies': authz('cookies'),
  'spec.jwt.providers.extractFrom.params': authz('query parameters'),
  'spec.jwt.providers.localJWKS': authz('keys inline or from a ConfigMap'),
  'spec.jwt.providers.localJWKS.type': authz('Inline or ValueRef'),
  'spec.jwt.providers.localJWKS.inline': authz('inline JWKS'),
  'spec.jwt.providers.localJWKS.valueRef': authz('a ConfigMap of the policy namespace (key jwks, else its only value), published to authz with the policy; missing: Accepted=False', JWT_VALUES_TEST),
  'spec.jwt.providers.localJWKS.valueRef.group': authz('ConfigMap group'),
  'spec.jwt.providers.localJWKS.valueRef.kind': authz('ConfigMap'),
  'spec.jwt.providers.localJWKS.valueRef.name': authz('ConfigMap name', JWT_VALUES_TEST),
  'spec.jwt.providers.recomputeRoute': translated(
    "true: clear_route_cache on Gatehouse's ext_authz filter of the listener, so the claim headers authz sets re-select the route (one filter per listener: its other routes are re-selected too, on the same verified headers)",
    'services/xds/testdata/end-to-end/securitypolicy-jwt-recompute-route.in.yaml',
  ),
  'spec.jwt.providers.remoteJWKS': authz('keys fetched and cached', 'services/authz/src/adapters/remote-jwks.int.test.ts'),
  'spec.jwt.providers.remoteJWKS.uri': authz('JWKS URI: https, or http to a loopback host (else Accepted=False)', `services/authz/src/adapters/remote-jwks.int.test.ts, ${JWT_VALUES_TEST}`),
  'spec.jwt.providers.remoteJWKS.cacheDuration': authz('cache lifetime', 'services/authz/src/adapters/remote-jwks.int.test.ts'),
  'spec.jwt.providers.remoteJWKS.failedRefetchDuration': authz('retry after a failed fetch', 'services/authz/src/adapters/remote-jwks.int.test.ts'),
  ...backendRef(
    'spec.jwt.providers.remoteJWKS',
    "authz fetches the uri over a connection to the picked Backend's first IP or FQDN endpoint (Host, SNI and certificate check stay the uri's host, unless a BackendTLSPolicy targets the Backend: then TLS with its hostname as SNI, its SANs and CA); the address is published with the policy",
    `services/authz/src/adapters/remote-jwks.int.test.ts, ${GOLDEN}/securitypolicy-jwks-backend.in.yaml`,
  ),
  ...authzBackendRefs('spec.jwt.providers.remoteJWKS'),
  ...authzBackendSettingsFields('spec.jwt.providers.remoteJWKS.backendSettings', (what) => authz(what, 'services/authz/src/adapters/retrying-fetch.test.ts')),
  'spec.jwt.providers.remoteJWKS.backendRef.namespace': translated("the policy's namespace only (another one: Accepted=False)", `${GOLDEN}/securitypolicy-jwks-backend.in.yaml`),
  'spec.jwt.providers.remoteJWKS.backendRefs.namespace': translated("the policy's namespace only (another one: Accepted=False)", `${GOLDEN}/securitypolicy-jwks-backend.in.yaml`),
};

const OIDC_TEST = 'services/authz/src/oidc-flow.int.test.ts';
const oidc: Record<string, FieldSupport> = {
  'spec.oidc': authz('OpenID Connect login (code flow with PKCE)', OIDC_TEST),
  'spec.oidc.provider': authz('the identity provider', OIDC_TEST),
  'spec.oidc.provider.issuer': authz('issuer and discovery', OIDC_TEST),
  'spec.oidc.provider.authorizationEndpoint': authz('authorization endpoint', OIDC_TEST),
  'spec.oidc.provider.tokenEndpoint': authz('token endpoint', OIDC_TEST),
  'spec.oidc.provider.endSessionEndpoint': authz('logout endpoint', OIDC_TEST),
  ...backendRef(
    'spec.oidc.provider',
    "authz's calls to the provider (discovery, token, introspection, JWKS) connect to the picked Backend's first IP or FQDN endpoint (Host, SNI and certificate check stay the URLs' host, unless a BackendTLSPolicy targets the Backend: then TLS with its hostname as SNI, its SANs and CA); the address is published with the policy",
    `${OIDC_TEST}, ${GOLDEN}/securitypolicy-jwks-backend.in.yaml`,
  ),
  ...authzBackendRefs('spec.oidc.provider'),
  ...authzBackendSettingsFields('spec.oidc.provider.backendSettings', (what) => authz(what, 'services/authz/src/adapters/retrying-fetch.test.ts')),
  'spec.oidc.provider.backendRef.namespace': translated("the policy's namespace only (another one: Accepted=False)", `${GOLDEN}/securitypolicy-jwks-backend.in.yaml`),
  'spec.oidc.provider.backendRefs.namespace': translated("the policy's namespace only (another one: Accepted=False)", `${GOLDEN}/securitypolicy-jwks-backend.in.yaml`),
  'spec.oidc.clientID': authz('client id', OIDC_TEST),
  'spec.oidc.clientIDRef': authz('client id from a Secret', OIDC_TEST),
  'spec.oidc.clientIDRef.group': authz('Secret group', OIDC_TEST),
  'spec.oidc.clientIDRef.kind': authz('Secret', OIDC_TEST),
  'spec.oidc.clientIDRef.name': authz('Secret name', OIDC_TEST),
  'spec.oidc.clientIDRef.namespace': authz('Secret namespace', OIDC_TEST),
  'spec.oidc.clientSecret': authz('client secret from a Secret (missing: Accepted=False Invalid)', `${GOLDEN}/securitypolicy-refs-unresolved.in.yaml, ${OIDC_TEST}`),
  'spec.oidc.clientSecret.group': authz('Secret group', OIDC_TEST),
  'spec.oidc.clientSecret.kind': authz('Secret', OIDC_TEST),
  'spec.oidc.clientSecret.name': authz('Secret name', OIDC_TEST),
  'spec.oidc.clientSecret.namespace': authz('Secret namespace', OIDC_TEST),
  'spec.oidc.scopes': authz('scopes asked', OIDC_TEST),
  'spec.oidc.resources': authz('resource indicators', OIDC_TEST),
  'spec.oidc.redirectURL': authz('callback URL', OIDC_TEST),
  'spec.oidc.logoutPath': authz('logout path', OIDC_TEST),
  'spec.oidc.forwardAccessToken': authz('Authorization: Bearer upstream', OIDC_TEST),
  'spec.oidc.forwardIDToken': authz('ID token upstream', OIDC_TEST),
  'spec.oidc.forwardIDToken.header': authz('its header', OIDC_TEST),
  'spec.oidc.refreshToken': authz('refresh', OIDC_TEST),
  'spec.oidc.defaultTokenTTL': authz('session lifetime without expires_in', OIDC_TEST),
  'spec.oidc.defaultRefreshTokenTTL': authz('refresh token lifetime', OIDC_TEST),
  'spec.oidc.csrfTokenTTL': authz('login lifetime', OIDC_TEST),
  'spec.oidc.cookieConfig': authz('cookie attributes', OIDC_TEST),
  'spec.oidc.cookieConfig.sameSite': authz('SameSite', OIDC_TEST),
  'spec.oidc.passThroughAuthHeader': authz('a verified JWT skips the session', OIDC_TEST),
  'spec.oidc.denyRedirect': authz('no login redirect for matching requests', OIDC_TEST),
  'spec.oidc.denyRedirect.headers': authz('headers', OIDC_TEST),
  'spec.oidc.denyRedirect.headers.name': authz('header name', OIDC_TEST),
  'spec.oidc.denyRedirect.headers.type': authz('match type', OIDC_TEST),
  'spec.oidc.denyRedirect.headers.value': authz('match value', OIDC_TEST),
  'spec.oidc.cookieDomain': authz('the session cookie becomes __Secure-gh-session-<hash> with Domain=<cookieDomain>, so subdomains share the login', OIDC_TEST),
  'spec.oidc.cookieNames': refused(
    "Gatehouse sets no access or ID token cookies to rename: tokens stay server-side, sealed in Redis, behind one session cookie per policy (__Host-gh-session-<policy hash>). Envoy Gateway names the browser cookies Envoy's oauth2 filter keeps the tokens in (encrypted unless disableTokenEncryption); handing tokens to the browser is what Gatehouse does not do: use forwardAccessToken / forwardIDToken for the upstream",
  ),
  'spec.oidc.disableTokenEncryption': authz(
    'false (the default): tokens are sealed (AES-256-GCM) in Redis and never sent to the browser; true is Accepted=False (no plain-text token storage: use forwardAccessToken / forwardIDToken)',
    `${OIDC_TEST}, ${GOLDEN}/securitypolicy-oidc-cookie-settings.in.yaml`,
  ),
};

const secretRef = (at: string, what: string, test: string): Record<string, FieldSupport> => ({
  [`${at}.group`]: authz(`${what} group`, test),
  [`${at}.kind`]: authz(`${what} kind (Secret)`, test),
  [`${at}.name`]: authz(`${what} name (missing: Accepted=False Invalid)`, test),
  [`${at}.namespace`]: authz(`${what} namespace`, test),
});

const credentials: Record<string, FieldSupport> = {
  'spec.apiKeyAuth': authz('API keys'),
  'spec.apiKeyAuth.credentialRefs': authz('Secrets holding client id → key'),
  ...secretRef('spec.apiKeyAuth.credentialRefs', 'credential Secret', AUTHZ_TESTS),
  'spec.apiKeyAuth.extractFrom': authz('where the key is read'),
  'spec.apiKeyAuth.extractFrom.headers': authz('headers'),
  'spec.apiKeyAuth.extractFrom.cookies': authz('cookies'),
  'spec.apiKeyAuth.extractFrom.params': authz('query parameters'),
  'spec.apiKeyAuth.forwardClientIDHeader': authz('client id header upstream'),
  'spec.apiKeyAuth.sanitize': authz('key removed before forwarding'),
  'spec.basicAuth': authz('htpasswd users', 'services/authz/src/basic-auth.int.test.ts'),
  'spec.basicAuth.users': authz('the htpasswd Secret', 'services/authz/src/basic-auth.int.test.ts'),
  ...secretRef('spec.basicAuth.users', 'htpasswd Secret', 'services/authz/src/basic-auth.int.test.ts'),
  'spec.basicAuth.forwardUsernameHeader': authz('user name header upstream'),
};

const RULES_TEST = 'services/authz/src/core/decide/evaluate-authorization.test.ts';
const GEO_TESTS = `services/authz/src/core/decide/geo.test.ts, services/authz/src/geoip.int.test.ts, ${GOLDEN}/securitypolicy-authorization-geo.in.yaml, e2e/specs/geoip-rules.spec.ts`;
const authorization: Record<string, FieldSupport> = {
  'spec.authorization': authz('authorization rules, first match decides', RULES_TEST),
  'spec.authorization.defaultAction': authz('Allow or Deny when no rule matches', RULES_TEST),
  'spec.authorization.rules': authz('rules', RULES_TEST),
  'spec.authorization.rules.name': authz('rule name', RULES_TEST),
  'spec.authorization.rules.action': authz('Allow or Deny', RULES_TEST),
  'spec.authorization.rules.cel': authz(
    'CEL over Envoy attributes (request.*, source.*, destination.*, connection.*, JWT claims in metadata.filter_metadata["envoy.filters.http.jwt_authn"][issuer]); true also needed for the rule to match; an expression that does not compile is Accepted=False',
    `${RULES_TEST}, packages/cel/src/cel.test.ts, services/authz/src/service.int.test.ts, ${GOLDEN}/securitypolicy-authorization-cel.in.yaml`,
  ),
  'spec.authorization.rules.operation': authz('request operation', RULES_TEST),
  'spec.authorization.rules.operation.methods': authz('methods', RULES_TEST),
  'spec.authorization.rules.operation.path': authz('path (normalised)', RULES_TEST),
  'spec.authorization.rules.operation.path.type': authz('Exact, PathPrefix, RegularExpression', RULES_TEST),
  'spec.authorization.rules.operation.path.value': authz('path value', RULES_TEST),
  'spec.authorization.rules.operation.path.invert': authz('inverted match', RULES_TEST),
  'spec.authorization.rules.principal': authz('who', RULES_TEST),
  'spec.authorization.rules.principal.clientCIDRs': translated(
    'ext_authz (envoy.filters.http.ext_authz, context_extensions policy) → Gatehouse authz: client address ranges; on TCP and TLS chains (a TCPRoute target, or a listener, ListenerSet or Gateway policy reaching them) Envoy\'s network RBAC filter ahead of tcp_proxy, one matcher per rule on the connection\'s source IP (SourceIPInput, Ip matcher; the PROXY protocol address when a ClientTrafficPolicy asks for it, never X-Forwarded-For)',
    `${RULES_TEST}, ${TCP_TEST}`,
  ),
  'spec.authorization.rules.principal.clientIPGeoLocations': authz(
    "the client address Envoy reports (after clientIPDetection) looked up in the MaxMind DB files of authz's AUTHZ_GEOIP_*_DB; any entry matches; an entry naming no field, or a listener without a ClientTrafficPolicy clientIPDetection (or with trustedCIDRs), is Accepted=False as in Envoy Gateway; a rule needing a database authz has not loaded denies 503 GH_AUTHZ_GEOIP_UNAVAILABLE (authz /status names the gap)",
    GEO_TESTS,
  ),
  'spec.authorization.rules.principal.clientIPGeoLocations.country': authz('City database country.iso_code, ignoring case', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.region': authz('City database subdivisions[0].iso_code, ignoring case', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.city': authz('City database city.names.en, ignoring case', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.asn': authz('ASN (else ISP) database autonomous_system_number', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.isp': authz('ISP database isp, ignoring case', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.anonymous': authz('Anonymous-IP database flags (an address it does not list: all false); naming no flag is Accepted=False', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.anonymous.isAnonymous': authz('is_anonymous', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.anonymous.isVPN': authz('is_anonymous_vpn', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.anonymous.isHosting': authz('is_hosting_provider', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.anonymous.isTor': authz('is_tor_exit_node', GEO_TESTS),
  'spec.authorization.rules.principal.clientIPGeoLocations.anonymous.isProxy': authz('is_public_proxy', GEO_TESTS),
  'spec.authorization.rules.principal.headers': authz('request headers', RULES_TEST),
  'spec.authorization.rules.principal.headers.name': authz('header name', RULES_TEST),
  'spec.authorization.rules.principal.headers.values': authz('any of these values', RULES_TEST),
  'spec.authorization.rules.principal.jwt': authz('verified JWT', RULES_TEST),
  'spec.authorization.rules.principal.jwt.provider': authz('provider', RULES_TEST),
  'spec.authorization.rules.principal.jwt.claims': authz('claims', RULES_TEST),
  'spec.authorization.rules.principal.jwt.claims.name': authz('claim name (dotted)', RULES_TEST),
  'spec.authorization.rules.principal.jwt.claims.valueType': authz('String or StringArray', RULES_TEST),
  'spec.authorization.rules.principal.jwt.claims.values': authz('any of these values', RULES_TEST),
  'spec.authorization.rules.principal.jwt.scopes': authz('all of these scopes', RULES_TEST),
};

export const securityPolicyFields: Record<string, FieldSupport> = {
  ...targeting,
  ...cors,
  ...extAuth,
  ...jwt,
  ...oidc,
  ...credentials,
  ...authorization,
};
