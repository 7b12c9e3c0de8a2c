// EnvoyProxy mergeGateways end to end through the built service with mutual TLS on: the merged fleet of
// GatewayClass "shared" opens ADS as node.cluster "shared" with its GatewayClass certificate and receives
// one listener per port carrying both Gateways' routes (and both Gateways' Secrets); a Gateway's own
// certificate opens neither the class's node cluster nor finds a snapshot under its own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrls, unpackAny } from '@gatehouse/contracts';
import { makeTestPki, type TestLeaf, type TestPki } from '@gatehouse/kit/testing';
import { startRedis, startService, waitFor, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';
import { createAdsClient, openSotwStream, resourceNames } from './testing/raw-ads-client.js';

const CONFIG = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: shared }
spec:
  controllerName: gatehouse.dev/gateway-controller
  parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: merged, namespace: infra }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: merged, namespace: infra }
spec: { mergeGateways: true }
${['a', 'b']
  .map(
    (name) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: team-${name} }
spec:
  gatewayClassName: shared
  listeners: [{ name: http, protocol: HTTP, port: 8080, hostname: ${name}.example.com }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}-web, namespace: team-${name} }
spec:
  parentRefs: [{ name: ${name} }]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: ${name}-backend }] }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: ${name}-backend, namespace: team-${name} }
spec: { endpoints: [{ ip: { address: 127.0.0.1, port: 9 } }] }
`,
  )
  .join('')}`;

let dir: string;
let pki: TestPki;
let redis: RedisHandle;
let xds: ServiceHandle;
let leaves: Record<'xds' | 'fleet' | 'a', TestLeaf>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-merged-'));
  pki = makeTestPki();
  leaves = {
    xds: pki.issue('xds', { kind: 'service', name: 'xds' }),
    fleet: pki.issue('gatewayclass-shared', { kind: 'gatewayclass', name: 'shared' }),
    a: pki.issue('envoy-team-a-a', { kind: 'gateway', namespace: 'team-a', name: 'a' }),
  };
  await writeFile(join(dir, 'gateways.yaml'), CONFIG);
  redis = await startRedis();
  xds = await startService('xds', { REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, XDS_DEBOUNCE_MS: '10', ...pki.envFor(leaves.xds) });
});

afterAll(async () => {
  await xds?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const address = () => `localhost:${xds.grpcPort}`;
const mtls = (leaf: TestLeaf) => grpc.credentials.createSsl(pki.ca, leaf.key, leaf.cert);

/** The first SotW answer for `typeUrl` (wildcard, or `names`) to a stream opened as `nodeCluster`, or the stream's error. */
async function ask(leaf: TestLeaf, nodeCluster: string, typeUrl: string, names: string[] = []) {
  const client = createAdsClient(address(), mtls(leaf));
  const stream = openSotwStream(address(), client);
  try {
    stream.send({ node: { id: 'merged-test', cluster: nodeCluster }, type_url: typeUrl, resource_names: names });
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

describe('merged Gateways (EnvoyProxy mergeGateways)', () => {
  it("the GatewayClass's fleet, as node.cluster \"shared\", gets one listener on 8080 whose routes serve both Gateways", async () => {
    await waitFor(async () => (await fetch(`${xds.adminUrl}/readyz`)).ok);
    const listeners = await ask(leaves.fleet, 'shared', TypeUrls.listener);
    expect(resourceNames(listeners.response!)).toEqual(['shared/port/8080']);

    // HTTP listeners sharing a port share the oldest Gateway's route configuration (RDS is asked by name).
    const routes = await ask(leaves.fleet, 'shared', TypeUrls.routeConfiguration, ['team-a/a/http']);
    const configs = (routes.response!.resources ?? []).map((any) => unpackAny(any) as { virtual_hosts?: Array<{ domains?: string[] }> });
    expect(configs.flatMap((c) => (c.virtual_hosts ?? []).flatMap((v) => v.domains ?? [])).sort()).toEqual(['a.example.com', 'b.example.com']);

    const clusters = await ask(leaves.fleet, 'shared', TypeUrls.cluster);
    expect(resourceNames(clusters.response!).filter((c) => c.startsWith('backend/')).sort()).toEqual(['backend/team-a/a-backend', 'backend/team-b/b-backend']);
  });

  it("a Gateway's own certificate cannot open the merged fleet's node cluster", async () => {
    const { error } = await ask(leaves.a, 'shared', TypeUrls.listener);
    expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error?.details).toBe('GH_XDS_STREAM_FORBIDDEN: spiffe://gatehouse/gateway/team-a/a may open ADS only as node.cluster "team-a/a", not "shared"');
  });

  it('the fleet certificate opens only its own node cluster, and a merged Gateway has no snapshot of its own', async () => {
    const { error } = await ask(leaves.fleet, 'team-a/a', TypeUrls.listener);
    expect(error?.code).toBe(grpc.status.PERMISSION_DENIED);
    const status = (await (await fetch(`${xds.adminUrl}/status`)).json()) as { nodeClusters: Record<string, string> };
    expect(Object.keys(status.nodeClusters)).toEqual(['shared']);
  });
});
