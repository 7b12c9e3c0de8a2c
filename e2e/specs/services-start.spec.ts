// Every service starts on the kit against a real Redis, serves health, readiness and metrics over HTTP
// and grpc.health.v1 over gRPC, stops cleanly on SIGTERM, and refuses a bad environment with one line.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { repoRoot, startRedis, startService, type RedisHandle } from '../harness/index.js';

const SERVICES = ['xds', 'certs', 'authz', 'ratelimit'] as const;
let redis: RedisHandle;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis?.stop());

function healthCheck(address: string): Promise<string> {
  const Health = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.health), 'Health');
  const client = new Health(address, credentials.createInsecure()) as unknown as Client & {
    Check(request: object, callback: (err: Error | null, response?: { status?: string }) => void): void;
  };
  return new Promise((resolve, reject) =>
    client.Check({ service: '' }, (err, response) => {
      client.close();
      if (err) reject(err);
      else resolve(response?.status ?? '');
    }),
  );
}

describe.each(SERVICES)('services/%s', (name) => {
  it('serves /healthz, /readyz, /metrics and gRPC health, then exits 0 on SIGTERM', async () => {
    const service = await startService(name, { REDIS_URL: redis.url, ...serviceEnv(name) });
    try {
      expect((await fetch(`${service.adminUrl}/healthz`)).status).toBe(200);
      const ready = await fetch(`${service.adminUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: Record<string, boolean> }).checks.redis).toBe(true);
      const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
      expect(metrics).toContain(`gatehouse_service_info{service="${name}"`);
      expect(metrics).toContain('gatehouse_redis_connected{');
      expect(await healthCheck(service.grpcAddress)).toBe('SERVING');
    } finally {
      await service.stop();
    }
    expect(await service.process.waitForExit()).toEqual({ code: 0, signal: null });
  });

  it('exits 2 with one line naming the variable when the environment is wrong', () => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'services', name, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH, ...serviceEnv(name), GRPC_PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`gatehouse-${name}: invalid GRPC_PORT: "eighty" is not an integer`);
  });

  it('exits 2 naming GATEHOUSE_CONTROL_KEY when the deployment\'s control key is not set', () => {
    const result = spawnSync(process.execPath, [join(repoRoot, 'services', name, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH, ...serviceEnv(name), GATEHOUSE_INSECURE_PLAINTEXT: 'true' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(new RegExp(`^gatehouse-${name}: invalid GATEHOUSE_CONTROL_KEY: is required but not set`));
  });
});

/** The least each service needs beyond the common variables. */
function serviceEnv(name: (typeof SERVICES)[number]): Record<string, string> {
  switch (name) {
    case 'certs':
      return { CERTS_ALLOW_PLAINTEXT_KEYS: 'true', HTTP_PORT: '0' };
    default:
      return {};
  }
}
