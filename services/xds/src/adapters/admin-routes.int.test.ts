// The admin API on the kit's admin server, against a real Redis: apply, get, delete, dry run,
// config dump and status, with ADMIN_TOKEN enforced on writes and on GET /resources, Secret values
// redacted, and request bodies bounded in size, YAML documents and nesting.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminServer, createLogger, Readiness } from '@gatehouse/kit';
import { testControlKeyring } from '@gatehouse/kit/testing';
import { SnapshotStore } from '../core/cache/index.js';
import { ProxyRegistry } from '../core/server/index.js';
import { translateAll, type TranslateOptions } from '../core/index.js';
import { startRedis, type RedisHandle as TestRedis } from '@gatehouse/e2e';
import { AdminResourceStore } from './admin-resource-store.js';
import { registerAdminRoutes } from './admin-routes.js';
import { ConfigPipeline } from '../runner/config-pipeline.js';

const BASIC = readFileSync(new URL('../../testdata/end-to-end/httproute-basic.in.yaml', import.meta.url), 'utf8');
const BACKEND = BASIC.split('---').at(-1)!;
const OPTIONS: TranslateOptions = {
  authz: { clusterName: 'gatehouse-authz', host: '127.0.0.1', port: 9001 },
  rateLimit: { clusterName: 'gatehouse-ratelimit', host: '127.0.0.1', port: 8081 },
  certs: { clusterName: 'gatehouse-certs', host: '127.0.0.1', port: 8089 },
};
const TOKEN = 'test-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const yaml = { 'content-type': 'application/yaml' };

let redis: TestRedis;
let app: FastifyInstance;
let pipeline: ConfigPipeline;
let resources: AdminResourceStore;
const connections: Redis[] = [];
const connect = (): Redis => {
  const c = new Redis(redis.url);
  connections.push(c);
  return c;
};

beforeAll(async () => {
  redis = await startRedis();
  const store = new SnapshotStore();
  pipeline = new ConfigPipeline({ store, translate: (r) => translateAll(r, OPTIONS), sharedSecrets: () => [{ name: 'default/tls', tls_certificate: { private_key: { inline_string: 'SECRET-KEY' } } }] });
  pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
  await pipeline.flush();
  resources = new AdminResourceStore({ redis: connect(), subscriber: connect, keyring: testControlKeyring });
  await resources.watch(
    async (list) => {
      pipeline.setAdminResources(list);
      await pipeline.flush();
    },
    () => undefined,
  );
  app = buildAdminServer({ logger: createLogger('test', 'silent'), readiness: new Readiness(), serveMetrics: () => undefined, adminToken: TOKEN });
  await registerAdminRoutes(app, { store, registry: new ProxyRegistry(), pipeline, resources, adminToken: TOKEN });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await resources?.close();
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

const dumpText = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/config_dump?node_cluster=default/web' })).body;

describe('xds admin API', () => {
  it('refuses writes without ADMIN_TOKEN', async () => {
    const res = await app.inject({ method: 'PUT', url: '/resources', headers: yaml, payload: BACKEND });
    expect(res.statusCode).toBe(401);
  });

  it('dumps the current snapshot as Envoy JSON, with private keys redacted', async () => {
    const dump = JSON.parse(await dumpText()) as Record<string, { listeners: unknown[]; secrets: unknown[] }>;
    expect(dump['default/web']!.listeners).toHaveLength(1);
    expect(JSON.stringify(dump)).not.toContain('SECRET-KEY');
    expect((await app.inject({ method: 'GET', url: '/config_dump?node_cluster=nope/nope' })).json()).toMatchObject({ error: 'GH_XDS_NODE_CLUSTER_UNKNOWN' });
  });

  it('dry run returns the Envoy diff and applies nothing', async () => {
    const res = await app.inject({ method: 'POST', url: '/dry-run', headers: { ...auth, ...yaml }, payload: BACKEND.replace('port: 3000', 'port: 3999') });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json<{ diff: Record<string, object> }>().diff['default/web']!)).toEqual(['endpoints']);
    expect(await dumpText()).not.toContain('3999');
  });

  it('applies resources that win over the files, lists and deletes them', async () => {
    const put = await app.inject({ method: 'PUT', url: '/resources', headers: { ...auth, ...yaml }, payload: BACKEND.replace('port: 3000', 'port: 3777') });
    expect(put.json()).toMatchObject({ applied: ['Backend/default/api'] });
    await expectEventually(async () => (await dumpText()).includes('3777'));
    expect((await app.inject({ method: 'GET', url: '/resources', headers: auth })).json()).toMatchObject({ resources: [{ key: 'Backend/default/api' }] });
    const del = await app.inject({ method: 'DELETE', url: '/resources/Backend/default/api', headers: auth });
    expect(del.json()).toMatchObject({ deleted: ['Backend/default/api'] });
    await expectEventually(async () => (await dumpText()).includes('"port_value":3000'));
    expect((await app.inject({ method: 'DELETE', url: '/resources/Backend/default/api', headers: auth })).statusCode).toBe(404);
  });

  it('rejects invalid documents with file, line and path', async () => {
    const res = await app.inject({ method: 'PUT', url: '/resources', headers: { ...auth, ...yaml }, payload: BACKEND.replace('port: 3000', 'port: "x"') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'GH_XDS_DOCUMENT_INVALID', errors: [expect.objectContaining({ file: 'request', message: expect.stringContaining('/spec/endpoints/0/ip/port') })] });
  });

  it('reports statuses per resource', async () => {
    const status = (await app.inject({ method: 'GET', url: '/status' })).json<{ statuses: Record<string, unknown>; nodeClusters: Record<string, string>; problems: unknown[] }>();
    expect(Object.keys(status.statuses)).toContain('HTTPRoute/default/api');
    expect(Array.isArray(status.problems)).toBe(true);
    expect(Object.keys(status.nodeClusters)).toEqual(['default/web']);
  });
});

