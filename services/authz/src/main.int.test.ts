// The built service as operators run it (node dist/main.js on the kit): config from the environment,
// Check over gRPC, per-policy metrics on the admin port, and bad variables refused at start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startRedis, startService, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckClient, upstreamHeaders } from './testing/check-client.js';

let redis: RedisHandle;
let service: ServiceHandle;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'gh-authz-main-'));
  writeFileSync(
    join(dir, 'keys.yaml'),
    `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: keys, namespace: partners }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }]
  apiKeyAuth:
    credentialRefs: [{ name: keys }]
    extractFrom: [{ headers: [x-api-key] }]
---
apiVersion: v1
kind: Secret
metadata: { name: keys, namespace: partners }
stringData: { acme: acme-0123456789abcdef }
`,
  );
  service = await startService('authz', { REDIS_URL: redis.url, AUTHZ_CONFIG_PATH: dir, AUTHZ_COOKIE_SECRET: 'm'.repeat(32) }, { readyTimeoutMs: 40_000 });
});

afterAll(async () => {
  await service?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('authz main', () => {
  it('answers Check for the configured policies and counts them per policy in /metrics', async () => {
    const client = createCheckClient(service.grpcPort);
    try {
      const allowed = await client.check({ policy: 'partners/keys', headers: { 'x-api-key': 'acme-0123456789abcdef' } });
      expect(upstreamHeaders(allowed)['x-gatehouse-client-id']).toBe('acme');
      const denied = await client.check({ policy: 'partners/keys', headers: { 'x-api-key': 'wrong-0123456789abcdef' } });
      expect(JSON.parse(denied.denied_response.body)).toEqual({ error: 'GH_AUTHZ_API_KEY_INVALID' });
    } finally {
      client.close();
    }
    const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_authz_checks_total\{[^}]*policy="partners\/keys"[^}]*outcome="allowed"[^}]*\} 1/);
    expect(metrics).toMatch(/gatehouse_authz_checks_total\{[^}]*outcome="denied"[^}]*reason="GH_AUTHZ_API_KEY_INVALID"[^}]*\} 1/);
    expect(metrics).toMatch(/gatehouse_authz_check_duration_seconds_bucket\{[^}]*policy="partners\/keys"/);
  });

  it('exits 2 with one line naming the variable for a short cookie secret, a malformed default policy or a config path that does not exist', () => {
    for (const [name, value] of [['AUTHZ_COOKIE_SECRET', 'short'], ['AUTHZ_DEFAULT_POLICY', 'no-slash'], ['AUTHZ_CONFIG_PATH', join(dir, 'does-not-exist')]] as const) {
      const result = spawnSync(process.execPath, [join(repoRoot, 'services/authz/dist/main.js')], {
        env: { ...process.env, GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY, GATEHOUSE_INSECURE_PLAINTEXT: 'true', REDIS_URL: redis.url, GRPC_PORT: '0', ADMIN_PORT: '0', [name]: value },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(name);
    }
  });
});
