import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle as TestRedis } from '@gatehouse/e2e';
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
});
