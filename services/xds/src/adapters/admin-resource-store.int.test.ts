import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, waitFor, type RedisHandle as TestRedis } from '@gatehouse/e2e';
import { testControlKeyring } from '@gatehouse/kit/testing';
import { AdminResourceStore, type StoredResource } from './admin-resource-store.js';

let redis: TestRedis;
const connections: Redis[] = [];
const connect = (): Redis => {
  const c = new Redis(redis.url);
  connections.push(c);
  return c;
};

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis.stop();
});

function replica(key: string) {
  return new AdminResourceStore({ redis: connect(), subscriber: connect, key, channelName: `${key}:changed`, keyring: testControlKeyring });
}

describe('AdminResourceStore', () => {
  it('stores resources in a hash and every replica sees the change', async () => {
    const key = `test:${Math.random()}`;
    const writer = replica(key);
    const reader = replica(key);
    const seen: StoredResource[][] = [];
    let notify = (): void => undefined;
    await reader.watch(
      (list) => {
        seen.push(list);
        notify();
      },
      (err) => {
        throw err;
      },
    );
    const changed = new Promise<void>((resolve) => (notify = resolve));
    await writer.put([{ key: 'HTTPRoute/default/a', yaml: 'kind: HTTPRoute' }]);
    await changed;
    expect(seen.at(-1)).toEqual([{ key: 'HTTPRoute/default/a', yaml: 'kind: HTTPRoute' }]);
    await writer.close();
    await reader.close();
  });

  it('deletes only existing keys and versions by content', async () => {
    const store = replica(`test:${Math.random()}`);
    const v1 = await store.put([{ key: 'Gateway/default/gw', yaml: 'a' }]);
    const v2 = await store.put([{ key: 'Gateway/default/gw', yaml: 'a' }]);
    expect(v2).toBe(v1);
    const { deleted, version } = await store.delete(['Gateway/default/gw', 'Gateway/default/none']);
    expect(deleted).toEqual(['Gateway/default/gw']);
    expect(version).not.toBe(v1);
    expect(await store.list()).toEqual([]);
  });

  it('attack: replay an older sealed value without announcing it (for a replica that starts later) → the running replica\'s re-check writes the newest back, and the later replica moves to it', async () => {
    const key = `test:${Math.random()}`;
    const running = new AdminResourceStore({ redis: connect(), subscriber: connect, key, channelName: `${key}:changed`, keyring: testControlKeyring, recheckMs: 50 });
    const later = replica(key);
    try {
      const seen: StoredResource[][] = [];
      await running.watch((list) => void seen.push(list), (err) => void seen.push([{ key: 'error', yaml: String(err) }]));
      const attacker = connect();
      await running.put([{ key: 'SecurityPolicy/default/api', yaml: 'loose' }]);
      const older = (await attacker.hgetBuffer(key, 'SecurityPolicy/default/api'))!;
      await running.put([{ key: 'SecurityPolicy/default/api', yaml: 'tight' }]);
      const newest = (await attacker.hgetBuffer(key, 'SecurityPolicy/default/api'))!;
      await waitFor(() => seen.at(-1)?.[0]?.yaml === 'tight', { description: 'the tightened value to apply' });
      const fromReplay = seen.length;

      await attacker.hset(key, 'SecurityPolicy/default/api', older);
      const laterSeen: StoredResource[][] = [];
      await later.watch((list) => void laterSeen.push(list), (err) => void laterSeen.push([{ key: 'error', yaml: String(err) }]));
      await waitFor(async () => (await attacker.hgetBuffer(key, 'SecurityPolicy/default/api'))!.equals(newest), { description: 'the newest value to be written back' });
      await waitFor(() => laterSeen.at(-1)?.[0]?.yaml === 'tight', { description: 'the later replica to move to the newest value' });
      expect(seen.slice(fromReplay).flat().map((r) => r.yaml)).not.toContain('loose');
      expect(seen.flat().map((r) => r.key)).not.toContain('error');
    } finally {
      await running.close();
      await later.close();
    }
  });
});
