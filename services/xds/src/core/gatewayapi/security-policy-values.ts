// SecurityPolicy fields Gatehouse translates for some values only: the others are Accepted=False
// naming the field and why (the authz service refuses the same values when it compiles the policy,
// so a policy xds accepted would otherwise never be enforced).
import { objectsOf } from './shape.js';

export function refusedValues(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const oidc = spec.oidc as { disableTokenEncryption?: unknown; provider?: Record<string, unknown> } | undefined;
  if (oidc?.disableTokenEncryption === true) {
    problems.push(
      'spec.oidc.disableTokenEncryption: true is not supported: Gatehouse keeps tokens server-side, sealed in Redis, and never in cookies; give the upstream the tokens with forwardAccessToken / forwardIDToken',
    );
  }
  for (const field of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'endSessionEndpoint'] as const) {
    const value = oidc?.provider?.[field];
    if (typeof value === 'string' && !isFetchableUrl(value)) problems.push(`spec.oidc.provider.${field}: "${value}" ${HTTPS_ONLY}`);
  }
  objectsOf<{ remoteJWKS?: { uri?: unknown } }>((spec.jwt as { providers?: unknown } | undefined)?.providers).forEach((provider, i) => {
    const uri = provider.remoteJWKS?.uri;
    if (typeof uri === 'string' && !isFetchableUrl(uri)) problems.push(`spec.jwt.providers[${i}].remoteJWKS.uri: "${uri}" ${HTTPS_ONLY}`);
  });
  return problems;
}

const HTTPS_ONLY = 'is not an https URL: authz fetches keys and tokens over verified TLS only (http only for loopback hosts)';

/** As authz's isAllowedFetchUrl: https, or http to a loopback host. */
function isFetchableUrl(text: string): boolean {
  try {
    const url = new URL(text);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return url.protocol === 'https:' || (url.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)));
  } catch {
    return false;
  }
}
