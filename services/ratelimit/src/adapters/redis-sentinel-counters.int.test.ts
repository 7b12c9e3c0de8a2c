// RedisCounterStore through Redis Sentinel: the client finds the master via a real sentinel.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ManagedProcess, startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { connectRedis, type RedisConnection } from '@gatehouse/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCounterStore } from './redis-counter-store.js';

let master: RedisHandle;
let sentinel: ManagedProcess;
let dir: string;
let client: RedisConnection;

beforeAll(async () => {
  master = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-sentinel-'));
  const port = await freePort();
  const config = join(dir, 'sentinel.conf');
  writeFileSync(config, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor rlmaster 127.0.0.1 ${master.port} 1\n`);
  sentinel = new ManagedProcess({ name: `redis-sentinel :${port}`, command: 'redis-server', args: [config, '--sentinel'], cwd: dir });
  await waitFor(
    () => {
      sentinel.assertRunning();
      return execFileSync('redis-cli', ['-p', String(port), 'sentinel', 'get-master-addr-by-name', 'rlmaster']).toString().includes(String(master.port));
    },
    { description: 'the sentinel to know the master' },
  );
  client = connectRedis(`redis+sentinel://127.0.0.1:${port}/rlmaster`, { options: { enableOfflineQueue: false, enableAutoPipelining: false } });
  await waitFor(() => client.status === 'ready', { description: 'the client to reach the master through the sentinel' });
});

afterAll(async () => {
  await client?.quit().catch(() => client.disconnect());
  await sentinel?.stop();
  await master?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RedisCounterStore through Sentinel', () => {
  it('counts on the master the sentinel names', async () => {
    const store = new RedisCounterStore(client, { timeoutMs: 2000 });
    const key = 'sentinel-test_k_v_1700000000';
    const check = () => store.check([{ algorithm: 'fixed_window', key, hits: 1, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 }]);
    await check();
    expect(await check()).toEqual([{ algorithm: 'fixed_window', after: 2 }]);
    expect(execFileSync('redis-cli', ['-p', String(master.port), 'get', key]).toString().trim()).toBe('2');
  });
});
