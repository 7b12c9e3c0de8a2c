// Test and bench helpers (the package's ./testing entry point).
export { openSotwStream, openDeltaStream, createAdsClient, resourceNames, ResponseQueue, type RawAdsClient } from './raw-ads-client.js';
// Envoy's proto and PGV rules, for packages that emit Envoy config next to xds (the CLI's bootstrap).
export { checkEnvoyResource } from '@gatehouse/envoy-check';
