import type { Server } from 'node:http';
import { freePort, startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { type ManagerFixture, createManager, eventually, pebbleIssuerYaml, startResponder, trustPebble } from '../testing/certs-fixture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeStandIn, type AcmeStandIn } from '../testing/acme-stand-in.js';

const yaml = (server: string, profile: string) => `${pebbleIssuerYaml(server, 'account', profile)}---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: p, namespace: default }
spec: { secretName: p-tls, dnsNames: [p.example.test], issuerRef: { name: pebble, kind: ClusterIssuer } }
`;

describe('ACME profiles (announced by a stand-in in front of Pebble)', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let standIn: AcmeStandIn;
  let responder: Server;
  const fixtures: ManagerFixture[] = [];
  let httpPort: number;

  beforeAll(async () => {
    redis = await startRedis();
    httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    standIn = await startAcmeStandIn(pebble);
  });

  afterAll(async () => {
    for (const f of fixtures) await f.close();
    responder?.close();
    standIn?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  const issue = async (profile: string, prefix: string) => {
    const fixture = createManager(redis.url, yaml(standIn.directoryUrl, profile), { ...trustPebble(pebble, standIn.caPem), prefix });
    fixtures.push(fixture);
    responder?.close();
    responder = await startResponder(fixture.store, httpPort);
    await fixture.manager.reconcile();
    return eventually('the order to settle', async () => {
      const s = await fixture.store.getState('default/p');
      return s && (s.revision === 1 || s.failures > 0) ? s : undefined;
    }, 30_000);
  };

  it('sends the profile the CA offers', async () => {
    standIn.profiles = { classic: 'the old one', tlsserver: 'TLS server only', shortlived: '6 days' };
    const state = await issue('shortlived', 'profile-ok:');
    expect(state.revision).toBe(1);
    expect(standIn.newOrders.at(-1)?.profile).toBe('shortlived');
  });

  it('fails clearly on a profile the CA does not offer', async () => {
    const state = await issue('tlsclient', 'profile-unknown:');
    expect(state.lastFailureMessage).toMatch(/^GH_CERTS_ACME_PROFILE_UNKNOWN: .*classic, tlsserver, shortlived/);
  });

  it('leaves the profile out when the CA offers none', async () => {
    standIn.profiles = undefined;
    const state = await issue('tlsserver', 'profile-none:');
    expect(state.revision).toBe(1);
    expect(standIn.newOrders.at(-1)?.profile).toBeUndefined();
  });
});
