// A SecurityPolicy's spec -> what Envoy enforces itself (cors: the cors filter; extAuth: the user's
// own ext_authz service) and whether Gatehouse's authz service must be asked (jwt, oidc, apiKeyAuth,
// basicAuth, authorization). Refused fields (field-support/security-policy.ts) and references that
// do not resolve are problems: the policy is Accepted=False (Invalid) and its routes fail closed.
import type { GatewayResource } from '../provider/resource-types.js';
import type { CorsIR, CsrfIR, ExtAuthIR, StringMatchIR } from '../ir/types.js';
import { celProblems } from './authorization-cel.js';
import { geoLocationProblems } from './authorization-geo.js';
import { geoClientIpProblems } from './authorization-geo-client-ip.js';
import { refusedValues } from './security-policy-values.js';
import { resolveAuthzBackends } from './authz-backends.js';
import type { ClusterRegistry, BackendRef } from './backends.js';
import { parseDurationMs } from './durations.js';
import { resolveContextExtensions, type ContextExtensionSpec } from './ext-auth-context.js';
import { findRefusedFields } from './field-support/refused-fields.js';
import { securityPolicyFields } from './field-support/security-policy.js';
import type { ResourceIndex } from './resource-index.js';
import { planPolicyBackends, policyBackendRefs, resolvePolicyBackends, type PolicyBackendRef, type PolicyBackends } from './policy-backends.js';
import { objectsOf } from './shape.js';

/** Sections the Gatehouse authz service evaluates (services/authz "Policy reference"). */
export const AUTHZ_SECTIONS = ['jwt', 'oidc', 'apiKeyAuth', 'basicAuth', 'authorization'] as const;

/** Envoy Gateway's default timeout for an external authorization service. */
const DEFAULT_EXT_AUTH_TIMEOUT_MS = 10_000;

/** extAuth before its backend is resolved for one Gateway. */
export type ExtAuthPlan = Omit<ExtAuthIR, 'cluster' | 'authority'> & { backendRef: BackendRef; backends: PolicyBackends };

export interface SecurityFeatures {
  /** Ask Gatehouse's authz service (the policy has one of AUTHZ_SECTIONS). */
  authz: boolean;
  /** A jwt provider has recomputeRoute: true (the authz filter clears the route cache). */
  authzRecomputeRoute?: boolean;
  cors?: CorsIR;
  csrf?: CsrfIR;
  extAuth?: ExtAuthPlan;
}

interface CorsSpec {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: string;
  allowCredentials?: boolean;
}

interface ExtAuthSpec {
  grpc?: { backendRef?: PolicyBackendRef; backendRefs?: PolicyBackendRef[]; backendSettings?: unknown };
  http?: { backendRef?: PolicyBackendRef; backendRefs?: PolicyBackendRef[]; backendSettings?: unknown; path?: string; headersToBackend?: string[] };
  headersToExtAuth?: string[];
  bodyToExtAuth?: { maxRequestBytes?: number };
  failOpen?: boolean;
  timeout?: string;
  statusOnError?: number;
  contextExtensions?: ContextExtensionSpec[];
  recomputeRoute?: boolean;
  includeRouteMetadata?: boolean;
}

interface SecurityPolicySpec {
  cors?: CorsSpec;
  csrf?: { additionalOrigins?: string[]; shadowFraction?: { numerator: number; denominator?: number } };
  extAuth?: ExtAuthSpec;
  oidc?: { clientSecret?: { name?: string; namespace?: string }; clientIDRef?: { name?: string; namespace?: string } };
  apiKeyAuth?: { credentialRefs?: Array<{ name?: string; namespace?: string }> };
  basicAuth?: { users?: { name?: string; namespace?: string } };
}

