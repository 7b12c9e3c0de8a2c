// gatehouse translate -f <dir> --output json|yaml: the Envoy resources per Gateway (like
// `egctl x translate`), exactly what the xds service would serve.
import { stringify } from 'yaml';
import { loadResourcesFromFiles, translateAll } from '@gatehouse/xds/core';
import type { CliIo } from '../cli-io.js';
import { readYamlFiles } from '../read-yaml-files.js';
import { translateOptionsFromEnv } from '../translate-options.js';

export async function translateCommand(target: string, output: 'json' | 'yaml', nodeCluster: string | undefined, io: CliIo): Promise<number> {
  const loaded = loadResourcesFromFiles(await readYamlFiles(target));
  for (const e of loaded.fileErrors) io.stderr(`${e.file}:${e.line}: ${e.code}: ${e.message}\n`);
  const result = translateAll(loaded.resources, translateOptionsFromEnv(io));
  const out: Record<string, unknown> = {};
  for (const [key, resources] of [...result.snapshots].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!nodeCluster || key === nodeCluster) out[key] = resources;
  }
  io.stdout(output === 'json' ? `${JSON.stringify(out, null, 2)}\n` : stringify(out));
  return loaded.fileErrors.length > 0 ? 1 : 0;
}
