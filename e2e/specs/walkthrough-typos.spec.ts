// Journey: "a bad edit never loosens the gateway", on the walkthrough's own files (deploy/examples). For
// every resource in them, a typo in one field name (the walkthrough's `requests:` to `reqests:`, and the
// same mistake in each other resource) must leave what is served unchanged: the Envoy config over ADS,
// the limits ratelimit enforces, the answers authz gives; and /status must name the file, line and
// field. Fixing the typo serves the resource again, and a real change after that still applies.
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, parseAllDocuments, type Pair } from 'yaml';
import { copyConfigFolder, repoRoot, startGateway, waitFor, type ConfigFolderHandle, type GatewayHandle, type ServedSnapshot } from '../harness/index.js';

const EXAMPLES = join(repoRoot, 'deploy', 'examples');
const FILES = ['gateway.yaml', 'jwt-api.yaml', 'oidc-app.yaml'];

let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  config = await copyConfigFolder(EXAMPLES);
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', env: { ratelimit: { RATELIMIT_REDIS_TIMEOUT_MS: '1000' } } });
  await waitFor(async () => (await rlconfig()).includes('requests_per_unit'), { timeoutMs: 20_000, description: 'the walkthrough limit to reach ratelimit' });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
});

const status = async (): Promise<string> => (await fetch(`${gw.service('xds').adminUrl}/status`)).text();
const rlconfig = async (): Promise<string> => (await fetch(`${gw.service('ratelimit').adminUrl}/rlconfig`)).text();
/** The policies authz serves, each with the generation of the version it serves. */
const authzPolicies = async (): Promise<string[]> => {
  const body = (await (await fetch(`${gw.service('authz').adminUrl}/status`)).json()) as { policies: string[]; sources: Record<string, { serving: { policy: string; servingGeneration: number }[] }> };
  const versions = Object.values(body.sources).flatMap((s) => s.serving.map((p) => `${p.policy}@${p.servingGeneration}`));
  return [...body.policies, ...versions.sort()];
};
/** The served Envoy config without its version strings, which a re-translation may change. */
const served = async (): Promise<Omit<ServedSnapshot, 'versions'>> => {
  const { versions: _versions, ...rest } = await gw.snapshot();
  return rest;
};
const mint = (sub: string): string => execFileSync(process.execPath, [join(repoRoot, 'deploy/demo-token/mint-token.mjs'), '--sub', sub], { encoding: 'utf8' }).trim();
const get = (path: string, token?: string) => gw.request(8080, { path, host: 'localhost', headers: token ? { authorization: `Bearer ${token}` } : {} });

interface Typo {
  readonly file: string;
  readonly resource: string;
  /** The misspelled field name. */
  readonly field: string;
  readonly text: string;
}

/**
 * One typo per resource: the deepest first field name under `spec` loses its second letter
 * (`requests` -> `rquests`), the mistake a user makes, which the CRD schema refuses. A resource without
 * a spec (the OIDC client's Secret) gets it in its first top-level field holding a map (`stringData`).
 */
function typos(file: string, text: string): Typo[] {
  const out: Typo[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    const value = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (!value?.kind) return;
    const copy = parseAllDocuments(text);
    let node = copy[index]!.get('spec', true);
    let pair: Pair | undefined;
    const top = copy[index]!.contents;
    if (node === undefined && isMap(top)) {
      pair = top.items.find((p) => isScalar(p.key) && p.key.value !== 'metadata' && isMap(p.value));
    }
    while (isMap(node) && node.items.length > 0) {
      pair = node.items[0]!;
      node = pair.value;
    }
    if (!pair || !isScalar(pair.key)) return;
    const name = String(pair.key.value);
    const field = name.slice(0, 1) + name.slice(2);
    pair.key.value = field;
    out.push({ file, resource: `${value.kind} ${value.metadata?.name}`, field, text: copy.map((d) => d.toString()).join('') });
  });
  return out;
}

describe('a typo in any resource of the walkthrough', () => {
  it('keeps every resource serving its last good version, with the error in /status, until it is fixed', async () => {
    const originals = Object.fromEntries(await Promise.all(FILES.map(async (f) => [f, await config.read(f)] as const)));
    const cases = FILES.flatMap((f) => typos(f, originals[f]!));
    // Every resource of the walkthrough's files gets its typo (GatewayClass ... the OIDC client's Secret).
    const resources = FILES.flatMap((f) => parseAllDocuments(originals[f]!).filter((d) => d.get('kind')).map((d) => `${String(d.get('kind'))} ${String(d.getIn(['metadata', 'name']))}`));
    expect(cases.map((c) => c.resource)).toEqual(resources);
    expect(cases.map((c) => c.resource)).toContain('BackendTrafficPolicy api-per-user-limit');
    expect(cases.map((c) => c.resource)).toContain('Secret app-oidc-client');
    const baseline = { served: await served(), limits: await rlconfig() };
    expect((await get('/api/orders', mint('carol'))).status).toBe(200);
    // What authz enforces (the OIDC policy carries the Secret's client secret): the policies and their versions.
    const baselinePolicies = await authzPolicies();
    expect(baselinePolicies).toContain('default/app-oidc');
    for (const [i, typo] of cases.entries()) {
      await config.write(typo.file, typo.text);
      await waitFor(async () => (await status()).includes(typo.field), { timeoutMs: 10_000, description: `/status to report "${typo.field}" in ${typo.resource}` });
      const report = await status();
      expect(report, typo.resource).toMatch(new RegExp(`${typo.file}:\\d+`));
      expect(await served(), `${typo.resource}: served Envoy config`).toEqual(baseline.served);
      expect(await rlconfig(), `${typo.resource}: ratelimit config`).toBe(baseline.limits);
      expect((await get('/api/orders')).status, `${typo.resource}: no token`).toBe(401);
      // A user of their own per case: the limit (5 a minute per user) is part of what must keep serving.
      expect((await get('/api/orders', mint(`user-${i}`))).status, `${typo.resource}: with a token`).toBe(200);
      expect(await authzPolicies(), `${typo.resource}: authz policies`).toEqual(baselinePolicies);
      await config.write(typo.file, originals[typo.file]!);
      await waitFor(async () => !(await status()).includes(typo.field), { timeoutMs: 10_000, description: `/status to clear "${typo.field}"` });
    }

    // After all that, a real edit still applies: the walkthrough's step 5.
    await config.edit('jwt-api.yaml', (t) => t.replace(/requests: 5\b/, 'requests: 2'));
    await waitFor(async () => /requests_per_unit=2\b/.test(await rlconfig()), { timeoutMs: 10_000, description: 'the new limit of 2 in ratelimit' });
  }, 240_000);
});
