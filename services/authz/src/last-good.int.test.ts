// The last good version per policy for AUTHZ_CONFIG_PATH, on real Check answers over gRPC, in /status
// and in the config health metrics. One service per file: the kit's meter is the process-global one,
// so only the first service started in a test process has its metrics on /metrics.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisHandle } from '@gatehouse/e2e';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeyClientOf, apiKeyPolicyYaml, startAuthz } from './testing/authz-service.js';


let redis: RedisHandle;
let root: string;

beforeAll(async () => {
  redis = await startRedis();
  root = mkdtempSync(join(tmpdir(), 'gh-authz-last-good-'));
});

afterAll(async () => {
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('authz last good per policy', () => {
  it('keeps the last good version of a policy that turns invalid, updates the others, never serves a never-valid one', async () => {
    const dir = join(root, 'last-good');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), apiKeyPolicyYaml('a', 'alice'));
    writeFileSync(join(dir, 'b.yaml'), apiKeyPolicyYaml('b', 'bob'));
    const service = await startAuthz({ AUTHZ_CONFIG_PATH: dir, REDIS_URL: redis.url });
    try {
      expect(await apiKeyClientOf(service, 'ns/a', 'alice')).toBe('alice');
      // a breaks (a field authz does not implement), b changes, c is new and never valid.
      writeFileSync(join(dir, 'a.yaml'), apiKeyPolicyYaml('a', 'anne', '\n    failOpen: true'));
      writeFileSync(join(dir, 'b.yaml'), apiKeyPolicyYaml('b', 'carol'));
      writeFileSync(join(dir, 'c.yaml'), apiKeyPolicyYaml('c', 'cid').replace('name: c-keys }]', 'name: missing }]'));
      const files = await vi.waitFor(async () => {
        const status = (await service.status()).sources.files!;
        expect(status.refused).toEqual([expect.objectContaining({ policy: 'ns/c' })]);
        return status;
      }, { timeout: 5_000 });
      expect(await apiKeyClientOf(service, 'ns/b', 'carol')).toBe('carol');
      expect(await apiKeyClientOf(service, 'ns/a', 'alice')).toBe('alice');
      expect(await apiKeyClientOf(service, 'ns/a', 'anne')).toBeUndefined();
      const unknown = await service.client.check({ policy: 'ns/c', headers: { 'x-api-key': 'cid-0123456789abcdef' } });
      expect(JSON.parse(unknown.denied_response.body)).toEqual({ error: 'GH_AUTHZ_UNKNOWN_POLICY' });

      expect(files.serving.find((e) => e.policy === 'ns/a')).toMatchObject({ stale: true, generation: 2, servingGeneration: 1 });
      expect(files.problems).toContain(`${join(dir, 'a.yaml')}:8: SecurityPolicy ns/a: /spec/apiKeyAuth/failOpen: GH_AUTHZ_CONFIG_SCHEMA: unknown field`);
      const metrics = await (await fetch(`http://127.0.0.1:${service.running.adminPort}/metrics`)).text();
      expect(metrics).toMatch(/gatehouse_config_stale_resources\{kind="SecurityPolicy"[^}]*\} 1\n/);
      expect(metrics).toMatch(/gatehouse_config_refused_total\{kind="SecurityPolicy"[^}]*\} 2\n/);

      // Fixed: the new version serves at once.
      writeFileSync(join(dir, 'a.yaml'), apiKeyPolicyYaml('a', 'anne'));
      await vi.waitFor(async () => expect(await apiKeyClientOf(service, 'ns/a', 'anne')).toBe('anne'), { timeout: 5_000 });
    } finally {
      await service.stop();
    }
  });
});
