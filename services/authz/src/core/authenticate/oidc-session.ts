// spec.oidc at request time: an opaque bearer token is introspected (API clients); anything else needs
// a browser session, which the OIDC flow reads, refreshes or answers with a login redirect / 401.
import { AuthzError, ErrorCodes } from '../../errors.js';
import { unauthorized, type Decision } from '../decide/decision.js';
import type { RequestView } from '../decide/request-view.js';
import type { OidcSpec } from '../policy/policy-model.js';
import { authenticateIntrospection, opaqueBearer } from './introspection.js';
import type { AuthenticateDeps, Identity } from './step.js';

/** undefined when the identity is established; otherwise the answer (a redirect, a 401) to send instead. */
export async function authenticateOidcSession(request: RequestView, spec: OidcSpec, identity: Identity, deps: AuthenticateDeps): Promise<Decision | undefined> {
  if (deps.idp && opaqueBearer(request)) {
    const failure = await authenticateIntrospection(request, spec, identity, deps);
    return failure ? unauthorized(failure) : undefined;
  }
  const flow = deps.oidcFlow;
  if (!flow) throw new AuthzError(ErrorCodes.internal, 'OIDC policy without an OIDC flow');
  const result = await flow.authenticate(request, spec);
  if (result.kind === 'decision') return result.decision;
  const { session } = result;
  identity.via = 'session';
  identity.metadata.oidc = session.claims;
  identity.upstream.push(['x-gatehouse-subject', session.sub]);
  if (spec.forwardAccessToken) identity.upstream.push(['authorization', `Bearer ${session.accessToken}`]);
  if (spec.forwardIdTokenHeader && session.idToken) identity.upstream.push([spec.forwardIdTokenHeader, session.idToken]);
  return undefined;
}
