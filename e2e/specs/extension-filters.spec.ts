// Journey: Envoy Gateway extensions from one folder of YAML (extension-filters/). The gateway runs as
// processes; the emulated Envoy reads the served config over ADS and runs the EnvoyExtensionPolicy's
// ext_proc filter, which streams the request headers to the shop's own gRPC external processor (a real
// grpc-js server here) and applies its answer; HTTPRouteFilter direct responses and credential
// injection are the route's own.
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { join } from 'node:path';
import { grpcServiceDefinition } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, freePort, startGateway, waitFor, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';

const LISTENER_PORT = 8080;
const HOST = 'api.shop.example';

interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: Buffer;
}

let processor: Server;
/** The request headers the processor was sent, one map per request. */
const seen: Array<Record<string, string>> = [];
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  const processorPort = await freePort();
  // The shop's processor: refuses /orders/blocked itself, tags every other request for the backend.
  processor = new Server();
  processor.addService(grpcServiceDefinition('envoy.service.ext_proc.v3.ExternalProcessor'), {
    Process(stream: ServerDuplexStream<{ request_headers?: { headers?: { headers?: HeaderValue[] } } }, object>) {
      stream.on('data', (message) => {
        const headers = Object.fromEntries((message.request_headers?.headers?.headers ?? []).map((h: HeaderValue) => [h.key, h.value || Buffer.from(h.raw_value ?? []).toString('utf8')]));
        seen.push(headers);
        if (headers[':path']?.startsWith('/orders/blocked')) {
          stream.write({ immediate_response: { status: { code: 'Forbidden' }, body: Buffer.from('processor says no') } });
        } else {
          stream.write({ request_headers: { response: { header_mutation: { set_headers: [{ header: { key: 'x-processed-by', raw_value: Buffer.from('shop-processor') } }], remove_headers: ['x-internal'] } } } });
        }
      });
      stream.on('end', () => stream.end());
    },
  });
  await new Promise<void>((resolve, reject) => processor.bindAsync(`127.0.0.1:${processorPort}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
  config = await copyConfigFolder(join(import.meta.dirname, 'extension-filters'), { PROCESSOR_PORT: String(processorPort) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'shop/store', env: { xds: { XDS_ENABLE_LUA: 'true' } } });
  await waitFor(async () => (await gw.request(LISTENER_PORT, { path: '/maintenance', host: HOST })).status === 503, { timeoutMs: 20_000, description: 'the routes to be served' });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  processor?.forceShutdown();
});

describe('EnvoyExtensionPolicy extProc', () => {
  it('sends the request headers to the processor and forwards the request with its header changes', async () => {
    const response = await gw.request(LISTENER_PORT, { path: '/orders/42', host: HOST, headers: { 'x-internal': 'secret', 'x-customer': 'c-1' } });
    expect(response.upstream?.cluster).toBe('backend/shop/app');
    expect(response.upstream?.headers).toMatchObject({ 'x-processed-by': 'shop-processor', 'x-customer': 'c-1' });
    expect(response.upstream?.headers['x-internal']).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ ':path': '/orders/42', ':method': 'GET', 'x-customer': 'c-1' });
  });

  it("answers with the processor's immediate response, never reaching the backend", async () => {
    const response = await gw.request(LISTENER_PORT, { path: '/orders/blocked', host: HOST });
    expect(response.status).toBe(403);
    expect(response.body).toBe('processor says no');
    expect(response.upstream).toBeUndefined();
  });

  it('runs the Lua filter of the same policy on the route (served, disabled in the HCM, enabled per route)', async () => {
    const snapshot = await gw.snapshot();
    const text = JSON.stringify(snapshot);
    expect(text).toContain('envoy.filters.http.lua/envoyextensionpolicy/shop/orders-processing/lua/0');
    expect(text).toContain('envoy.filters.http.ext_proc/envoyextensionpolicy/shop/orders-processing/extproc/0');
  });
});

describe('HTTPRouteFilter', () => {
  it('answers a direct response itself', async () => {
    const response = await gw.request(LISTENER_PORT, { path: '/maintenance', host: HOST });
    expect(response.status).toBe(503);
    expect(response.body).toBe('back soon');
    expect(response.upstream).toBeUndefined();
  });

  it('injects the credential from its Secret, replacing the one the client sent', async () => {
    const response = await gw.request(LISTENER_PORT, { path: '/partner/feed', host: HOST, headers: { authorization: 'Bearer forged' } });
    expect(response.upstream?.headers.authorization).toBe('Bearer partner-token');
  });

  it('answers 500 for a rule whose HTTPRouteFilter does not exist', async () => {
    const response = await gw.request(LISTENER_PORT, { path: '/gone', host: HOST });
    expect(response.status).toBe(500);
    expect(response.upstream).toBeUndefined();
  });
});