describe('xds admin API security', () => {
  const secret = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: api-keys',
    '  namespace: default',
    '  annotations:',
    '    kubectl.kubernetes.io/last-applied-configuration: \'{"stringData":{"client-a":"KEY-A-0123456789abcdef"}}\'',
    'stringData:',
    '  client-a: KEY-A-0123456789abcdef',
    'data:',
    `  client-b: ${Buffer.from('KEY-B-0123456789abcdef').toString('base64')}`,
  ].join('\n');

  it('GET /resources needs ADMIN_TOKEN', async () => {
    expect((await app.inject({ method: 'GET', url: '/resources' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/resources', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/resources', headers: auth })).statusCode).toBe(200);
  });

  it('GET /resources never returns Secret data: keys present, values redacted', async () => {
    const put = await app.inject({ method: 'PUT', url: '/resources', headers: { ...auth, ...yaml }, payload: secret });
    expect(put.statusCode, put.body).toBe(200);
    const res = await app.inject({ method: 'GET', url: '/resources', headers: auth });
    expect(res.body).not.toContain('KEY-A');
    expect(res.body).not.toContain(Buffer.from('KEY-B-0123456789abcdef').toString('base64'));
    const stored = res.json<{ resources: Array<{ key: string; yaml: string }> }>().resources.find((r) => r.key === 'Secret/default/api-keys');
    expect(parse(stored!.yaml)).toMatchObject({ kind: 'Secret', stringData: { 'client-a': '[redacted]' }, data: { 'client-b': '[redacted]' } });
    await app.inject({ method: 'DELETE', url: '/resources/Secret/default/api-keys', headers: auth });
  });

  it('answers 413 GH_XDS_ADMIN_BODY_TOO_LARGE to a body over 1 MiB, on PUT and dry run', async () => {
    const big = `${BACKEND}\n# ${'x'.repeat(1024 * 1024)}\n`;
    for (const [method, url] of [['PUT', '/resources'], ['POST', '/dry-run']] as const) {
      const res = await app.inject({ method, url, headers: { ...auth, ...yaml }, payload: big });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ error: 'GH_XDS_ADMIN_BODY_TOO_LARGE' });
    }
  });

  it('answers 400 GH_XDS_ADMIN_BODY_TOO_DEEP to YAML or JSON nested past 32 levels', async () => {
    const deepYaml = `${BACKEND}\n  extra: ${'['.repeat(33)}1${']'.repeat(33)}\n`;
    const deepJson = `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"},"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    for (const [payload, type] of [[deepYaml, 'application/yaml'], [deepJson, 'application/json'], [`${'['.repeat(500_000)}`, 'application/yaml']] as const) {
      const res = await app.inject({ method: 'PUT', url: '/resources', headers: { ...auth, 'content-type': type }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'GH_XDS_ADMIN_BODY_TOO_DEEP' });
    }
  });

  it('answers 400 GH_XDS_ADMIN_COLLECTION_TOO_LARGE to a mapping or flow list of more than 1000 entries', async () => {
    const wideSecret = `apiVersion: v1\nkind: Secret\nmetadata: { name: wide }\nstringData:\n${Array.from({ length: 1001 }, (_, i) => `  client-${i}: key-${i}-0123456789abcdef`).join('\n')}\n`;
    const wideFlow = `${BACKEND}\n  extra: [${Array(100_000).fill('1').join(',')}]\n`;
    for (const payload of [wideSecret, wideFlow]) {
      const res = await app.inject({ method: 'PUT', url: '/resources', headers: { ...auth, ...yaml }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'GH_XDS_ADMIN_COLLECTION_TOO_LARGE' });
    }
  });

  it('answers 400 GH_XDS_ADMIN_TOO_MANY_DOCUMENTS to more than 500 documents', async () => {
    const res = await app.inject({ method: 'POST', url: '/dry-run', headers: { ...auth, ...yaml }, payload: Array(501).fill(BACKEND).join('\n---\n') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'GH_XDS_ADMIN_TOO_MANY_DOCUMENTS' });
  });
});

async function expectEventually(predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached within 5 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}
