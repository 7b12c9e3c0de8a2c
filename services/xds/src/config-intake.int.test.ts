// xds reads GATEWAY_CONFIG_PATH through the kit's intake: a ConfigMap mount loads each file once and
// follows its atomic `..data` swap; a file replaced by rename is picked up every time, and so are an
// in-place write, a delete and a re-create. Asserted on what xds serves (its config dump).
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeConfigMapDir, swapConfigMap } from '@gatehouse/kit/testing';
import { startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { servedEndpointPorts, startXdsInProcess, type XdsInProcess } from './testing/in-process.js';

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web, namespace: default }
spec:
  gatewayClassName: gatehouse
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;
const route = (port: number): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: api, namespace: default }
spec:
  parentRefs: [{ name: web }]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: api }] }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: api, namespace: default }
spec:
  endpoints: [{ ip: { address: 10.0.0.10, port: ${port} } }]
`;

interface Status {
  fileErrors: Array<{ code: string; message: string }>;
  statuses: Record<string, unknown>;
}

let redis: RedisHandle;
let xds: XdsInProcess | undefined;
const dirs: string[] = [];

async function configDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-xds-intake-'));
  dirs.push(dir);
  return dir;
}

const served = (port: number | undefined) =>
  waitFor(async () => {
    const ports = await servedEndpointPorts(xds!, 'default/web');
    return port === undefined ? ports.length === 0 : ports.length === 1 && ports[0] === port;
  }, { description: port === undefined ? 'nothing served for default/web' : `port ${port} served` });

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await xds?.stop();
  xds = undefined;
});
afterAll(async () => {
  await redis?.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('xds config intake', () => {
  it('loads each file of a ConfigMap mount once and follows its atomic ..data swap', async () => {
    const dir = await configDir();
    await makeConfigMapDir(dir, { 'gw.yaml': GATEWAY, 'route.yaml': route(3000) });
    xds = await startXdsInProcess({ REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir });
    await served(3000);
    // Read twice (through ..data or ..<timestamp>), each resource would be reported as a duplicate.
    const status = await xds.get<Status>('/status');
    expect(status.fileErrors).toEqual([]);
    expect(Object.keys(status.statuses).sort()).toEqual(['Backend/default/api', 'Gateway/default/web', 'GatewayClass/default/gatehouse', 'HTTPRoute/default/api']);

    await swapConfigMap(dir, { 'gw.yaml': GATEWAY, 'route.yaml': route(3001) });
    await served(3001);
    await swapConfigMap(dir, { 'gw.yaml': GATEWAY, 'route.yaml': route(3002) });
    await served(3002);
    expect((await xds.get<Status>('/status')).fileErrors).toEqual([]);
  });

  it('picks up a file replaced by rename ten times in a row, an in-place write, a delete and a re-create', async () => {
    const dir = await configDir();
    await writeFile(join(dir, 'gw.yaml'), GATEWAY);
    await writeFile(join(dir, 'route.yaml'), route(4000));
    xds = await startXdsInProcess({ REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir });
    await served(4000);

    for (let i = 1; i <= 10; i++) {
      // What editors, `sed -i` and `git checkout` do: write a temporary file, rename it over the old one.
      await writeFile(join(dir, '.route.yaml.tmp'), route(4000 + i));
      await rename(join(dir, '.route.yaml.tmp'), join(dir, 'route.yaml'));
      await served(4000 + i);
    }

    await writeFile(join(dir, 'route.yaml'), route(4100));
    await served(4100);
    await unlink(join(dir, 'route.yaml'));
    await served(undefined);
    await writeFile(join(dir, 'route.yaml'), route(4200));
    await served(4200);
  });
});
