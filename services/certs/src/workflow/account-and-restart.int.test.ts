import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort, startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { type ManagerFixture, createManager, eventually, listen, startResponder, trustPebble } from '../testing/certs-fixture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeStandIn, type AcmeStandIn } from '../testing/acme-stand-in.js';

const EAB_HMAC = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';

describe('External Account Binding and a shared account (Pebble with EAB required)', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let responder: Server;
  const fixtures: ManagerFixture[] = [];
  let httpPort: number;

  const config = (hmac: string, account: string) => `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: eab, namespace: team }
spec:
  acme:
    server: ${pebble.directoryUrl}
    privateKeySecretRef: { name: ${account} }
    externalAccountBinding:
      keyID: kid-1
      keySecretRef: { name: eab-hmac, key: secret }
    solvers: [{ http01: {} }]
---
apiVersion: v1
kind: Secret
metadata: { name: eab-hmac, namespace: team }
stringData: { secret: "${hmac}" }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: bound, namespace: team }
spec:
  secretName: bound-tls
  dnsNames: [bound.example.test]
  issuerRef: { name: eab }
`;

  beforeAll(async () => {
    redis = await startRedis();
    httpPort = await freePort();
    pebble = await startPebble({ httpPort, externalAccountMacKeys: { 'kid-1': EAB_HMAC } });
  });

  afterAll(async () => {
    for (const f of fixtures) await f.close();
    responder?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  it('registers with EAB and issues', async () => {
    const fixture = createManager(redis.url, config(EAB_HMAC, 'eab-account'), { ...trustPebble(pebble), prefix: 'eab:' });
    fixtures.push(fixture);
    responder = await startResponder(fixture.store, httpPort);
    await fixture.manager.reconcile();
    const state = await eventually('issuance with EAB', async () => ((await fixture.store.getState('team/bound'))?.revision === 1 ? fixture.store.getState('team/bound') : undefined));
    expect(state?.chainPem).toContain('BEGIN CERTIFICATE');
  });

  it('reuses the stored account from another replica, without EAB or a new key', async () => {
    const accountsBefore = await fixtures[0]!.redis.keys('eab:account:*');
    expect(accountsBefore).toHaveLength(1);
    const urlBefore = await fixtures[0]!.redis.hget(accountsBefore[0]!, 'url');
    // A second replica whose EAB secret is wrong: it can only succeed by reusing the registered account.
    const replica = createManager(redis.url, config('d3Jvbmcta2V5', 'eab-account'), { ...trustPebble(pebble), prefix: 'eab:' });
    fixtures.push(replica);
    await replica.manager.renewNow('team/bound');
    await eventually('renewal by the second replica', async () => ((await replica.store.getState('team/bound'))?.revision === 2 ? true : undefined));
    expect(await replica.redis.keys('eab:account:*')).toEqual(accountsBefore);
    expect(await replica.redis.hget(accountsBefore[0]!, 'url')).toBe(urlBefore);
  });

  it('reports a refused EAB as a failure of the certificate', async () => {
    const fixture = createManager(redis.url, config('d3Jvbmcta2V5', 'other-account'), { ...trustPebble(pebble), prefix: 'eab-bad:' });
    fixtures.push(fixture);
    await fixture.manager.reconcile();
    const state = await eventually('the failure', async () => {
      const s = await fixture.store.getState('team/bound');
      return s?.failures ? s : undefined;
    });
    expect(state.lastFailureMessage).toMatch(/^GH_CERTS_ACME_ORDER_FAILED: /);
    expect(state.revision).toBe(0);
  });
});

describe('a replica dies in the middle of an order', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let standIn: AcmeStandIn;
  let webhook: Server;
  const held: ServerResponse[] = [];
  let presented: () => void;
  const firstPresent = new Promise<void>((resolve) => (presented = resolve));
  let holdPresents = true;
  const fixtures: ManagerFixture[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    pebble = await startPebble();
    standIn = await startAcmeStandIn(pebble);
    // A webhook DNS provider that hangs while holdPresents is set (the replica "dies" while
    // waiting on it), and otherwise relays to challtestsrv.
    webhook = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        if (req.url === '/present' && holdPresents) {
          held.push(res);
          presented();
          return;
        }
        await fetch(`${pebble.challtestsrvUrl}${req.url === '/present' ? '/set-txt' : '/clear-txt'}`, { method: 'POST', body });
        res.end('ok');
      });
    });
    await listen(webhook, await freePort());
  });

  afterAll(async () => {
    for (const f of fixtures) await f.close();
    for (const res of held) res.destroy();
    webhook?.close();
    standIn?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  it('another replica resumes the same order after the lease runs out: nothing lost, nothing doubled', async () => {
    const address = webhook.address() as { port: number };
    const yaml = `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble }
spec:
  acme:
    server: ${standIn.directoryUrl}
    privateKeySecretRef: { name: account }
    solvers:
      - dns01:
          webhook:
            groupName: acme.gatehouse.dev
            solverName: http
            config: { presentUrl: "http://127.0.0.1:${address.port}/present", cleanupUrl: "http://127.0.0.1:${address.port}/cleanup" }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: resumed, namespace: default }
spec:
  secretName: resumed-tls
  dnsNames: [resumed.example.test]
  issuerRef: { name: pebble, kind: ClusterIssuer }
`;
    const options = {
      ...trustPebble(pebble, standIn.caPem),
      prefix: 'restart:',
      propagation: { nameservers: [`127.0.0.1:${pebble.dnsPort}`], intervalMs: 200 },
      stalledIntervalMs: 1000,
      lockDurationMs: 2000,
    };
    const first = createManager(redis.url, yaml, options);
    await first.manager.reconcile();
    await firstPresent;
    const pending = await first.store.getState('default/resumed');
    expect(pending?.pendingOrderUrl).toBeDefined();
    await first.crash();

    holdPresents = false;
    const second = createManager(redis.url, yaml, options);
    fixtures.push(second);
    await second.manager.reconcile();
    const done = await eventually('the resumed order', async () => {
      const s = await second.store.getState('default/resumed');
      return s?.revision === 1 ? s : undefined;
    }, 45_000);
    expect(done.orderUrl).toBe(pending?.pendingOrderUrl);
    expect(standIn.newOrders).toHaveLength(1);
  });
});
