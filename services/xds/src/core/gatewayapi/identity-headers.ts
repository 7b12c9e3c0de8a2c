// The request headers Gatehouse owns: whatever a SecurityPolicy tells authz to write upstream
// (claimToHeaders targets, forwarded client id, username and ID token headers) and the reserved
// x-gatehouse-* ones. Upstreams trust them, so no client may send them (the translator strips them).
//
// The union over every SecurityPolicy, not only those of one Gateway: one upstream can sit behind
// routes of several Gateways, and trusts the header on all of them. authz strips the same union on
// the routes it guards (services/authz core/policy/policy-set.ts).
import type { ResourceIndex } from './resource-index.js';
import { objectsOf } from './shape.js';

/** Headers authz writes whatever the policy (authz's RESERVED_IDENTITY_HEADERS; identity-headers.test.ts keeps them equal). */
export const RESERVED_IDENTITY_HEADERS = ['x-gatehouse-auth-method', 'x-gatehouse-client-id', 'x-gatehouse-subject'] as const;

// As authz refuses them (core/policy/fields.ts): a policy naming one is invalid, and stripping
// e.g. "cookie" or "content-type" from every other route would break them.
const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const NEVER_IDENTITY = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'cookie', 'set-cookie', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-envoy-original-path', 'x-request-id']);

/** Sorted, lower-case, each once. */
export function collectIdentityHeaders(index: ResourceIndex): string[] {
  const headers = new Set<string>(RESERVED_IDENTITY_HEADERS);
  for (const policy of index.list('SecurityPolicy')) {
    for (const name of identityHeadersOf(policy.spec)) {
      const lower = name.toLowerCase();
      if (isIdentityHeaderName(lower)) headers.add(lower);
    }
  }
  return [...headers].sort();
}

function isIdentityHeaderName(name: string): boolean {
  return TOKEN.test(name) && !NEVER_IDENTITY.has(name) && !name.startsWith('proxy-') && !name.startsWith('x-envoy-');
}

/** Read defensively: a policy that failed its schema still names the headers its upstreams trust. */
function identityHeadersOf(spec: unknown): string[] {
  const s = (spec ?? {}) as {
    jwt?: { providers?: unknown };
    apiKeyAuth?: { forwardClientIDHeader?: unknown };
    basicAuth?: { forwardUsernameHeader?: unknown };
    oidc?: { forwardIDToken?: { header?: unknown } };
  };
  const claims = objectsOf<{ claimToHeaders?: unknown }>(s.jwt?.providers).flatMap((p) => objectsOf<{ header?: unknown }>(p.claimToHeaders).map((m) => m.header));
  const names = [...claims, s.apiKeyAuth?.forwardClientIDHeader, s.basicAuth?.forwardUsernameHeader, s.oidc?.forwardIDToken?.header];
  return names.filter((n): n is string => typeof n === 'string');
}
