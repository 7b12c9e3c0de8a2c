// Side effects through the built service: a BackendTrafficPolicy's rate limits reach every
// ratelimit replica as gatehouse.v1.RateLimitConfigPublished, a SecurityPolicy reaches every authz
// replica as gatehouse.v1.AuthzPoliciesPublished (kit fan-out: latest kept in Redis, then PUBLISH).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authzPoliciesPublishedCodec, FanoutChannels, rateLimitConfigPublishedCodec, SealedUses } from '@gatehouse/contracts';
import { FanoutChannel } from '@gatehouse/kit';
import { testSealedCodec } from '@gatehouse/kit/testing';
import { startRedis, startService, waitFor, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';

let dir: string;
let redis: RedisHandle;
let xds: ServiceHandle;
let r: Redis;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-published-'));
  for (const name of ['backendtrafficpolicy-global-ratelimit', 'securitypolicy-ext-authz']) {
    await writeFile(join(dir, `${name}.yaml`), await readFile(new URL(`../testdata/end-to-end/${name}.in.yaml`, import.meta.url), 'utf8'));
  }
  redis = await startRedis();
  r = new Redis(redis.url);
  xds = await startService('xds', { REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, XDS_DEBOUNCE_MS: '10' });
});
afterAll(async () => {
  r?.disconnect();
  await xds?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('configuration published for ratelimit and authz', () => {
  it('publishes rate limit domains and authz policies with content-hash versions', async () => {
    const rateLimit = new FanoutChannel({ name: FanoutChannels.rateLimitConfig, codec: testSealedCodec(rateLimitConfigPublishedCodec, SealedUses.rateLimitConfig()), redis: r });
    const authz = new FanoutChannel({ name: FanoutChannels.authzPolicies, codec: testSealedCodec(authzPoliciesPublishedCodec, SealedUses.authzPolicies()), redis: r });
    const domains = await waitFor(async () => {
      const latest = await rateLimit.latest();
      return latest?.domains?.length ? latest : undefined;
    });
    expect(domains.version).toMatch(/^[0-9a-f]{16}$/);
    expect(domains.domains![0]!.yaml).toContain('domain:');
    const policies = await waitFor(async () => {
      const latest = await authz.latest();
      return latest?.policies?.length ? latest : undefined;
    });
    expect(policies.policies![0]).toMatchObject({ namespace: expect.any(String), name: expect.any(String), yaml: expect.stringContaining('SecurityPolicy') });
  });
});
