// Journey: a TCPRoute carries a real TCP connection. The Gateway's TCP listener routes to the Redis
// this test starts; the emulated Envoy opens that listener with the tcp_proxy chain xds serves over
// ADS, and a Redis conversation (PING, SET, GET) through it reaches the real Redis.
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, startGateway, startRedis, type ConfigFolderHandle, type GatewayHandle, type RedisHandle } from '../harness/index.js';
import { startTcpListener } from '../harness/envoy/tcp-proxy.js';

let redis: RedisHandle;
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  redis = await startRedis();
  config = await copyConfigFolder(join(import.meta.dirname, 'tcproute-redis'), { REDIS_PORT: String(redis.port) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', redis, services: ['xds'] });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await redis?.stop();
});

/** Sends RESP inline commands on one connection; resolves with the raw replies once `lines` lines came back. */
function converse(port: number, commands: string[], lines: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.split('\r\n').length - 1 >= lines) {
        socket.end();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed after ${JSON.stringify(received)}`)));
    socket.write(commands.map((c) => `${c}\r\n`).join(''));
  });
}

describe('a TCPRoute', () => {
  it('carries a Redis conversation through the TCP listener to the real Redis', async () => {
    const snapshot = await gw.snapshot();
    const listener = await startTcpListener(snapshot, 6379, { redis: '127.0.0.1' });
    try {
      expect(listener.cluster).toBe(`service/default/redis/${redis.port}`);
      const key = `tcproute-e2e-${process.pid}`;
      // +PONG, +OK, then the bulk string: its length line and its value.
      expect(await converse(listener.port, ['PING', `SET ${key} through-envoy`, `GET ${key}`], 4)).toBe('+PONG\r\n+OK\r\n$13\r\nthrough-envoy\r\n');
    } finally {
      await listener.close();
    }
  });
});
