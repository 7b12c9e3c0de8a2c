// What a golden file records for one input: everything translateAll returns, in plain JSON with
// Maps as sorted objects, so reviewers read one file per behaviour. Used by the golden tests, the
// Envoy fidelity check and the CLI.
import { loadResourcesFromFiles } from './provider/load-files.js';
import { translateAll, type TranslateOptions } from './translate.js';

export const GOLDEN_OPTIONS: TranslateOptions = {
  authz: { clusterName: 'gatehouse/authz', host: 'authz', port: 9001 },
  rateLimit: { clusterName: 'gatehouse/ratelimit', host: 'ratelimit', port: 9002 },
  certs: { clusterName: 'gatehouse/certs', host: 'certs', port: 8089 },
  // Lua is off by default (XDS_ENABLE_LUA); the golden cases show it translated, but for `*lua-disabled*`.
  enableLua: true,
};

/**
 * Cases named `internal-mtls-*` translate as a deployment does by default: Envoy reaches authz,
 * ratelimit and certs' HTTP-01 responder over mutual TLS (file-based SDS under /etc/envoy). The others keep the plaintext options.
 * Cases named `envoypatchpolicy-*` apply EnvoyPatchPolicies (XDS_ENABLE_ENVOY_PATCH_POLICY=true).
 */
export function goldenOptionsFor(caseName: string): TranslateOptions {
  if (caseName.includes('lua-disabled')) return { ...GOLDEN_OPTIONS, enableLua: false };
  // EnvoyPatchPolicy cases run with XDS_ENABLE_ENVOY_PATCH_POLICY on (off, every policy only says Disabled).
  if (caseName.startsWith('envoypatchpolicy-')) return { ...GOLDEN_OPTIONS, enableEnvoyPatchPolicy: true };
  if (!caseName.startsWith('internal-mtls-')) return GOLDEN_OPTIONS;
  const tls = (service: string) => ({ sdsDir: '/etc/envoy', serverIdentity: `spiffe://gatehouse/service/${service}` });
  return {
    ...GOLDEN_OPTIONS,
    authz: { ...GOLDEN_OPTIONS.authz, tls: tls('authz') },
    rateLimit: { ...GOLDEN_OPTIONS.rateLimit, tls: tls('ratelimit') },
    certs: { ...GOLDEN_OPTIONS.certs, tls: tls('certs') },
  };
}

export function goldenOutput(path: string, text: string, options: TranslateOptions): Record<string, unknown> {
  const loaded = loadResourcesFromFiles([{ path, text }]);
  const result = translateAll(loaded.resources, options);
  const sortedEntries = <V>(map: Map<string, V>) => Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    ...(loaded.fileErrors.length > 0 ? { fileErrors: loaded.fileErrors } : {}),
    snapshots: sortedEntries(result.snapshots),
    statuses: sortedEntries(result.statuses),
    rateLimitDomains: result.rateLimitDomains,
    authzPolicies: result.authzPolicies,
    authzSecrets: Object.fromEntries(
      [...result.authzSecrets.entries()].map(([key, secret]) => [key, Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, v.toString('utf8')]))]),
    ),
    certificatesWanted: result.certificatesWanted,
  };
}
