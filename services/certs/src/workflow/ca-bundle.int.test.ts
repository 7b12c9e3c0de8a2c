import { X509Certificate } from 'node:crypto';
import type { Server } from 'node:http';
import { freePort, startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeHttp } from '../adapters/acme-http.js';
import { createManager, eventually, startResponder, type ManagerFixture } from '../testing/certs-fixture.js';

const yaml = (server: string, caBundle: string | undefined, prefix: string) => `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: private-ca, namespace: ${prefix} }
spec:
  acme:
    server: ${server}
    ${caBundle ? `caBundle: ${caBundle}` : ''}
    privateKeySecretRef: { name: account }
    solvers: [{ http01: {} }]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: internal, namespace: ${prefix} }
spec: { secretName: internal-tls, dnsNames: [internal.example.test], issuerRef: { name: private-ca } }
`;

describe("an Issuer's spec.acme.caBundle (a private ACME CA, not in ACME_CA_CERTS)", () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let responder: Server;
  const fixtures: ManagerFixture[] = [];
  let httpPort: number;

  beforeAll(async () => {
    redis = await startRedis();
    httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    // Only the issuing root is trusted by the service; Pebble's TLS CA is not.
  });

  afterAll(async () => {
    for (const f of fixtures) await f.close();
    responder?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  const run = async (caBundle: string | undefined, prefix: string) => {
    const fixture = createManager(redis.url, yaml(pebble.directoryUrl, caBundle, prefix), { http: new AcmeHttp({ extraCaPem: pebble.issuingRootPem }), trustedRoots: [new X509Certificate(pebble.issuingRootPem)], prefix: `${prefix}:` });
    fixtures.push(fixture);
    responder?.close();
    responder = await startResponder(fixture.store, httpPort);
    await fixture.manager.reconcile();
    return eventually('the order to settle', async () => {
      const s = await fixture.store.getState(`${prefix}/internal`);
      return s && (s.revision === 1 || s.failures > 0) ? s : undefined;
    }, 30_000);
  };

  it('cannot reach the CA without it', async () => {
    const state = await run(undefined, 'without');
    expect(state.lastFailureMessage).toMatch(/GH_CERTS_ACME_(UNREACHABLE|ORDER_FAILED).*(certificate|self.signed|UNABLE_TO_VERIFY)/i);
  });

  it('issues once the Issuer carries the CA in caBundle', async () => {
    const state = await run(Buffer.from(pebble.caBundlePem).toString('base64'), 'with');
    expect(state.revision).toBe(1);
  });
});
