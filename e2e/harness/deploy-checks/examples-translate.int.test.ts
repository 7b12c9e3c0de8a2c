// The examples docker compose serves, and the "acme" profile's variant, translate with no error status:
// run through the built CLI (`gatehouse validate`: parse, schema, translate, failed conditions).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { repoRoot } from '../service.js';

const cli = join(repoRoot, 'packages/cli/dist/main.js');
const run = promisify(execFile);

async function validate(path: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'validate', '-f', path], { timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** deploy/examples with deploy/acme/gateway.yaml in place of gateway.yaml, as compose.acme.yaml mounts it. */
function acmeConfigDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-acme-examples-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of readdirSync(join(repoRoot, 'deploy/examples'))) copyFileSync(join(repoRoot, 'deploy/examples', file), join(dir, file));
  copyFileSync(join(repoRoot, 'deploy/acme/gateway.yaml'), join(dir, 'gateway.yaml'));
  return dir;
}

describe('gatehouse validate on the deploy examples', () => {
  it('finds no problem in deploy/examples (JWT API, per-user limit, OIDC app)', async () => {
    const result = await validate(join(repoRoot, 'deploy/examples'));
    expect(result.output).toMatch(/resource\(s\): valid/);
    expect(result.code).toBe(0);
  });

  it('finds no problem with the acme profile\'s Gateway (HTTPS listener, cluster-issuer annotation)', async () => {
    const result = await validate(acmeConfigDir());
    expect(result.output).toMatch(/resource\(s\): valid/);
    expect(result.code).toBe(0);
  });

  it('would report a route to a Backend that does not exist (the check is live)', async () => {
    const dir = acmeConfigDir();
    writeFileSync(
      join(dir, 'broken.yaml'),
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: broken, namespace: default }\nspec:\n  parentRefs: [{ name: gateway }]\n  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: missing }] }]\n',
    );
    const result = await validate(dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain('BackendNotFound');
  });
});
