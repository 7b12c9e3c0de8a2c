// The translation half of services/xds: what the server half (cache, ADS, admin API, CLI) calls.
export {
  translateAll,
  type TranslateOptions,
  type TranslateResult,
  type SideEffects,
  type RateLimitDomain,
  type AuthzPolicy,
  type CertificateWanted,
} from './translate.js';
export { DEFAULT_CONTROLLER_NAME } from './gatewayapi/translate.js';
export type { CustomBootstrapIR, EnvoyStartIR, StatsMatchIR, StatsSinkIR } from './gatewayapi/envoy-proxy-start.js';
export { customizeBootstrap, type CustomizedBootstrap } from './translator/custom-bootstrap.js';
export type { EnvoyResource, EnvoyResources } from './ir/envoy-resources.js';
export type { InternalTls, ServiceEndpoint, TranslatorOptions } from './translator/options.js';
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
export { toStoredResource, type StoredResource } from './provider/stored-resource.js';
export { parseDocuments, type ParsedDocuments } from './provider/parse-documents.js';
export { checkDocumentLimits, DEFAULT_DOCUMENT_LIMITS, type DocumentLimits, type DocumentLimitViolation } from './provider/document-limits.js';
export { redactStoredResource, REDACTED } from './provider/redact-secret.js';
export { SUPPORTED_KINDS } from './provider/supported-kinds.js';
export { resourceKey, type GatewayResource, type ObjectMeta, type ResourceIssue, type ResourceSource } from './provider/resource-types.js';
export type { Condition, ListenerStatus, ParentReference, ResourceStatus, StatusMap } from './gatewayapi/status-types.js';
export { internalTlsTransportSocket } from './translator/internal-tls.js';
export { applyClusterPolicy } from './translator/cluster-policy.js';
export { ABNORMAL_TRUE, problemConditions, statusProblems } from './gatewayapi/problem-conditions.js';
