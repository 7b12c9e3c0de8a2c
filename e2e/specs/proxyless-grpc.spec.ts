// Journey: proxyless gRPC. With the whole gateway running, a @grpc/grpc-js-xds client resolves
// xds:///health.mesh.internal through the xds service and calls real grpc-js backends directly: a
// header-match rule sends canary calls elsewhere, and a YAML edit moves the other calls to another
// Backend with no failed call in between. Envoy's listener (emulated) gets the same routes.
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import {
  buildXdsBootstrap,
  copyConfigFolder,
  createXdsClient,
  startGateway,
  waitFor,
  type ConfigFolderHandle,
  type GatewayHandle,
  type XdsClientHandle,
} from '../harness/index.js';

const HOST = 'health.mesh.internal';
type BackendName = 'blue' | 'green' | 'canary';

interface Backend {
  readonly port: number;
  readonly server: grpc.Server;
}

/** A grpc.health.v1 server that says who it is in the response headers (x-backend). */
async function startBackend(name: BackendName): Promise<Backend> {
  const server = new grpc.Server();
  const backend = { port: 0, server };
  server.addService(grpcServiceDefinition(ServiceNames.health), {
    Check: (call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
      const metadata = new grpc.Metadata();
      metadata.set('x-backend', name);
      call.sendMetadata(metadata);
      callback(null, { status: 'SERVING' });
    },
    Watch: (call: grpc.ServerWritableStream<object, object>) => call.end(),
  });
  backend.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  return backend;
}

let backends: Record<BackendName, Backend>;
let config: ConfigFolderHandle;
let gw: GatewayHandle;
let client: XdsClientHandle;

beforeAll(async () => {
  backends = { blue: await startBackend('blue'), green: await startBackend('green'), canary: await startBackend('canary') };
  config = await copyConfigFolder(join(import.meta.dirname, 'proxyless-grpc'), {
    BLUE_PORT: String(backends.blue.port),
    GREEN_PORT: String(backends.green.port),
    CANARY_PORT: String(backends.canary.port),
  });
  // grpc-js-xds dials xds itself, in plaintext here (services/xds/src/trust.int.test.ts covers it over mTLS).
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'grpc/mesh', transport: 'plaintext' });
  client = createXdsClient({
    bootstrap: buildXdsBootstrap({ serverUri: gw.service('xds').grpcAddress, nodeCluster: 'grpc/mesh' }),
    service: grpcServiceDefinition(ServiceNames.health),
    target: `xds:///${HOST}`,
  });
}, 90_000);

afterAll(async () => {
  client?.close();
  await gw?.stop();
  for (const b of Object.values(backends ?? {})) b.server.forceShutdown();
  await config?.remove();
});

type CheckMethod = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<{ status: string }>) => grpc.ClientUnaryCall;

/** One real Health/Check call through the xDS-resolved channel; resolves with the backend that answered. */
function check(headers: Record<string, string> = {}): Promise<string> {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
  return new Promise((resolve, reject) => {
    let backend = '';
    const call = (client.client.Check as CheckMethod).call(client.client, { service: '' }, metadata, { deadline: Date.now() + 5000 }, (err, response) => {
      if (err) reject(err);
      else if (response?.status !== 'SERVING') reject(new Error(`unexpected status ${response?.status}`));
      else resolve(backend);
    });
    call.on('metadata', (md: grpc.Metadata) => (backend = String(md.get('x-backend')[0] ?? '')));
  });
}

describe('proxyless gRPC with the whole gateway', () => {
  it('routes calls by the GRPCRoute, canary calls by header, and follows a YAML edit with no failed call', async () => {
    expect(await waitFor(() => check(), { timeoutMs: 20_000, description: 'the first proxyless call' })).toBe('blue');
    expect(await check({ 'x-canary': 'true' })).toBe('canary');
    expect(await check({ 'x-canary': 'false' })).toBe('blue');

    // Envoy on the Gateway's listener is served the same routes.
    const viaEnvoy = (headers: Record<string, string>): ReturnType<GatewayHandle['request']> =>
      gw.request(50051, { method: 'POST', path: '/grpc.health.v1.Health/Check', host: HOST, headers: { 'content-type': 'application/grpc', ...headers } });
    expect((await viaEnvoy({})).upstream?.cluster).toBe('backend/grpc/blue');
    expect((await viaEnvoy({ 'x-canary': 'true' })).upstream?.cluster).toBe('backend/grpc/canary');

    // A steady stream of calls while the route moves blue -> green.
    const answers: string[] = [];
    const failures: string[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          answers.push(await check());
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    })();
    let movedAfterMs = 0;
    try {
      await waitFor(() => answers.length >= 5, { timeoutMs: 10_000, description: 'calls before the edit' });
      const started = Date.now();
      await config.edit('mesh.yaml', (t) => t.replace('name: blue }]', 'name: green }]'));
      await waitFor(() => answers.at(-1) === 'green', { timeoutMs: 20_000, description: 'calls to move to green' });
      movedAfterMs = Date.now() - started;
      const settled = answers.length + 20;
      await waitFor(() => answers.length >= settled, { timeoutMs: 10_000, description: 'calls after the move' });
    } finally {
      running = false;
      await loop;
    }
    expect(failures).toEqual([]);
    // Old, then new: never back.
    const firstGreen = answers.indexOf('green');
    expect(answers.slice(0, firstGreen).every((b) => b === 'blue')).toBe(true);
    expect(answers.slice(firstGreen).every((b) => b === 'green')).toBe(true);
    expect(await check({ 'x-canary': 'true' })).toBe('canary');
    expect((await viaEnvoy({})).upstream?.cluster).toBe('backend/grpc/green');
    console.log(`proxyless gRPC: ${answers.length} calls during the move (${firstGreen} to blue, ${answers.length - firstGreen} to green), 0 failed; calls reached green ${movedAfterMs} ms after the edit`);
  });
});
