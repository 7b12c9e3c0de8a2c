// Trust on the ADS port, end to end through the built service with mutual TLS on (kit makeTestPki): a
// stream's node.cluster is bound to its client certificate, a Gateway's proxies get that Gateway's
// resources and the Secrets its listeners reference and nothing of another Gateway, and clients without
// a certificate of the deployment's CA get nothing at all. Each test is named after the attack it stops.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIssuedCodec, encryptPrivateKey, FanoutChannels, grpcServiceDefinition, SealedUses, ServiceNames, TypeUrls, unpackAny } from '@gatehouse/contracts';
import { makeTestPki, testSealedCodec, type TestLeaf, type TestPki } from '@gatehouse/kit/testing';
import { buildXdsBootstrap, createXdsClient, startMtlsForwarder, startRedis, startService, waitFor, type MtlsForwarderHandle, type RedisHandle, type ServiceHandle, type XdsClientHandle } from '@gatehouse/e2e';
import { CERTIFICATE_ISSUED_LATEST_KEY } from './adapters/certificate-secrets.js';
import { createAdsClient, openDeltaStream, openSotwStream, resourceNames } from './testing/raw-ads-client.js';

const KEY = randomBytes(32);
const HOST = 'health.trust.test';

/** Gateways a and b: each an HTTPS listener with an issued certificate, b also one from a Secret document; a serves a GRPCRoute to proxyless clients. */
function gatewaysYaml(backendPort: number): string {
  const gateway = (name: string, extra = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: default, annotations: { cert-manager.io/cluster-issuer: letsencrypt } }
spec:
  gatewayClassName: gatehouse
  listeners:
    - { name: http, protocol: HTTP, port: 8080 }
    - { name: https, protocol: HTTPS, port: 8443, hostname: ${name}.example.com, tls: { certificateRefs: [{ name: ${name}-tls }] } }${extra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}-web, namespace: default }
spec:
  parentRefs: [{ name: ${name} }]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: ${name}-backend }] }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: ${name}-backend, namespace: default }
spec: { endpoints: [{ ip: { address: 127.0.0.1, port: ${backendPort} } }] }
---`;
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---${gateway('a')}${gateway('b', `
    - { name: static, protocol: HTTPS, port: 9443, hostname: static.b.example.com, tls: { certificateRefs: [{ name: b-static }] } }`)}
apiVersion: v1
kind: Secret
metadata: { name: b-static, namespace: default }
type: kubernetes.io/tls
stringData: { tls.crt: B-STATIC-CERT, tls.key: B-STATIC-KEY }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: health, namespace: default }
spec:
  parentRefs: [{ name: a }]
  hostnames: [${HOST}]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: a-backend }] }]
`;
}

let dir: string;
let pki: TestPki;
let redis: RedisHandle;
let xds: ServiceHandle;
let backend: grpc.Server;
let leaves: Record<'a' | 'b' | 'billing' | 'authz' | 'foreignA' | 'xds', TestLeaf>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-trust-'));
  pki = makeTestPki();
  leaves = {
    xds: pki.issue('xds', { kind: 'service', name: 'xds' }),
    a: pki.issue('envoy-default-a', { kind: 'gateway', namespace: 'default', name: 'a' }),
    b: pki.issue('envoy-default-b', { kind: 'gateway', namespace: 'default', name: 'b' }),
    billing: pki.issue('client-billing', { kind: 'client', name: 'billing' }),
    authz: pki.issue('authz', { kind: 'service', name: 'authz' }),
    foreignA: pki.issue('foreign-envoy-default-a', { kind: 'gateway', namespace: 'default', name: 'a' }, { ca: 'foreign' }),
  };
  backend = new grpc.Server();
  backend.addService(grpcServiceDefinition(ServiceNames.health), {
    Check: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { status: 'SERVING' }),
    Watch: (call: grpc.ServerWritableStream<object, object>) => call.end(),
  });
  const backendPort = await new Promise<number>((resolve, reject) =>
    backend.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  await writeFile(join(dir, 'gateways.yaml'), gatewaysYaml(backendPort));
  redis = await startRedis();
  const r = new Redis(redis.url);
  await issue(r, 'a');
  await issue(r, 'b');
  r.disconnect();
  xds = await startService('xds', { REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, CERTS_ENCRYPTION_KEY: KEY.toString('base64'), XDS_DEBOUNCE_MS: '10', ...pki.envFor(leaves.xds) });
});

afterAll(async () => {
  await xds?.stop();
  await redis?.stop();
  backend?.forceShutdown();
  await rm(dir, { recursive: true, force: true });
});

