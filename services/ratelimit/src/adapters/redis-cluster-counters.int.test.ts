// RedisCounterStore against a real 3-master Redis Cluster: fixed windows of different slots go
// as plain INCRBY + EXPIRE to their own nodes, the Lua algorithms run on hash-tagged keys.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, ManagedProcess, waitFor } from '@gatehouse/e2e';
import { connectRedis, startService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitService } from '../service.js';
import { COUNTER_CAP, RedisCounterStore } from './redis-counter-store.js';

const nodes: ManagedProcess[] = [];
let dataDir: string;
let ports: number[];
let cluster: Cluster;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-cluster-'));
  ports = await freePorts(3);
  for (const port of ports) {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no', '--dir', dataDir];
    nodes.push(new ManagedProcess({ name: `redis-cluster :${port}`, command: 'redis-server', args, cwd: dataDir }));
  }
  for (const port of ports) {
    await waitFor(() => execFileSync('redis-cli', ['-p', String(port), 'ping']).toString().includes('PONG'), { description: `node :${port}` });
  }
  execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
  await waitFor(() => execFileSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']).toString().includes('cluster_state:ok'), { description: 'cluster_state:ok' });
  cluster = connectRedis(`redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`) as Cluster;
  await waitFor(() => cluster.status === 'ready', { description: 'cluster client ready' });
});

afterAll(async () => {
  await cluster?.quit().catch(() => cluster.disconnect());
  await Promise.all(nodes.map((n) => n.stop()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('RedisCounterStore on Redis Cluster', () => {
  it('counts fixed windows whose keys live on different nodes', async () => {
    const store = new RedisCounterStore(cluster, { timeoutMs: 2000 });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => `cluster-test_${k}_v_1700000000`);
    const slots = new Set(await Promise.all(keys.map((k) => cluster.cluster('KEYSLOT', k))));
    expect(slots.size).toBeGreaterThan(1);
    const check = () =>
      store.check(keys.map((key) => ({ algorithm: 'fixed_window' as const, key, hits: 2, limit: 10, windowSeconds: 60, expireSeconds: 60, burst: 10 })));
    await check();
    expect((await check()).map((r) => (r.algorithm === 'fixed_window' ? r.after : -1))).toEqual([4, 4, 4, 4, 4, 4]);
    expect(await cluster.ttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('counter overflow and batch isolation in cluster mode: INT64_MAX reads as over any limit, a refused key fails only its check', async () => {
    const store = new RedisCounterStore(cluster, { timeoutMs: 2000 });
    await cluster.set('cluster-parked_1700000000', '9223372036854775807');
    await cluster.set('cluster-garbage_1700000000', 'abc');
    const check = (key: string) => store.check([{ algorithm: 'fixed_window', key, hits: 1, limit: 10, windowSeconds: 60, expireSeconds: 60, burst: 10 }]);
    const [parked, garbage, good] = await Promise.allSettled([check('cluster-parked_1700000000'), check('cluster-garbage_1700000000'), check('cluster-good_1700000000')]);
    expect(parked).toMatchObject({ status: 'fulfilled', value: [{ after: COUNTER_CAP }] });
    expect(garbage).toMatchObject({ status: 'rejected', reason: { code: 'GH_RATELIMIT_REDIS_KEY_ERROR' } });
    expect(good).toMatchObject({ status: 'fulfilled', value: [{ after: 1 }] });
  });

  it('runs GCRA and the sliding window on their nodes', async () => {
    const store = new RedisCounterStore(cluster, { timeoutMs: 2000 });
    await store.loadScripts();
    const results = await store.check([
      { algorithm: 'gcra', key: 'gcra:{cluster-test_x_}60', hits: 1, limit: 60, windowSeconds: 60, expireSeconds: 60, burst: 1 },
      { algorithm: 'sliding_window', key: 'sw:{cluster-test_y_}60', hits: 1, limit: 1, windowSeconds: 60, expireSeconds: 60, burst: 1 },
    ]);
    expect(results.map((r) => r.algorithm !== 'fixed_window' && r.allowed)).toEqual([true, true]);
    const again = await store.check([
      { algorithm: 'gcra', key: 'gcra:{cluster-test_x_}60', hits: 1, limit: 60, windowSeconds: 60, expireSeconds: 60, burst: 1 },
      { algorithm: 'sliding_window', key: 'sw:{cluster-test_y_}60', hits: 1, limit: 1, windowSeconds: 60, expireSeconds: 60, burst: 1 },
    ]);
    expect(again.map((r) => r.algorithm !== 'fixed_window' && r.allowed)).toEqual([false, false]);
  });

  it('serves the whole service against the cluster', async () => {
    writeFileSync(join(dataDir, 'limits.yaml'), 'domain: c\ndescriptors:\n  - key: k\n    rate_limit: { unit: hour, requests_per_unit: 1 }\n');
    const service = await startService(rateLimitService, {
      GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
      REDIS_URL: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
      GATEHOUSE_INSECURE_PLAINTEXT: 'true',
      RATELIMIT_CONFIG_PATH: join(dataDir, 'limits.yaml'),
      GRPC_PORT: '0',
      ADMIN_PORT: '0',
      BIND_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      // Not a timeout test: a busy machine must not turn the answers into the failure mode's.
      RATELIMIT_REDIS_TIMEOUT_MS: '1000',
      RATELIMIT_JSON_ENABLED: 'true',
      ADMIN_TOKEN: 'cluster-admin-token',
    });
    const admin = `http://127.0.0.1:${service.adminPort}`;
    try {
      await waitFor(async () => (await fetch(`${admin}/readyz`)).ok, { timeoutMs: 20_000, description: 'the service to be ready on the cluster' });
      const post = () => fetch(`${admin}/json`, { method: 'POST', headers: { authorization: 'Bearer cluster-admin-token' }, body: JSON.stringify({ domain: 'c', descriptors: [{ entries: [{ key: 'k', value: 'v' }] }] }) });
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(429);
    } finally {
      await service.stop();
    }
  });
});
