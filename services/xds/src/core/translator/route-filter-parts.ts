// The parts of an Envoy route that Envoy Gateway's HTTPRouteFilter adds (gatewayapi/route-filter-refs.ts):
// a regex path rewrite, the Host taken from a header, the backend or a path regex, X-Forwarded-Host,
// and an injected credential (overwrite: replace the client's header; else only set it when absent).
import type { RewriteIR, RouteIR } from '../ir/types.js';
import type { EnvoyObject } from './envoy-types.js';

export function applyRewriteParts(action: EnvoyObject, rewrite: RewriteIR | undefined): void {
  if (!rewrite) return;
  if (rewrite.regexPath) action.regex_rewrite = { pattern: { regex: rewrite.regexPath.pattern }, substitution: rewrite.regexPath.substitution };
  const host = rewrite.hostFrom;
  if (host?.kind === 'header') action.host_rewrite_header = host.name;
  else if (host?.kind === 'backend') action.auto_host_rewrite = true;
  else if (host?.kind === 'pathRegex') action.host_rewrite_path_regex = { pattern: { regex: host.pattern }, substitution: host.substitution };
  if (rewrite.appendXForwardedHost) action.append_x_forwarded_host = true;
}

export function addCredential(route: EnvoyObject, credential: RouteIR['credential']): void {
  if (!credential) return;
  const option = { header: { key: credential.header, value: credential.value }, append_action: credential.overwrite ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'ADD_IF_ABSENT' };
  route.request_headers_to_add = [...((route.request_headers_to_add as EnvoyObject[] | undefined) ?? []), option];
}
