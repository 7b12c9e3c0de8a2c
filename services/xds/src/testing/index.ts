// Test and bench helpers (the package's ./testing entry point).
export { openSotwStream, openDeltaStream, createAdsClient, resourceNames, ResponseQueue, type RawAdsClient } from './raw-ads-client.js';
