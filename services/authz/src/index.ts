// The authz service as a library: start it in-process (tests, benchmarks, an all-in-one binary) or
// validate SecurityPolicy files without starting anything (the CLI).
export { startAuthzService, type AuthzService, type AuthzServiceOptions } from './service.js';
export { loadPolicies, formatConfigIssue, type ConfigFile, type ConfigIssue, type LoadResult } from './core/load-policies.js';
export { ErrorCodes, AuthzError, type ErrorCode } from './errors.js';
export { createAuthzMetrics, type AuthzMetrics } from './adapters/metrics.js';
export type { Logger } from './adapters/logger.js';
