import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureAcmeHttp } from '../adapters/acme-http.js';
import { createManager, startResponder, trustPebble, type ManagerFixture } from '../testing/certs-fixture.js';
import { startPebble, type TestPebble } from '../testing/pebble.js';
import { freePort, waitFor } from '../testing/processes.js';
import { startRedis, type TestRedis } from '../testing/redis-server.js';

describe('Pebble rejecting 25% of good nonces', () => {
  let redis: TestRedis;
  let pebble: TestPebble;
  let responder: Server;
  let fixture: ManagerFixture;
  const badNonces: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort, nonceRejectPercent: 25 });
    const roots = trustPebble(pebble);
    configureAcmeHttp({
      extraCaPem: `${pebble.tlsCaPem}\n${pebble.issuingRootPem}`,
      onRequest: (o) => {
        if (o.problem?.type === 'urn:ietf:params:acme:error:badNonce') badNonces.push(o.url);
      },
    });
    fixture = createManager(
      redis.url,
      `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble }
spec:
  acme:
    server: ${pebble.directoryUrl}
    privateKeySecretRef: { name: account }
    solvers: [{ http01: {} }]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: one, namespace: default }
spec: { secretName: one-tls, dnsNames: [one.example.test], issuerRef: { name: pebble, kind: ClusterIssuer } }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: two, namespace: default }
spec: { secretName: two-tls, dnsNames: [two.example.test, www.two.example.test], issuerRef: { name: pebble, kind: ClusterIssuer } }
`,
      { trustedRoots: roots },
    );
    responder = await startResponder(fixture.store, httpPort);
  });

  afterAll(async () => {
    await fixture?.close();
    responder?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  it('retries badNonce answers (acme-client does) and issues without a recorded failure', async () => {
    await fixture.manager.reconcile();
    const states = await waitFor('both certificates', async () => {
      const s = await fixture.store.getStates(['default/one', 'default/two']);
      return [...s.values()].filter((x) => x.revision === 1).length === 2 ? s : undefined;
    }, 45_000);
    expect(badNonces.length).toBeGreaterThan(0);
    expect([...states.values()].map((s) => s.failures)).toEqual([0, 0]);
  });
});
