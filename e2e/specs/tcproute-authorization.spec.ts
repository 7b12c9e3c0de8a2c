// Journey: a SecurityPolicy authorizes TCP connections by client CIDR. xds serves each TCPRoute's chain
// with Envoy's network RBAC filter ahead of tcp_proxy; the emulated Envoy applies it to the client's
// address (127.0.0.1 here): the route allowing loopback carries a Redis PING to the real Redis, the
// route allowing only 10.0.0.0/8 closes the connection without a byte.
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
  config = await copyConfigFolder(join(import.meta.dirname, 'tcproute-authorization'), { REDIS_PORT: String(redis.port) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', redis, services: ['xds'] });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await redis?.stop();
});

/** Sends PING; resolves with what came back before the connection closed (or the first reply line). */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.includes('\r\n')) socket.end();
    });
    // A connection Envoy closes may reset before the PING is written: that is a closed connection too.
    socket.on('error', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.write('PING\r\n');
  });
}

describe('a SecurityPolicy on a TCPRoute', () => {
  it('lets an allowed client CIDR through to Redis and closes a connection from any other', async () => {
    const snapshot = await gw.snapshot();
    const loopback = await startTcpListener(snapshot, 6379, { redis: '127.0.0.1' });
    const office = await startTcpListener(snapshot, 6380, { redis: '127.0.0.1' });
    try {
      expect(await ping(loopback.port)).toBe('+PONG\r\n');
      expect(await ping(office.port)).toBe('');
    } finally {
      await loopback.close();
      await office.close();
    }
  });
});