/** `otherNamespaces`: where Secret refs may also point (a merged policy's parent: security-merge.ts). */
export function translateSecurityFeatures(policy: GatewayResource, index: ResourceIndex, otherNamespaces: readonly string[] = []): { features: SecurityFeatures; problems: string[] } {
  const spec = (policy.spec ?? {}) as SecurityPolicySpec & Record<string, unknown>;
  const namespace = policy.metadata.namespace;
  const problems = [...findRefusedFields(spec, securityPolicyFields), ...celProblems(spec), ...geoLocationProblems(spec), ...geoClientIpProblems(policy, index), ...refusedValues(spec), ...resolveAuthzBackends(spec, namespace, index).problems];
  const features: SecurityFeatures = { authz: AUTHZ_SECTIONS.some((section) => spec[section] !== undefined) };
  if (objectsOf<{ recomputeRoute?: boolean }>((spec.jwt as { providers?: unknown } | undefined)?.providers).some((p) => p.recomputeRoute === true)) features.authzRecomputeRoute = true;

  for (const [field, ref, key] of secretRefs(spec)) {
    if (!ref.name) continue;
    const secretNamespace = ref.namespace ?? namespace;
    if (secretNamespace !== namespace && !otherNamespaces.includes(secretNamespace)) problems.push(`${field}: Secret ${secretNamespace}/${ref.name} is in another namespace; authz reads Secrets of the policy's namespace only`);
    else {
      const secret = index.get('Secret', secretNamespace, ref.name);
      if (!secret) problems.push(`${field}: Secret ${secretNamespace}/${ref.name} does not exist`);
      // The key authz reads: without it the policy could never authenticate anyone (Envoy Gateway refuses it too).
      else if (key && secret.data?.[key] === undefined && secret.stringData?.[key] === undefined) problems.push(`${field}: Secret ${secretNamespace}/${ref.name} has no "${key}" key`);
    }
  }

  problems.push(...localJwksProblems(spec, namespace, index));

  if (spec.cors) {
    const cors = translateCors(spec.cors);
    if (typeof cors === 'string') problems.push(cors);
    else features.cors = cors;
  }
  if (spec.csrf) {
    const fraction = spec.csrf.shadowFraction;
    features.csrf = {
      additionalOrigins: (spec.csrf.additionalOrigins ?? []).map(csrfOriginMatcher),
      shadowPercent: fraction ? Math.min(100, (100 * fraction.numerator) / (fraction.denominator ?? 100)) : 0,
    };
  }
  if (spec.extAuth) {
    // The backends are resolved once here so a missing one makes the policy Accepted=False; each
    // Gateway resolves them again into its own cluster set (resolveExtAuth).
    const plan = planExtAuth(spec.extAuth, `${namespace}/${policy.metadata.name}`, index);
    if (typeof plan === 'string') problems.push(plan);
    else if (Array.isArray(plan)) problems.push(...plan);
    else features.extAuth = plan;
  }
  return { features, problems };
}

/** The extAuth of a policy with its backend resolved into this Gateway's clusters. */
export function resolveExtAuth(plan: ExtAuthPlan, namespace: string, index: ResourceIndex, registry: ClusterRegistry): ExtAuthIR | undefined {
  const resolved = resolvePolicyBackends(plan.backends, { kind: 'SecurityPolicy', namespace }, index, registry);
  if (!resolved.ok) return undefined;
  const { backendRef, backends: _backends, ...rest } = plan;
  const port = backendRef.port ?? registry.get(resolved.cluster)?.endpoints.find((e) => e.kind !== 'unix')?.port;
  const authority = `${backendRef.name}.${backendRef.namespace ?? namespace}${port ? `:${port}` : ''}`;
  return { ...rest, cluster: resolved.cluster, authority };
}

/** The names of the JWKS ConfigMaps (localJWKS.valueRef) of a policy's jwt providers, all in its namespace. */
export function localJwksConfigMaps(spec: Record<string, unknown>): string[] {
  const providers = objectsOf<{ localJWKS?: { type?: unknown; valueRef?: { name?: unknown } } }>((spec.jwt as { providers?: unknown } | undefined)?.providers);
  return providers.flatMap((p) => (p.localJWKS?.type === 'ValueRef' && typeof p.localJWKS.valueRef?.name === 'string' ? [p.localJWKS.valueRef.name] : []));
}

/** The JWKS a ConfigMap holds, as Envoy Gateway and authz read it: key "jwks", else its only value. */
export function jwksOf(configMap: GatewayResource | undefined): string | undefined {
  const data = ((configMap as { data?: Record<string, unknown> } | undefined)?.data ?? {}) as Record<string, unknown>;
  if (typeof data.jwks === 'string') return data.jwks;
  const values = Object.values(data).filter((v): v is string => typeof v === 'string');
  return values.length === 1 ? values[0] : undefined;
}

/** A localJWKS ConfigMap that is missing, or holds no JWKS, makes the policy Invalid (as Envoy Gateway says). */
function localJwksProblems(spec: Record<string, unknown>, namespace: string, index: ResourceIndex): string[] {
  return localJwksConfigMaps(spec).flatMap((name) => {
    const configMap = index.get('ConfigMap', namespace, name);
    if (!configMap) return [`spec.jwt: local JWKS ConfigMap ${namespace}/${name} not found`];
    return jwksOf(configMap) === undefined ? [`spec.jwt: local JWKS ConfigMap ${namespace}/${name} has no "jwks" key (nor a single value)`] : [];
  });
}

/** The Secrets a policy names, with the key authz reads from each (API key Secrets: every key is a client). */
function secretRefs(spec: SecurityPolicySpec): Array<[string, { name?: string; namespace?: string }, string?]> {
  const refs: Array<[string, { name?: string; namespace?: string }, string?]> = [];
  if (spec.oidc?.clientSecret) refs.push(['spec.oidc.clientSecret', spec.oidc.clientSecret, 'client-secret']);
  if (spec.oidc?.clientIDRef) refs.push(['spec.oidc.clientIDRef', spec.oidc.clientIDRef, 'client-id']);
  objectsOf<{ name?: string; namespace?: string }>(spec.apiKeyAuth?.credentialRefs).forEach((ref, i) => refs.push([`spec.apiKeyAuth.credentialRefs[${i}]`, ref]));
  if (spec.basicAuth?.users) refs.push(['spec.basicAuth.users', spec.basicAuth.users, '.htpasswd']);
  return refs;
}

