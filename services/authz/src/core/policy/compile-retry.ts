// backendSettings.retry of a remoteJWKS or OIDC provider backend -> ServiceRetrySpec. Envoy Gateway
// puts it on the cluster Envoy fetches through; here the authz service fetches, so it retries itself
// with the same rules: numRetries (default 2), retryOn.triggers (default connect-failure,
// refused-stream, unavailable, cancelled, retriable-status-codes), perRetry.backOff. What only a route
// retry has (perRetry.timeout, httpStatusCodes, numAttemptsPerPriority) is refused by xds's field table.
import { asObj, arr, durationField, type CompileContext, type Obj } from './fields.js';
import type { ServiceRetrySpec } from './policy-model.js';

const DEFAULT_TRIGGERS = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'];
/** Envoy's core RetryPolicy default base interval. */
const DEFAULT_BASE_MS = 1_000;

export function compileBackendRetry(holder: Obj, path: string, ctx: CompileContext): ServiceRetrySpec | undefined {
  const settings = asObj(holder.backendSettings);
  if (settings.retry === undefined || settings.retry === null) return undefined;
  const retry = asObj(settings.retry);
  const at = `${path}/backendSettings/retry`;
  const numRetries = typeof retry.numRetries === 'number' && Number.isInteger(retry.numRetries) && retry.numRetries >= 0 ? retry.numRetries : 2;
  const retryOn = retry.retryOn === undefined ? undefined : asObj(retry.retryOn);
  // Envoy Gateway keeps its default retry_on unless triggers are named.
  const named = retryOn ? arr(retryOn.triggers).filter((t): t is string => typeof t === 'string') : [];
  const triggers = named.length > 0 ? named : DEFAULT_TRIGGERS;
  const backOff = asObj(asObj(retry.perRetry).backOff);
  const baseIntervalMs = durationField(backOff.baseInterval, `${at}/perRetry/backOff/baseInterval`, DEFAULT_BASE_MS, ctx);
  const maxIntervalMs = durationField(backOff.maxInterval, `${at}/perRetry/backOff/maxInterval`, baseIntervalMs * 10, ctx);
  if (baseIntervalMs <= 0) ctx.issue(`${at}/perRetry/backOff/baseInterval`, 'must be greater than 0s');
  if (maxIntervalMs < baseIntervalMs) ctx.issue(`${at}/perRetry/backOff/maxInterval`, 'must not be less than baseInterval');
  return { numRetries, triggers, baseIntervalMs, maxIntervalMs };
}
