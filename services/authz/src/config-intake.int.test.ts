// AUTHZ_CONFIG_PATH through the kit's intake, asserted on real Check answers over gRPC: a Kubernetes
// ConfigMap mount (each file loaded once, an atomic `..data` swap followed), a file replaced by
// rename again and again, an in-place write, a delete and a re-create.
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeConfigMapDir, swapConfigMap } from '@gatehouse/kit/testing';
import { startRedis, type RedisHandle } from '@gatehouse/e2e';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeyClientOf, apiKeyPolicyYaml, startAuthz } from './testing/authz-service.js';


let redis: RedisHandle;
let root: string;

beforeAll(async () => {
  redis = await startRedis();
  root = mkdtempSync(join(tmpdir(), 'gh-authz-intake-'));
});

afterAll(async () => {
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('authz config intake', () => {
  it('loads a ConfigMap mount once per file and follows an atomic ..data swap', async () => {
    const dir = join(root, 'configmap');
    mkdirSync(dir);
    await makeConfigMapDir(dir, { 'policy.yaml': apiKeyPolicyYaml('mounted', 'alice') });
    const service = await startAuthz({ AUTHZ_CONFIG_PATH: dir, REDIS_URL: redis.url });
    try {
      expect(await apiKeyClientOf(service, 'ns/mounted', 'alice')).toBe('alice');
      const files = (await service.status()).sources.files!;
      expect(files.problems).toEqual([]);
      expect(files.serving).toEqual([expect.objectContaining({ policy: 'ns/mounted', file: join(dir, 'policy.yaml'), generation: 1 })]);
      await swapConfigMap(dir, { 'policy.yaml': apiKeyPolicyYaml('mounted', 'bob') });
      await vi.waitFor(async () => expect(await apiKeyClientOf(service, 'ns/mounted', 'bob')).toBe('bob'), { timeout: 5_000 });
      expect(await apiKeyClientOf(service, 'ns/mounted', 'alice')).toBeUndefined();
      expect((await service.status()).sources.files!.problems.join('\n')).not.toContain('GH_AUTHZ_CONFIG_DUPLICATE');
    } finally {
      await service.stop();
    }
  });

  it('picks up a file replaced by rename ten times in a row, an in-place write, a delete and a re-create', async () => {
    const dir = join(root, 'renames');
    mkdirSync(dir);
    writeFileSync(join(dir, 'policy.yaml'), apiKeyPolicyYaml('renamed', 'client0'));
    const service = await startAuthz({ AUTHZ_CONFIG_PATH: dir, REDIS_URL: redis.url });
    try {
      expect(await apiKeyClientOf(service, 'ns/renamed', 'client0')).toBe('client0');
      for (let i = 1; i <= 10; i++) {
        writeFileSync(join(dir, '.policy.yaml.tmp'), apiKeyPolicyYaml('renamed', `client${i}`));
        renameSync(join(dir, '.policy.yaml.tmp'), join(dir, 'policy.yaml'));
        await vi.waitFor(async () => expect(await apiKeyClientOf(service, 'ns/renamed', `client${i}`)).toBe(`client${i}`), { timeout: 5_000 });
      }
      writeFileSync(join(dir, 'policy.yaml'), apiKeyPolicyYaml('renamed', 'in-place'));
      await vi.waitFor(async () => expect(await apiKeyClientOf(service, 'ns/renamed', 'in-place')).toBe('in-place'), { timeout: 5_000 });
      unlinkSync(join(dir, 'policy.yaml'));
      await vi.waitFor(async () => expect((await service.status()).policies).not.toContain('ns/renamed'), { timeout: 5_000 });
      expect(await apiKeyClientOf(service, 'ns/renamed', 'in-place')).toBeUndefined();
      writeFileSync(join(dir, 'policy.yaml'), apiKeyPolicyYaml('renamed', 're-created'));
      await vi.waitFor(async () => expect(await apiKeyClientOf(service, 'ns/renamed', 're-created')).toBe('re-created'), { timeout: 5_000 });
    } finally {
      await service.stop();
    }
  });
});
