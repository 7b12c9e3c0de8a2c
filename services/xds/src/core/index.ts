// The translation half of services/xds: what the server half (cache, ADS, admin API, CLI) calls.
export {
  translateAll,
  DEFAULT_CONTROLLER_NAME,
  type TranslateOptions,
  type TranslateResult,
  type EnvoyResources,
  type ServiceEndpoint,
  type RateLimitDomain,
  type AuthzPolicy,
  type CertificateWanted,
} from './translate-all.js';
export {
  loadResourcesFromFiles,
  type SourceFile,
  type FileError,
  type ParsedFile,
  type ParsedFiles,
  type LoadOptions,
  type LoadResult,
} from './provider/load-files.js';
export { mergeResourceSources } from './provider/merge-sources.js';
export { SUPPORTED_KINDS } from './provider/supported-kinds.js';
export { resourceKey, type GatewayResource, type ObjectMeta, type ResourceIssue, type ResourceSource } from './provider/resource-types.js';
export type { Condition, ListenerStatus, ParentReference, ResourceStatus, StatusMap } from './gatewayapi/status-types.js';
