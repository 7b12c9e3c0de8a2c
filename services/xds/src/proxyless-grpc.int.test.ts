// Real-client e2e: @grpc/grpc-js-xds resolves xds:///<host> through the built xds service and
// makes real calls to real grpc-js backends. Editing the YAML on disk moves the next call to
// another backend, with nothing restarted.
import * as grpc from '@grpc/grpc-js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { buildXdsBootstrap, createXdsClient, startRedis, startService, waitFor, type RedisHandle, type ServiceHandle, type XdsClientHandle } from '@gatehouse/e2e';

const HOST = 'health.gatehouse.test';

/** A grpc.health.v1 server that reports `name` as the status of the service "who". */
async function startBackend(name: 'SERVING' | 'NOT_SERVING'): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(grpcServiceDefinition(ServiceNames.health), {
    Check: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { status: name }),
    Watch: (call: grpc.ServerWritableStream<object, object>) => call.end(),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server };
}

function gatewayYaml(backendPort: number): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: mesh, namespace: default }
spec:
  gatewayClassName: gatehouse
  listeners:
    - { name: grpc, protocol: HTTP, port: 8080 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: health, namespace: default }
spec:
  parentRefs: [{ name: mesh }]
  hostnames: [${HOST}]
  rules:
    - backendRefs:
        - { group: gateway.envoyproxy.io, kind: Backend, name: health }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: health, namespace: default }
spec:
  endpoints:
    - ip: { address: 127.0.0.1, port: ${backendPort} }
`;
}

let dir: string;
let redis: RedisHandle;
let xds: ServiceHandle;
let client: XdsClientHandle;
const backends: Array<{ port: number; server: grpc.Server }> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-proxyless-'));
  backends.push(await startBackend('SERVING'), await startBackend('NOT_SERVING'));
  await writeFile(join(dir, 'mesh.yaml'), gatewayYaml(backends[0]!.port));
  redis = await startRedis();
  xds = await startService('xds', { REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, XDS_DEBOUNCE_MS: '20' });
  client = createXdsClient({
    bootstrap: buildXdsBootstrap({ serverUri: xds.grpcAddress, nodeCluster: 'default/mesh' }),
    service: grpcServiceDefinition(ServiceNames.health),
    target: `xds:///${HOST}`,
  });
});

afterAll(async () => {
  client?.close();
  await xds?.stop();
  await redis?.stop();
  for (const b of backends) b.server.forceShutdown();
  await rm(dir, { recursive: true, force: true });
});

function check(): Promise<string> {
  return new Promise((resolve, reject) =>
    (client.client as unknown as { Check: (req: object, opts: object, cb: grpc.requestCallback<{ status: string }>) => void }).Check(
      { service: 'who' },
      { deadline: Date.now() + 5000 },
      (err, res) => (err ? reject(err) : resolve(res!.status)),
    ),
  );
}

describe('proxyless gRPC through the xds service, driven by YAML on disk', () => {
  it('routes real calls by the YAML on disk and follows a change without restarts', async () => {
    expect(await check()).toBe('SERVING');
    await writeFile(join(dir, 'mesh.yaml'), gatewayYaml(backends[1]!.port));
    await waitFor(async () => (await check()) === 'NOT_SERVING', { timeoutMs: 15_000, description: 'calls to reach the second backend' });
    // The proxy ACKed everything it was sent.
    const proxies = (await (await fetch(`${xds.adminUrl}/proxies`)).json()) as { proxies: Array<{ nodeCluster: string; types: Array<{ type: string; ackedVersion?: string; lastNack?: unknown }> }> };
    const proxy = proxies.proxies.find((p) => p.nodeCluster === 'default/mesh');
    expect(proxy?.types.map((t) => t.type).sort()).toEqual(['clusters', 'endpoints', 'listeners', 'routes']);
    expect(proxy?.types.every((t) => t.ackedVersion && !t.lastNack)).toBe(true);

    // A broken edit keeps the last good version of the file serving.
    await writeFile(join(dir, 'mesh.yaml'), `${gatewayYaml(backends[0]!.port)}\n  - [unclosed`);
    const status = await waitFor(async () => {
      const s = (await (await fetch(`${xds.adminUrl}/status`)).json()) as { fileErrors: Array<{ file: string; keptPrevious: boolean; code: string }> };
      return s.fileErrors.length > 0 && s;
    });
    expect(status.fileErrors[0]).toMatchObject({ code: 'GH_XDS_YAML_PARSE', keptPrevious: true });
    expect(await check()).toBe('NOT_SERVING');

    const metrics = await (await fetch(`${xds.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/xds_pushes_total\{[^}]*type="routes"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/xds_connected_streams(\{[^}]*\})? 1\b/);
  });
});
