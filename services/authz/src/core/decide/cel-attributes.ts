// A request as the Envoy attributes an authorization rule's CEL expression reads (@gatehouse/cel).
import type { RequestAttributes } from '@gatehouse/cel';
import type { RequestView } from './request-view.js';

/** `jwt`: the verified token's claims (evaluate-authorization's VerifiedJwt). */
export function celAttributes(request: RequestView, jwt: { readonly claims: Readonly<Record<string, unknown>> } | undefined): RequestAttributes {
  const issuer = jwt && typeof jwt.claims.iss === 'string' ? jwt.claims.iss : undefined;
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    host: request.host,
    scheme: request.scheme,
    headers: request.headers,
    sourceIp: request.clientIp,
    mtls: request.mtls ?? false,
    ...(request.protocol !== undefined && { protocol: request.protocol }),
    ...(request.requestId !== undefined && { requestId: request.requestId }),
    ...(request.timeMs !== undefined && { timeMs: request.timeMs }),
    ...(request.clientPort !== undefined && { sourcePort: request.clientPort }),
    ...(request.destinationIp !== undefined && { destinationIp: request.destinationIp }),
    ...(request.destinationPort !== undefined && { destinationPort: request.destinationPort }),
    ...(request.sni !== undefined && { requestedServerName: request.sni }),
    ...(jwt && issuer !== undefined && { jwt: { issuer, claims: jwt.claims } }),
  };
}
