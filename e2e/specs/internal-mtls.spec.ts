// Security suite: every internal port is served with mutual TLS against the deployment CA. A client on the
// backends' network without a certificate from that CA (none, another CA's, or plaintext) cannot open ADS on xds,
// call Check on authz or ShouldRateLimit on ratelimit, or reach certs' HTTP-01 responder; a client with one can.
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, makeGenericClientConstructor, status, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { makeTestPki, type TestLeaf, type TestPki } from '@gatehouse/kit/testing';
import { freePort, startRedis, startService, type RedisHandle, type ServiceHandle } from '../harness/index.js';

type Call = (client: Client) => Promise<unknown>;
const SERVICES = ['xds', 'authz', 'ratelimit', 'certs'] as const;
let redis: RedisHandle;
let pki: TestPki;
let envoy: TestLeaf;
let stranger: TestLeaf;
const running = new Map<string, ServiceHandle>();
let certsHttpPort: number;
let configDir: string;
const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web, namespace: apps }
spec:
  gatewayClassName: gatehouse
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;

const unary = (method: string, body: object): Call => (client) =>
  new Promise((resolve, reject) => {
    (client as unknown as Record<string, (r: object, o: object, cb: (e: ServiceError | null, v: unknown) => void) => void>)[method]!(body, { deadline: Date.now() + 4000 }, (err, value) => (err ? reject(err) : resolve(value)));
  });

/** Opens ADS as a Gateway's Envoy and waits for the first answer (or the stream's error). */
const adsFirstAnswer: Call = (client) =>
  new Promise((resolve, reject) => {
    const stream = (client as unknown as { StreamAggregatedResources(o: object): NodeJS.EventEmitter & { write(m: object): void; cancel(): void } }).StreamAggregatedResources({ deadline: Date.now() + 4000 });
    stream.on('data', (answer) => {
      resolve(answer);
      stream.cancel();
    });
    stream.on('error', (err: ServiceError) => (err.code === status.CANCELLED ? undefined : reject(err)));
    stream.write({ node: { id: 'envoy-1', cluster: 'apps/web' }, type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster' });
  });

const PLAN: Record<(typeof SERVICES)[number], { service: string; call: Call }> = {
  xds: { service: ServiceNames.aggregatedDiscovery, call: adsFirstAnswer },
  authz: { service: ServiceNames.authorization, call: unary('Check', { attributes: { request: { http: { method: 'GET', path: '/', host: 'x', headers: {} } } } }) },
  ratelimit: { service: ServiceNames.rateLimit, call: unary('ShouldRateLimit', { domain: 'nothing', descriptors: [{ entries: [{ key: 'k', value: 'v' }] }] }) },
  certs: { service: ServiceNames.health, call: unary('Check', { service: '' }) },
};

function clientOf(name: (typeof SERVICES)[number], creds: ChannelCredentials): Client {
  const Ctor = makeGenericClientConstructor(grpcServiceDefinition(PLAN[name].service), name);
  return new Ctor(running.get(name)!.grpcAddress, creds);
}

function httpsGet(port: number, leaf: TestLeaf | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/.well-known/acme-challenge/unknown-token', ca: pki.ca, ...(leaf && { cert: leaf.cert, key: leaf.key }) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  redis = await startRedis();
  pki = makeTestPki();
  envoy = pki.issue('envoy-apps-web', { kind: 'gateway', namespace: 'apps', name: 'web' });
  stranger = pki.issue('stranger', { kind: 'gateway', namespace: 'apps', name: 'web' }, { ca: 'foreign' });
  certsHttpPort = await freePort();
  configDir = mkdtempSync(join(tmpdir(), 'gh-mtls-'));
  writeFileSync(join(configDir, 'gateway.yaml'), GATEWAY);
  const extra: Record<string, Record<string, string>> = { xds: { GATEWAY_CONFIG_PATH: configDir }, certs: { CERTS_ALLOW_PLAINTEXT_KEYS: 'true', HTTP_PORT: String(certsHttpPort) } };
  // One at a time: four services booting at once on a busy 2-core machine can outlast the readiness wait.
  for (const name of SERVICES) {
    const leaf = pki.issue(name, { kind: 'service', name });
    running.set(name, await startService(name, { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...pki.envFor(leaf), ...extra[name] }));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([...running.values()].map((s) => s.stop()));
  await redis?.stop();
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe.each(SERVICES)('%s over mutual TLS', (name) => {
  it('turns away a client without a certificate from the deployment CA (none, another CA, plaintext)', async () => {
    const attempts = [credentials.createSsl(pki.ca), credentials.createSsl(pki.ca, stranger.key, stranger.cert), credentials.createInsecure()];
    for (const creds of attempts) {
      const client = clientOf(name, creds);
      try {
        await expect(PLAN[name].call(client)).rejects.toMatchObject({ code: status.UNAVAILABLE });
      } finally {
        client.close();
      }
    }
  });

  it('answers a client with a certificate from the deployment CA', async () => {
    const client = clientOf(name, credentials.createSsl(pki.ca, envoy.key, envoy.cert));
    try {
      await expect(PLAN[name].call(client)).resolves.toBeTruthy();
    } finally {
      client.close();
    }
  });
});

describe("certs' HTTP-01 responder", () => {
  it('asks for a client certificate from the deployment CA like the gRPC ports', async () => {
    await expect(httpsGet(certsHttpPort, undefined)).rejects.toThrow();
    await expect(httpsGet(certsHttpPort, stranger)).rejects.toThrow();
    expect(await httpsGet(certsHttpPort, envoy)).toBe(404);
  });
});