/** The certificate for Gateway `name`'s HTTPS listener, as services/certs publishes it. */
async function issue(r: Redis, name: 'a' | 'b'): Promise<void> {
  const ref = `gatehouse:certs:key:default/${name}-tls/1`;
  await r.set(ref, encryptPrivateKey(`ISSUED-KEY-${name}`, KEY));
  const bytes = testSealedCodec(certificateIssuedCodec, SealedUses.certificateIssued()).encode({ namespace: 'default', name: `${name}-https`, secret_name: `${name}-tls`, certificate_chain_pem: `ISSUED-CERT-${name}`, private_key_ref: ref, revision: 1, dns_names: [`${name}.example.com`] });
  await r.multi().hset(CERTIFICATE_ISSUED_LATEST_KEY, `default/${name}-https`, bytes).publish(FanoutChannels.certificateIssued, bytes).exec();
}

const address = () => `localhost:${xds.grpcPort}`;
const mtls = (leaf: TestLeaf, ca = pki.ca) => grpc.credentials.createSsl(ca, leaf.key, leaf.cert);

/** Opens SotW ADS with `creds` as `nodeCluster`, asks for `typeUrl` (wildcard, or `names`), and returns the first response or the error. */
async function ask(creds: grpc.ChannelCredentials, nodeCluster: string, typeUrl: string, names: string[] = []) {
  const client = createAdsClient(address(), creds);
  const stream = openSotwStream(address(), client);
  try {
    stream.send({ node: { id: 'test', cluster: nodeCluster }, type_url: typeUrl, resource_names: names });
    try {
      return { response: await stream.responses.next(10_000) };
    } catch {
      return { error: stream.responses.error as (Error & { code?: number; details?: string }) | undefined };
    }
  } finally {
    stream.close();
    client.close();
  }
}

/** Every resource of a Gateway a stream with `creds` can fetch, by type, once the config is loaded. */
async function fetchAll(creds: grpc.ChannelCredentials, nodeCluster: string, secretNames: string[]) {
  const out: Record<string, string[]> = {};
  for (const [label, typeUrl, names] of [
    ['listeners', TypeUrls.listener, []],
    ['clusters', TypeUrls.cluster, []],
    ['secrets', TypeUrls.secret, secretNames],
  ] as const) {
    const { response, error } = await ask(creds, nodeCluster, typeUrl, [...names]);
    if (error) throw error;
    out[label] = resourceNames(response!).sort();
  }
  return out;
}

const secretValues = (response: { resources?: Array<{ type_url?: string; value?: Uint8Array }> }) => JSON.stringify((response.resources ?? []).map((any) => unpackAny(any)));

