// Identity headers (x-user-id from claimToHeaders, x-gatehouse-subject, ...) are Gatehouse's to
// write: a client-sent one must never reach an upstream, which trusts it. Who removes it depends on
// the route:
//
// - A route guarded by ext_authz: authz's OK answer writes the verified values and lists every other
//   owned header in headers_to_remove (services/authz core/decide/identity-headers.ts). The route's
//   own request_headers_to_remove must stay clear of them: the router applies route-level header
//   changes when it forwards, after ext_authz has run (Envoy's Router::Filter::decodeHeaders calls
//   finalizeRequestHeaders), so it would drop the verified values too.
// - Any other forwarding route: no filter writes them, so the route removes them all with
//   request_headers_to_remove. Envoy removes before it adds (HeaderParser::evaluateHeaders), so a
//   header the route's own RequestHeaderModifier sets keeps that value; it is left off the list, so
//   the list says exactly what the client can no longer send.
//
// - A route with a SecurityPolicy extAuth (the user's own service) keeps the headers that service
//   answers with (headersToBackend): they are its verified values, written just as authz's are.
//
// Redirects and direct responses reach no upstream and need nothing.
import type { RouteIR } from '../ir/types.js';
import type { EnvoyObject } from './envoy-types.js';

export function stripIdentityHeaders(route: EnvoyObject, ir: RouteIR | undefined, owned: readonly string[]): void {
  if (ir?.securityPolicy || !route.route || owned.length === 0) return;
  const added = new Set(((route.request_headers_to_add as Array<{ header: { key: string } }> | undefined) ?? []).map((h) => h.header.key.toLowerCase()));
  // A SecurityPolicy's own ext_authz service writes its headersToBackend on this route, before the
  // router applies this list: removing them here would drop the values that service verified.
  for (const name of ir?.extAuth?.headersToBackend ?? []) added.add(name.toLowerCase());
  const existing = (route.request_headers_to_remove as string[] | undefined) ?? [];
  const seen = new Set(existing.map((name) => name.toLowerCase()));
  const extra = owned.filter((name) => !added.has(name) && !seen.has(name));
  if (extra.length > 0) route.request_headers_to_remove = [...existing, ...extra];
}