/** Origins as Envoy Gateway matches them: "*" any, a "*" inside a wildcard, anything else exact. */
export function originMatcher(origin: string): StringMatchIR {
  if (origin === '*') return { type: 'RegularExpression', value: '.*' };
  if (origin.includes('*')) return { type: 'RegularExpression', value: origin.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') };
  return { type: 'Exact', value: origin };
}

/** Envoy's csrf filter compares the Origin's host[:port] only, so the scheme is dropped. */
export function csrfOriginMatcher(origin: string): StringMatchIR {
  const host = origin.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  if (host === '*') return { type: 'RegularExpression', value: '.*' };
  if (host.includes('*')) return { type: 'RegularExpression', value: host.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') };
  return { type: 'Exact', value: host };
}

function translateCors(spec: CorsSpec): CorsIR | string {
  const cors: CorsIR = {
    allowOrigins: (spec.allowOrigins ?? []).map(originMatcher),
    allowMethods: spec.allowMethods ?? [],
    allowHeaders: spec.allowHeaders ?? [],
    exposeHeaders: spec.exposeHeaders ?? [],
    allowCredentials: spec.allowCredentials ?? false,
  };
  if (spec.maxAge !== undefined) {
    const ms = parseDurationMs(spec.maxAge);
    if (ms === undefined) return `spec.cors.maxAge: "${spec.maxAge}" is not a duration`;
    cors.maxAgeSeconds = Math.floor(ms / 1000);
  }
  return cors;
}

function planExtAuth(spec: ExtAuthSpec, policy: string, index: ResourceIndex): ExtAuthPlan | string | string[] {
  const protocol = spec.grpc ? 'grpc' : 'http';
  const service = spec.grpc ?? spec.http;
  const refs = policyBackendRefs(service);
  const backendRef = refs[0];
  if (!backendRef) return `spec.extAuth.${protocol}: a backendRef is required`;
  const at = `spec.extAuth.${protocol}`;
  const planned = planPolicyBackends(
    // Envoy Gateway's name of the policy's ext service destination.
    { refs, settings: service?.backendSettings, at, label: 'ExtAuth', name: `securitypolicy/${policy}/0`, policy, from: { kind: 'SecurityPolicy', namespace: policy.split('/')[0]! }, grpc: protocol === 'grpc' },
    index,
  );
  if (Array.isArray(planned)) return planned.map((p) => (p.startsWith('ExtAuth: ') || p.startsWith(`${at}.`) ? p : `${at}: ${p}`));
  const timeoutMs = spec.timeout === undefined ? DEFAULT_EXT_AUTH_TIMEOUT_MS : parseDurationMs(spec.timeout);
  if (timeoutMs === undefined || timeoutMs === 0) return `spec.extAuth.timeout: "${spec.timeout}" is not a positive duration`;
  const contextExtensions = resolveContextExtensions(objectsOf<ContextExtensionSpec>(spec.contextExtensions), policy.split('/')[0]!, index);
  if (typeof contextExtensions === 'string') return contextExtensions;
  const plan: ExtAuthPlan = {
    policy,
    protocol,
    backendRef,
    backends: planned,
    headersToExtAuth: spec.headersToExtAuth ?? [],
    headersToBackend: spec.http?.headersToBackend ?? [],
    failOpen: spec.failOpen ?? false,
    timeoutMs,
    contextExtensions,
  };
  if (spec.http?.path) plan.pathPrefix = spec.http.path;
  if (spec.bodyToExtAuth?.maxRequestBytes !== undefined) plan.maxRequestBytes = spec.bodyToExtAuth.maxRequestBytes;
  if (spec.statusOnError !== undefined) plan.statusOnError = spec.statusOnError;
  if (spec.recomputeRoute) plan.clearRouteCache = true;
  if (spec.includeRouteMetadata) plan.includeRouteMetadata = true;
  if (planned.retry) plan.retry = planned.retry;
  return plan;
}

/**
 * What a route gets from the SecurityPolicy that applies to it, or undefined when its extAuth
 * backend cannot be resolved for this Gateway (the route then fails closed). A CORS filter of the
 * route's own rule is more specific than the policy's cors and is kept.
 */
export function securityRouteParts(
  policy: string,
  features: SecurityFeatures,
  index: ResourceIndex,
  registry: ClusterRegistry,
): { securityPolicy?: string; authzRecomputeRoute?: boolean; cors?: CorsIR; csrf?: CsrfIR; extAuth?: ExtAuthIR } | undefined {
  const parts: { securityPolicy?: string; authzRecomputeRoute?: boolean; cors?: CorsIR; csrf?: CsrfIR; extAuth?: ExtAuthIR } = {};
  if (features.authz) parts.securityPolicy = policy;
  if (features.authz && features.authzRecomputeRoute) parts.authzRecomputeRoute = true;
  if (features.cors) parts.cors = features.cors;
  if (features.csrf) parts.csrf = features.csrf;
  if (features.extAuth) {
    const extAuth = resolveExtAuth(features.extAuth, policy.split('/')[0]!, index, registry);
    if (!extAuth) return undefined;
    parts.extAuth = extAuth;
  }
  return parts;
}