describe('ADS over mutual TLS, bound to the client certificate', () => {
  it("a proxy with Gateway A's certificate asking for Gateway B's config is refused (SotW and delta), and counted", async () => {
    await waitFor(async () => (await fetch(`${xds.adminUrl}/readyz`)).ok);
    const { error } = await ask(mtls(leaves.a), 'default/b', TypeUrls.secret, ['default/b-tls', 'default/b-static']);
    expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error?.details).toBe('GH_XDS_STREAM_FORBIDDEN: spiffe://gatehouse/gateway/default/a may open ADS only as node.cluster "default/a", not "default/b"');

    const client = createAdsClient(address(), mtls(leaves.a));
    const delta = openDeltaStream(address(), client);
    delta.send({ node: { id: 'test', cluster: 'default/b' }, type_url: TypeUrls.listener, resource_names_subscribe: ['*'] });
    await expect(delta.responses.next(10_000)).rejects.toThrow(/PERMISSION_DENIED|GH_XDS_STREAM_FORBIDDEN/);
    delta.close();
    client.close();

    const metrics = await (await fetch(`${xds.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/xds_streams_refused_total\{[^}]*reason="other_gateway"[^}]*\} [2-9]/);
  });

  it("a proxy with Gateway A's certificate gets Gateway A's listeners, clusters and secrets, and none of Gateway B's", async () => {
    const want = ['default/a-tls', 'default/b-tls', 'default/b-static'];
    const a = await waitFor(async () => {
      const got = await fetchAll(mtls(leaves.a), 'default/a', want);
      return got['secrets']!.length > 0 && got;
    });
    expect(a['secrets']).toEqual(['default/a-tls']);
    expect(a['clusters']!.some((c) => c.includes('a-backend'))).toBe(true);
    expect(a['clusters']!.some((c) => c.includes('b-backend'))).toBe(false);

    const b = await fetchAll(mtls(leaves.b), 'default/b', want);
    expect(b['secrets']).toEqual(['default/b-static', 'default/b-tls']);
    expect(b['clusters']!.some((c) => c.includes('a-backend'))).toBe(false);

    const { response } = await ask(mtls(leaves.a), 'default/a', TypeUrls.secret, want);
    expect(secretValues(response!)).toContain('ISSUED-KEY-a');
    expect(secretValues(response!)).not.toMatch(/ISSUED-KEY-b|B-STATIC-KEY/);
  });

  it('a client without a certificate, with a certificate of another CA, or in plaintext cannot open ADS', async () => {
    for (const creds of [grpc.credentials.createSsl(pki.ca), mtls(leaves.foreignA), grpc.credentials.createInsecure()]) {
      const { response, error } = await ask(creds, 'default/a', TypeUrls.secret, ['default/a-tls']);
      expect(response).toBeUndefined();
      expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    }
  });

  it("a service's certificate (authz) cannot read any Gateway's config", async () => {
    const { error } = await ask(mtls(leaves.authz), 'default/a', TypeUrls.secret, ['default/a-tls']);
    expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error?.details).toContain('is a Gatehouse service, not a proxy');
  });

  it("a proxyless client's certificate gets the proxyless view of a Gateway: its routes, never a Secret or an Envoy listener", async () => {
    // Secrets go out before listeners (make-before-break), and a pushed type waits for its ACK: an LDS
    // answer arriving first, with nothing before it, means no Secret was there to send.
    const client = createAdsClient(address(), mtls(leaves.billing));
    const stream = openSotwStream(address(), client);
    try {
      stream.send({ node: { id: 'billing-raw', cluster: 'default/a' }, type_url: TypeUrls.secret, resource_names: ['default/a-tls', 'default/b-tls'] });
      stream.send({ type_url: TypeUrls.listener });
      const first = await stream.responses.next(10_000);
      expect(first.type_url).toBe(TypeUrls.listener);
      expect(resourceNames(first)).toEqual([HOST]);
    } finally {
      stream.close();
      client.close();
    }
  });
});

describe('@grpc/grpc-js-xds as a proxyless client over mutual TLS', () => {
  let forwarder: MtlsForwarderHandle;
  let client: XdsClientHandle;
  afterAll(async () => {
    client?.close();
    await forwarder?.close();
  });

  it('resolves xds:/// and calls the backend with a client identity, bound as such', async () => {
    forwarder = await startMtlsForwarder({ target: address(), cert: leaves.billing.cert, key: leaves.billing.key, ca: pki.ca, expectedServerUri: 'spiffe://gatehouse/service/xds' });
    client = createXdsClient({
      bootstrap: buildXdsBootstrap({ serverUri: forwarder.address, nodeCluster: 'default/a', nodeId: 'billing-1' }),
      service: grpcServiceDefinition(ServiceNames.health),
      target: `xds:///${HOST}`,
    });
    const status = await new Promise<string>((resolve, reject) =>
      (client.client as unknown as { Check: (req: object, opts: object, cb: grpc.requestCallback<{ status: string }>) => void }).Check({ service: '' }, { deadline: Date.now() + 15_000 }, (err, res) => (err ? reject(err) : resolve(res!.status))),
    );
    expect(status).toBe('SERVING');
    const proxies = (await (await fetch(`${xds.adminUrl}/proxies`)).json()) as { proxies: Array<{ nodeId: string; identity: string | null; view: string; types: Array<{ type: string; lastNack?: unknown }> }> };
    const proxy = proxies.proxies.find((p) => p.nodeId === 'billing-1');
    expect(proxy).toMatchObject({ identity: 'spiffe://gatehouse/client/billing', view: 'proxyless' });
    expect(proxy!.types.every((t) => !t.lastNack)).toBe(true);
  });

  it('the forwarder refuses a server that is not xds (a service certificate of the same CA)', async () => {
    const wrong = await startMtlsForwarder({ target: address(), cert: leaves.billing.cert, key: leaves.billing.key, ca: pki.ca, expectedServerUri: 'spiffe://gatehouse/service/authz' });
    try {
      const stream = openSotwStream(wrong.address);
      stream.send({ node: { id: 't', cluster: 'default/a' }, type_url: TypeUrls.listener });
      await expect(stream.responses.next(10_000)).rejects.toThrow();
      stream.close();
    } finally {
      await wrong.close();
    }
  });
});
