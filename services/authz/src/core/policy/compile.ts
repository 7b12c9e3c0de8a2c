// SecurityPolicy (already schema-validated) -> CompiledPolicy. Each spec section has its compiler
// (compile-<section>.ts, one README section each); this module dispatches to them and collects the
// identity headers the policy writes. Every problem becomes a PolicyIssue with the JSON pointer of the
// offending field; a policy with any issue does not compile.
import { ErrorCodes } from '../../errors.js';
import { compileApiKey } from './compile-api-key.js';
import { compileAuthorization } from './compile-authorization.js';
import { compileBasicAuth } from './compile-basic-auth.js';
import { compileJwt } from './compile-jwt.js';
import { compileOidc } from './compile-oidc.js';
import { asObj, str, type CompileContext, type ResourceDataLookup } from './fields.js';
import type { CompiledPolicy, PolicyIssue } from './policy-model.js';
import { findUnsupportedFields } from './supported-fields.js';

export type { ResourceDataLookup } from './fields.js';

export interface CompileOptions {
  readonly lookup: ResourceDataLookup;
}

export interface CompileResult {
  readonly policy?: CompiledPolicy;
  readonly issues: readonly PolicyIssue[];
}

const SECTIONS = ['jwt', 'oidc', 'apiKeyAuth', 'basicAuth', 'authorization'] as const;

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
  const ctx: CompileContext = { issue, lookup: options.lookup, namespace, key };
  const jwt = spec.jwt === undefined ? undefined : compileJwt(asObj(spec.jwt), ctx);
  const oidc = spec.oidc === undefined ? undefined : compileOidc(asObj(spec.oidc), ctx);
  const apiKey = spec.apiKeyAuth === undefined ? undefined : compileApiKey(asObj(spec.apiKeyAuth), ctx);
  const basicAuth = spec.basicAuth === undefined ? undefined : compileBasicAuth(asObj(spec.basicAuth), ctx);
  const authorization = spec.authorization === undefined ? undefined : compileAuthorization(asObj(spec.authorization), jwt, ctx);
  if (SECTIONS.every((field) => spec[field] === undefined)) issue('/spec', `configures none of ${SECTIONS.join(', ')}`);
  if (issues.length > 0) return { issues };
  const sections = {
    ...(jwt && { jwt }),
    ...(oidc && { oidc }),
    ...(apiKey && { apiKey }),
    ...(basicAuth && { basicAuth }),
    ...(authorization && { authorization }),
  };
  return { policy: { key, ...sections, identityHeaders: identityHeadersOf(sections) }, issues };
}

/** Every header this policy writes upstream; the service strips all policies' identity headers from requests. */
function identityHeadersOf(policy: Omit<CompiledPolicy, 'key' | 'identityHeaders'>): string[] {
  const headers = new Set<string>();
  for (const provider of policy.jwt?.providers ?? []) for (const mapping of provider.claimToHeaders) headers.add(mapping.header);
  if (policy.apiKey?.forwardClientIdHeader) headers.add(policy.apiKey.forwardClientIdHeader);
  if (policy.basicAuth?.forwardUsernameHeader) headers.add(policy.basicAuth.forwardUsernameHeader);
  if (policy.oidc?.forwardIdTokenHeader) headers.add(policy.oidc.forwardIdTokenHeader);
  return [...headers];
}
