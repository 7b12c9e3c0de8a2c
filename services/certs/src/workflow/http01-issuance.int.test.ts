import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { certificateIssuedCodec } from '@gatehouse/contracts';
import type { PebbleHandle, RedisHandle } from '@gatehouse/e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptPrivateKey } from '@gatehouse/contracts';
import { chainVerifies, eventually, startIssuanceWorld, subscribeIssued, type IssuanceWorld, type ManagerFixture } from '../testing/certs-fixture.js';

const config = `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble }
spec:
  acme:
    server: SERVER
    email: ops@example.test
    privateKeySecretRef: { name: pebble-account }
    solvers: [{ http01: { gatewayHTTPRoute: {} } }]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: web, namespace: shop }
spec:
  secretName: web-tls
  dnsNames: [shop.example.test, www.shop.example.test]
  issuerRef: { name: pebble, kind: ClusterIssuer }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: legacy, namespace: shop }
spec:
  secretName: legacy-tls
  dnsNames: [legacy.example.test]
  issuerRef: { name: pebble, kind: ClusterIssuer }
  privateKey: { algorithm: RSA, size: 2048, rotationPolicy: Never }
`;

describe('HTTP-01 issuance against Pebble (default chaos: 5% badNonce, authz reuse)', () => {
  let world: IssuanceWorld;
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let fixture: ManagerFixture;
  let roots: X509Certificate[];
  const encryptionKey = randomBytes(32);

  beforeAll(async () => {
    world = await startIssuanceWorld({ yaml: (server) => config.replace('SERVER', server), manager: { encryptionKey } });
    ({ redis, pebble, fixture, roots } = world);
  });

  afterAll(async () => world?.stop());

  it('issues a multi-SAN certificate through the challenge responder and publishes CertificateIssued', async () => {
    const issued = await subscribeIssued(redis.url);
    await fixture.manager.reconcile();
    let message = certificateIssuedCodec.decode(await issued.next());
    while (message.name !== 'web') message = certificateIssuedCodec.decode(await issued.next());
    issued.close();

    expect(message).toMatchObject({ namespace: 'shop', name: 'web', secret_name: 'web-tls', revision: 1, dns_names: ['shop.example.test', 'www.shop.example.test'] });
    expect(message.private_key_ref).toBe('test:certs:key:shop/web-tls/1');
    expect(message.certificate_chain_pem!).not.toContain('PRIVATE KEY');
    expect(chainVerifies(message.certificate_chain_pem!, roots[0]!)).toBe(true);

    const leaf = new X509Certificate(message.certificate_chain_pem!);
    expect(leaf.subjectAltName).toContain('DNS:www.shop.example.test');
    expect(leaf.publicKey.asymmetricKeyType).toBe('ec');
    expect(Number(message.not_after_unix) * 1000).toBe(Date.parse(leaf.validTo));

    // The key is stored encrypted under private_key_ref, and opens with the same key-envelope code xds uses.
    const stored = await fixture.redis.get(message.private_key_ref!);
    expect(stored).toMatch(/^ghkey1:A256GCM:/);
    const keyPem = decryptPrivateKey(stored!, encryptionKey);
    expect(leaf.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);

    const status = (await fixture.manager.listStatuses()).find((s) => s.name === 'web');
    expect(status?.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    expect(status?.status.revision).toBe(1);
    expect(status?.certificateChainPem).toBe(message.certificate_chain_pem!);
  });

  it('issues RSA keys on request, and keeps the key across renewals with rotationPolicy Never', async () => {
    const first = await eventually('legacy issued', async () => {
      const s = await fixture.store.getState('shop/legacy');
      return s?.revision === 1 ? s : undefined;
    });
    const firstKey = new X509Certificate(first.chainPem!).publicKey;
    expect(firstKey.asymmetricKeyType).toBe('rsa');
    expect(firstKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    await fixture.manager.renewNow('shop/legacy');
    const second = await eventually('legacy renewed', async () => {
      const s = await fixture.store.getState('shop/legacy');
      return s?.revision === 2 ? s : undefined;
    });
    expect(second.chainPem).not.toBe(first.chainPem);
    expect(new X509Certificate(second.chainPem!).publicKey.export({ type: 'spki', format: 'der' })).toEqual(firstKey.export({ type: 'spki', format: 'der' }));
  });

  it('answers only known tokens on the responder', async () => {
    const res = await fetch(`http://127.0.0.1:${pebble.httpPort}/.well-known/acme-challenge/unknown-token`);
    expect(res.status).toBe(404);
  });
});
