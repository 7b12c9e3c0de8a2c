export { emulateRequest, RATELIMIT_FILTER, type EnvoyPeers, type EmulatedResponse, type CheckResponseLike, type RateLimitResponseLike } from './emulate-request.js';
export { selectRoute, selectVirtualHost, matchRoute, matchHeader, matchString, type EmulatedRequest } from './route-matching.js';
export { buildCheckRequest, EXT_AUTHZ_FILTER, httpStatusOf, applyHeaderOptions } from './ext-authz-request.js';
export { buildDescriptors, type DescriptorEntry } from './ratelimit-request.js';
export type { EnvoySnapshot, RouteConfiguration, VirtualHost, Route, Listener } from './types.js';
export { forwardToUpstream, type UpstreamAnswer } from './forward-upstream.js';
export { startTcpListener, tcpProxyCluster, selectChain, readSni, type EmulatedTcpListener } from './tcp-proxy.js';
export { startUdpListener, udpProxyCluster, type EmulatedUdpListener } from './udp-proxy.js';
