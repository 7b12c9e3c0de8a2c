import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { startRedis } from './redis.js';

describe('startRedis', () => {
  it('starts a redis-server that answers PING on a random port', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      expect(redis.port).toBeGreaterThan(0);
    } finally {
      client.disconnect();
      await redis.stop();
    }
    expect(redis.running).toBe(false);
  });

  it('pauses: commands time out while it hangs and succeed after resume', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { lazyConnect: true, commandTimeout: 300, maxRetriesPerRequest: 0 });
    onTestFinished(async () => {
      client.disconnect();
      await redis.stop();
    });
    await client.connect();
    redis.pause();
    await expect(client.ping()).rejects.toThrow(/timed out/i);
    redis.resume();
    expect(await client.ping()).toBe('PONG');
  });

  describe('outage drill', () => {
    let stopAll = async (): Promise<void> => {};
    afterAll(() => stopAll());

    it('keeps appendonly data across a crash and restarts on the same port', async () => {
      const redis = await startRedis({ appendOnly: true });
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      client.on('error', () => {}); // expected while the server is down
      stopAll = async () => {
        client.disconnect();
        await redis.stop();
      };
      await client.connect();
      await client.set('drill:key', 'kept');

      await redis.kill();
      expect(redis.running).toBe(false);
      await expect(client.get('drill:key')).rejects.toThrow();

      await redis.restart();
      expect(redis.running).toBe(true);
      const again = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
      try {
        await again.connect();
        expect(await again.get('drill:key')).toBe('kept');
      } finally {
        again.disconnect();
      }
    });
  });
});
