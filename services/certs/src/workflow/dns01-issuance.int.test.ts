import { X509Certificate } from 'node:crypto';
import { certificateIssuedCodec } from '@gatehouse/contracts';
import { startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainVerifies, createManager, subscribeIssued, trustPebble, type ManagerFixture } from '../testing/certs-fixture.js';
import { startDnsUpdateReceiver, type DnsUpdateReceiver } from '../testing/dns-update-receiver.js';

const TSIG_SECRET = Buffer.from('gatehouse-test-tsig-secret-32byt').toString('base64');

describe('DNS-01 issuance against Pebble and pebble-challtestsrv', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let trusted: ReturnType<typeof trustPebble>;
  let roots: X509Certificate[];
  let receiver: DnsUpdateReceiver;
  const fixtures: ManagerFixture[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    pebble = await startPebble();
    trusted = trustPebble(pebble);
    roots = trusted.trustedRoots;
    receiver = await startDnsUpdateReceiver({
      zone: 'rfc2136.test',
      challtestsrvUrl: pebble.challtestsrvUrl,
      tsig: { name: 'gatehouse-key', algorithm: 'HMACSHA256', secret: Buffer.from(TSIG_SECRET, 'base64') },
    });
  });

  afterAll(async () => {
    for (const f of fixtures) await f.close();
    receiver?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  it('issues an apex + wildcard certificate in one order through the webhook provider', async () => {
    const fixture = createManager(
      redis.url,
      `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: pebble-dns, namespace: web }
spec:
  acme:
    server: ${pebble.directoryUrl}
    privateKeySecretRef: { name: pebble-dns-account }
    solvers:
      - dns01:
          webhook:
            groupName: acme.gatehouse.dev
            solverName: http
            config: { presentUrl: "${pebble.challtestsrvUrl}/set-txt", cleanupUrl: "${pebble.challtestsrvUrl}/clear-txt" }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: wild, namespace: web }
spec:
  secretName: wild-tls
  dnsNames: [example.test, "*.example.test"]
  issuerRef: { name: pebble-dns }
`,
      { ...trusted, prefix: 'webhook:', propagation: { nameservers: [`127.0.0.1:${pebble.dnsPort}`], intervalMs: 200 } },
    );
    fixtures.push(fixture);
    const issued = await subscribeIssued(redis.url);
    await fixture.manager.reconcile();
    const message = certificateIssuedCodec.decode(await issued.next());
    issued.close();
    expect(message.dns_names).toEqual(['example.test', '*.example.test']);
    const leaf = new X509Certificate(message.certificate_chain_pem!);
    expect(leaf.subjectAltName).toContain('DNS:*.example.test');
    expect(chainVerifies(message.certificate_chain_pem!, roots[0]!)).toBe(true);
  });

  it('issues through RFC 2136 updates signed with TSIG (relayed to challtestsrv by an in-test DNS UPDATE receiver)', async () => {
    const fixture = createManager(
      redis.url,
      `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble-rfc2136 }
spec:
  acme:
    server: ${pebble.directoryUrl}
    privateKeySecretRef: { name: pebble-rfc2136-account }
    solvers:
      - dns01:
          rfc2136:
            nameserver: ${receiver.address}
            tsigKeyName: gatehouse-key
            tsigAlgorithm: HMACSHA256
            tsigSecretSecretRef: { name: tsig, key: secret }
---
apiVersion: v1
kind: Secret
metadata: { name: tsig, namespace: cert-manager }
data: { secret: ${Buffer.from(TSIG_SECRET).toString('base64')} }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: api, namespace: web }
spec:
  secretName: api-tls
  dnsNames: ["*.rfc2136.test"]
  issuerRef: { name: pebble-rfc2136, kind: ClusterIssuer }
`,
      { ...trusted, prefix: 'rfc2136:', propagation: { nameservers: [`127.0.0.1:${pebble.dnsPort}`], intervalMs: 200 } },
    );
    fixtures.push(fixture);
    const issued = await subscribeIssued(redis.url);
    await fixture.manager.reconcile();
    const message = certificateIssuedCodec.decode(await issued.next());
    issued.close();
    expect(new X509Certificate(message.certificate_chain_pem!).subjectAltName).toBe('DNS:*.rfc2136.test');
    expect(receiver.rejected).toEqual([]);
    expect(receiver.updates.map((u) => [u.action, u.fqdn])).toEqual([
      ['add', '_acme-challenge.rfc2136.test'],
      ['delete', '_acme-challenge.rfc2136.test'],
    ]);
  });
});
