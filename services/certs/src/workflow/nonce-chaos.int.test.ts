import type { Server } from 'node:http';
import { freePort, startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeStandIn, type AcmeStandIn } from '../testing/acme-stand-in.js';
import { createManager, eventually, startResponder, trustPebble, type ManagerFixture } from '../testing/certs-fixture.js';

describe('a CA that answers badNonce to every third signed request (on top of Pebble\'s own 5%)', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let standIn: AcmeStandIn;
  let responder: Server;
  let fixture: ManagerFixture;

  beforeAll(async () => {
    redis = await startRedis();
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    standIn = await startAcmeStandIn(pebble);
    standIn.badNonceEvery = 3;
    fixture = createManager(
      redis.url,
      `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble }
spec:
  acme:
    server: ${standIn.directoryUrl}
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
      { ...trustPebble(pebble, standIn.caPem) },
    );
    responder = await startResponder(fixture.store, httpPort);
  });

  afterAll(async () => {
    await fixture?.close();
    responder?.close();
    standIn?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  it('retries badNonce answers (acme-client does) and issues without a recorded failure', async () => {
    await fixture.manager.reconcile();
    const states = await eventually('both certificates', async () => {
      const s = await fixture.store.getStates(['default/one', 'default/two']);
      return [...s.values()].filter((x) => x.revision === 1).length === 2 ? s : undefined;
    }, 45_000);
    expect(standIn.badNoncesSent()).toBeGreaterThan(3);
    expect([...states.values()].map((s) => s.failures)).toEqual([0, 0]);
  });
});
