// The xDS protocol over snapshots: SotW and delta ADS stream state machines, subscriptions and the
// registry of connected proxies. Streams read snapshots through SnapshotSource only.
export { Subscription, WILDCARD } from './subscription.js';
export { StreamError, StreamForbiddenError, NACK_MESSAGE_MAX_CHARS, type AdsStreamOptions, type NackRecord, type NodeIdentity, type SnapshotSource, type StreamObserver, type TypeStatus } from './ads-stream.js';
export { SotwStream, type SotwResponse } from './sotw-stream.js';
export { DeltaStream, type DeltaResponse } from './delta-stream.js';
export { ProxyRegistry, type ProxyInfo, type ProxyRegistryOptions, type ProxyStream } from './proxy-registry.js';
export { authorizeStream, parseProxylessClients, type StreamDenial, type StreamGrant, type StreamPeer, type StreamPolicy, type StreamView } from './stream-authorization.js';
