export { freePort, freePorts, retryOnPortClash } from './free-port.js';
export { waitFor, GiveUpError, WaitForTimeoutError, type WaitForOptions } from './wait-for.js';
export { requireBinary, MissingBinaryError, debianPackageOf } from './binaries.js';
export { ManagedProcess, ProcessExitedError, type ManagedProcessOptions } from './managed-process.js';
export { startRedis, type RedisHandle, type StartRedisOptions } from './redis.js';
export { createThrowawayCa, type ThrowawayCa } from './throwaway-ca.js';
export { createTrustingFetch, type TrustingFetch, type TrustingFetchHandle } from './trusting-fetch.js';
export { startPebble, type PebbleHandle, type StartPebbleOptions, type ChalltestsrvClient } from './pebble.js';
export { createCookieJar, type CookieJar, type CookieFetch } from './cookie-jar.js';
export {
  startOidcProvider,
  type OidcProviderHandle,
  type StartOidcProviderOptions,
  type OidcClientRegistration,
  type OidcTestAccount,
} from './oidc-provider.js';
export { buildXdsBootstrap, type XdsBootstrap, type XdsBootstrapOptions } from './xds-bootstrap.js';
export { createXdsClient, type CreateXdsClientOptions, type XdsClientHandle } from './xds-client.js';
export { startService, repoRoot, type ServiceHandle, type StartServiceOptions } from './service.js';
export { startGateway, type GatewayHandle, type StartGatewayOptions, type GatewayServiceName } from './gateway.js';
export { fetchServedSnapshot, type ServedSnapshot } from './envoy/ads-snapshot.js';
export { expandAny } from './envoy/envoy-json.js';
export * as envoy from './envoy/index.js';
export { startJwtIssuer, type JwtIssuerHandle } from './jwt-issuer.js';
export { copyConfigFolder, fillPlaceholders, type ConfigFolderHandle } from './config-folder.js';
export { watchAds, type AdsWatcher } from './envoy/ads-watcher.js';
export { startMtlsForwarder, type MtlsForwarderHandle, type MtlsForwarderOptions } from './mtls-forwarder.js';
export { connectNackingProxy, type NackingProxy } from './nacking-proxy.js';
export { startDemoUpstream, type DemoUpstreamHandle } from './demo-upstream.js';
export { startXdsWithDemoUpstream, type XdsWithDemoUpstream } from './xds-with-demo-upstream.js';
