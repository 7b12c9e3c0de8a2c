// Malformed gRPC and HTTP requests to every public port get clean errors, and the service stays up.
import { connect as connectHttp2, constants } from 'node:http2';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startService, type RedisHandle, type ServiceHandle } from '../harness/index.js';

const SERVICES = {
  xds: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
  authz: '/envoy.service.auth.v3.Authorization/Check',
  ratelimit: '/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit',
  certs: '/grpc.health.v1.Health/Check',
} as const;

let redis: RedisHandle;
const running = new Map<string, ServiceHandle>();

beforeAll(async () => {
  redis = await startRedis();
  for (const name of Object.keys(SERVICES)) {
    running.set(name, await startService(name, { REDIS_URL: redis.url, CERTS_ALLOW_PLAINTEXT_KEYS: 'true', HTTP_PORT: '0', LOG_LEVEL: 'warn' }));
  }
}, 120_000);
afterAll(async () => {
  await Promise.all([...running.values()].map((s) => s.stop()));
  await redis?.stop();
});

/** Sends one gRPC request with the given raw message bytes; resolves with the grpc-status trailer. */
function rawGrpcCall(address: string, path: string, message: Buffer, frame = true): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const client = connectHttp2(`http://${address}`);
    client.on('error', reject);
    const stream = client.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let status = -1;
    let statusMessage = '';
    const readStatus = (headers: Record<string, unknown>): void => {
      if (headers['grpc-status'] !== undefined) status = Number(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) statusMessage = decodeURIComponent(String(headers['grpc-message']));
    };
    stream.on('response', readStatus);
    stream.on('trailers', readStatus);
    stream.on('data', () => undefined);
    stream.on('close', () => {
      client.close();
      resolve({ status, message: statusMessage });
    });
    stream.on('error', reject);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(message.length, 1);
    stream.end(frame ? Buffer.concat([header, message]) : message);
  });
}

function rawSocketExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let received = '';
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
    socket.connect(port, '127.0.0.1', () => socket.end(bytes));
  });
}

async function stillHealthy(service: ServiceHandle): Promise<void> {
  service.process.assertRunning();
  expect((await fetch(`${service.adminUrl}/healthz`)).status).toBe(200);
}

const GARBAGE_MESSAGES: Array<[string, Buffer]> = [
  ['invalid wire type', Buffer.from('not a protobuf at all')],
  ['truncated length-delimited field', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])],
  ['deeply nested groups', Buffer.alloc(10_000, 0x0b)],
];

describe.each(Object.entries(SERVICES))('%s', (name, path) => {
  it.each(GARBAGE_MESSAGES)('answers a gRPC message with %s with a gRPC error status', async (_what, bytes) => {
    const service = running.get(name)!;
    const { status } = await rawGrpcCall(service.grpcAddress, path, bytes);
    expect(status, 'a gRPC status code, not a dropped connection').toBeGreaterThan(0);
    await stillHealthy(service);
  });

  it('answers an unknown method with UNIMPLEMENTED', async () => {
    const service = running.get(name)!;
    expect((await rawGrpcCall(service.grpcAddress, '/no.such.Service/Method', Buffer.alloc(0))).status).toBe(12);
    await stillHealthy(service);
  });

  it('survives a frame whose length prefix lies, and HTTP/1 garbage on the gRPC port', async () => {
    const service = running.get(name)!;
    const lying = Buffer.from([0, 0xff, 0xff, 0xff, 0x00, 1, 2, 3]);
    const { status } = await rawGrpcCall(service.grpcAddress, path, lying, false);
    expect(status).toBeGreaterThan(0);
    await rawSocketExchange(service.grpcPort, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01\x02'));
    await stillHealthy(service);
  });

  it('answers malformed admin HTTP requests with 4xx', async () => {
    const service = running.get(name)!;
    const bad = await fetch(`${service.adminUrl}/readyz?%zz`, { method: 'GET' });
    expect(bad.status).toBeLessThan(500);
    const badJson = await fetch(`${service.adminUrl}/no-such-route`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${service.adminToken}` },
      body: '{"unterminated": ',
    });
    expect(badJson.status).toBeGreaterThanOrEqual(400);
    expect(badJson.status).toBeLessThan(500);
    const raw = await rawSocketExchange(service.adminPort, Buffer.from('GARBAGE\r\n\r\n'));
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    await stillHealthy(service);
  });
});
