// The authz README's "Envoy configuration" block is what xds serves: the ext_authz filter (timeout,
// fail closed with 503, no other setting), its per-route config and the HTTP connection manager's
// header and path settings, taken from the walkthrough (deploy/examples) translated at xds's defaults.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deriveTranslateOptions, xdsEnv } from './config.js';
import { loadResourcesFromFiles } from './core/provider/load-files.js';
import { translateAll } from './core/translate.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The first ```yaml block under the authz README's "## Envoy configuration". */
function readmeEnvoyConfig(): Record<string, unknown> {
  const readme = readFileSync(join(root, 'services', 'authz', 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Envoy configuration'));
  const block = section && /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('services/authz/README.md has no yaml block under "## Envoy configuration"');
  return parse(block) as Record<string, unknown>;
}

/** Every object below `value` (depth first) for which `match` holds. */
function findAll(value: unknown, match: (o: Record<string, unknown>) => boolean, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) findAll(v, match, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (match(o)) out.push(o);
    for (const v of Object.values(o)) findAll(v, match, out);
  }
  return out;
}

describe('the authz README', () => {
  const examples = join(root, 'deploy', 'examples');
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: join(examples, f), text: readFileSync(join(examples, f), 'utf8') }));
  const options = deriveTranslateOptions({ ...loadConfig(xdsEnv, { GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY }), GATEHOUSE_INSECURE_PLAINTEXT: false });
  const served = translateAll(loadResourcesFromFiles(files).resources, options).snapshots.get('default/gateway');
  const readme = readmeEnvoyConfig();

  it('shows the ext_authz filter xds serves at its defaults, setting for setting', () => {
    const filters = findAll(served, (o) => o.name === 'envoy.filters.http.ext_authz');
    expect(filters.length).toBeGreaterThan(0);
    const documented = (readme.http_filters as Record<string, unknown>[]).find((f) => f.name === 'envoy.filters.http.ext_authz')!;
    for (const filter of filters) expect(filter.typed_config).toEqual(documented.typed_config);
  });

  it('shows the per-route config and the connection manager settings xds serves', () => {
    const perRoute = findAll(served, (o) => o['@type'] === (readme['envoy.filters.http.ext_authz'] as Record<string, unknown>)['@type'] && 'check_settings' in o);
    expect(perRoute.map((o) => Object.keys(o.check_settings as object))).toContainEqual(['context_extensions']);
    const [hcm] = findAll(served, (o) => 'http_filters' in o && 'common_http_protocol_options' in o);
    for (const key of ['common_http_protocol_options', 'normalize_path', 'merge_slashes', 'path_with_escaped_slashes_action']) expect(hcm?.[key], key).toEqual(readme[key]);
  });
});
