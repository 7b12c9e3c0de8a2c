// basicAuth hardening through the service as deployed (issue 13): the AUTHZ_BASIC_* variables reach
// the bcrypt pool and the failure budget, and the 429/503 denies travel over gRPC with their codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisHandle } from '@gatehouse/e2e';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthz, type AuthzUnderTest } from './testing/authz-service.js';

let redis: RedisHandle;
let dir: string;
let service: AuthzUnderTest;

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'gh-authz-basic-'));
  writeFileSync(
    join(dir, 'basic.yaml'),
    `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: basic, namespace: ns }
spec:
  basicAuth: { users: { name: users } }
---
apiVersion: v1
kind: Secret
metadata: { name: users, namespace: ns }
stringData:
  .htpasswd: "bob:${bcrypt.hashSync('builder', 11)}"
`,
  );
  // Cost 11 (~150 ms a hash in bcryptjs): the three concurrent checks below arrive while the first still hashes.
  service = await startAuthz({ AUTHZ_CONFIG_PATH: dir, REDIS_URL: redis.url, AUTHZ_BASIC_HASH_THREADS: '1', AUTHZ_BASIC_HASH_QUEUE: '0', AUTHZ_BASIC_MAX_FAILURES: '2', AUTHZ_BASIC_FAILURE_WINDOW: '1m' });
});

afterAll(async () => {
  await service?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const check = async (credential: string) => {
  const answer = await service.client.check({ policy: 'ns/basic', headers: { authorization: `Basic ${Buffer.from(credential).toString('base64')}` } });
  return answer.status.code === 0 ? 'allow' : `${answer.status.code} ${answer.denied_response.status.code} ${(JSON.parse(answer.denied_response.body) as { error: string }).error}`;
};

describe('basicAuth hardening over gRPC', () => {
  it('answers 503 GH_AUTHZ_BASIC_BUSY beyond the pool (1 thread, no queue) and 429 GH_AUTHZ_BASIC_LOCKED past the budget (2 failures)', async () => {
    const concurrent = await Promise.all(['a', 'b', 'c'].map((name) => check(`${name}:guess`)));
    expect(concurrent.filter((a) => a === '16 Unauthorized GH_AUTHZ_BASIC_INVALID')).toHaveLength(1);
    expect(concurrent.filter((a) => a === '14 ServiceUnavailable GH_AUTHZ_BASIC_BUSY')).toHaveLength(2);
    expect(await check('bob:x')).toBe('16 Unauthorized GH_AUTHZ_BASIC_INVALID');
    expect(await check('bob:y')).toBe('16 Unauthorized GH_AUTHZ_BASIC_INVALID');
    expect(await check('bob:builder')).toBe('8 TooManyRequests GH_AUTHZ_BASIC_LOCKED');
    expect(service.errors.some((line) => line.includes('GH_AUTHZ_BASIC_BUSY'))).toBe(true);
  });
});
