// What a Gateway's EnvoyProxy asks of the place Envoy starts (command line, bootstrap stats), read from
// the same YAML xds serves: `gatehouse bootstrap -f <config>` and `pnpm start` use it. A Gateway xds
// would not serve (its EnvoyProxy refused, its parametersRef dangling) is an error naming why, so an
// Envoy is never started with less than its EnvoyProxy says.
import { loadResourcesFromFiles, translateAll, type EnvoyStartIR, type SourceFile, type TranslateOptions } from '@gatehouse/xds/core';

export type EnvoyStartResult = { ok: true; start?: EnvoyStartIR } | { ok: false; message: string };

export function envoyStartFor(files: readonly SourceFile[], nodeCluster: string, options: TranslateOptions): EnvoyStartResult {
  const result = translateAll(loadResourcesFromFiles(files).resources, options);
  if (!nodeCluster.includes('/')) {
    // A GatewayClass name: the merged fleet of its Gateways (EnvoyProxy mergeGateways).
    if (!result.snapshots.has(nodeCluster)) return { ok: false, message: `GatewayClass ${nodeCluster} serves no merged Gateways (its EnvoyProxy does not set mergeGateways: true, or none of its Gateways is served)` };
    const start = result.envoyStart?.get(nodeCluster);
    return start ? { ok: true, start } : { ok: true };
  }
  const mergedInto = result.mergedGateways?.get(nodeCluster);
  if (mergedInto) return { ok: false, message: `Gateway ${nodeCluster} is served by the merged fleet of GatewayClass ${mergedInto} (EnvoyProxy mergeGateways): use --node-cluster ${mergedInto}` };
  const status = result.statuses.get(`Gateway/${nodeCluster}`);
  if (!status || !('conditions' in status)) return { ok: false, message: `Gateway ${nodeCluster} is not in the config` };
  const refused = status.conditions.find((c) => c.type === 'Accepted' && c.status === 'False');
  if (refused) return { ok: false, message: `Gateway ${nodeCluster} is not served: ${refused.reason}: ${refused.message}` };
  const start = result.envoyStart?.get(nodeCluster);
  return start ? { ok: true, start } : { ok: true };
}

/** The command to start Envoy with, for people and for `pnpm start`. */
export function envoyCommandLine(bootstrapFile: string, start: EnvoyStartIR | undefined): string[] {
  return ['envoy', '-c', bootstrapFile, ...(start?.args ?? [])];
}
