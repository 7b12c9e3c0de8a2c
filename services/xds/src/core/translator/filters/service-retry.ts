// backendSettings.retry of a policy's gRPC service (SecurityPolicy extAuth.grpc, EnvoyExtensionPolicy
// extProc), as Envoy Gateway emits it: the GrpcService's own retry_policy (config.core.v3.RetryPolicy),
// which Envoy's async gRPC client applies to each call it makes to the service.
import type { ServiceRetryIR } from '../../ir/types.js';
import { duration, type EnvoyObject } from '../envoy-types.js';

export function serviceRetryPolicy(retry: ServiceRetryIR): EnvoyObject {
  const policy: EnvoyObject = { num_retries: retry.numRetries, retry_on: retry.retryOn.join(',') };
  if (retry.backOffBaseMs !== undefined) {
    policy.retry_back_off = { base_interval: duration(retry.backOffBaseMs), ...(retry.backOffMaxMs !== undefined ? { max_interval: duration(retry.backOffMaxMs) } : {}) };
  }
  return policy;
}
