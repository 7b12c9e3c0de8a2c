// backendSettings of an EnvoyProxy telemetry collector (accessLog ALS and OpenTelemetry sinks, tracing provider, metrics sinks): the
// collector's cluster gets what a BackendTrafficPolicy puts on a route's cluster, read by the same
// code (policy-backends.ts); what cannot apply is refused by field (the same table a policy service
// has, field-support/policy-backend-fields.ts), retry among it: a collector's gRPC stream is not retried per call.
import type { ClusterPolicyIR } from '../ir/types.js';
import { backendSettingsFields } from './field-support/policy-backend-fields.js';
import { findRefusedFields } from './field-support/refused-fields.js';
import { translateBackendSettings, type BackendSettingsSpec } from './policy-backends.js';

const TABLE = backendSettingsFields('spec.backendSettings', 'the collector cluster', '', 'retry of a telemetry collector is not translated: its calls are long-lived gRPC streams, not retried per request');

/** `at`: where the settings sit ("spec.telemetry.tracing.provider.backendSettings"); `owner` names the cluster policy. */
export function telemetryBackendSettings(value: unknown, at: string, owner: string): { policy?: ClusterPolicyIR; problems: string[] } {
  const problems = findRefusedFields({ backendSettings: value }, TABLE).map((p) => p.replace(/^spec\.backendSettings/, at));
  if (problems.length > 0) return { problems };
  const { cluster } = translateBackendSettings(value as BackendSettingsSpec, owner, at, problems);
  return { ...(cluster && problems.length === 0 ? { policy: cluster } : {}), problems };
}
