import { X509Certificate } from 'node:crypto';
import type { Server } from 'node:http';
import { freePort, startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { type IssuanceWorld, type ManagerFixture, certificateYaml, createManager, eventually, pebbleIssuerYaml, startIssuanceWorld, startResponder, trustPebble } from '../testing/certs-fixture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredState } from '../adapters/cert-store.js';
import { ariCertId } from '../core/ari-cert-id.js';
import { startAcmeStandIn, type AcmeStandIn } from '../testing/acme-stand-in.js';

const yamlFor = (server: string, name = 'short') => pebbleIssuerYaml(server) + certificateYaml(name);

async function stateWithRevision(fixture: ManagerFixture, id: string, revision: number): Promise<StoredState> {
  return eventually(`revision ${revision} of ${id}`, async () => {
    const state = await fixture.store.getState(id);
    return state && state.revision >= revision && !state.pendingOrderUrl ? state : undefined;
  }, 50_000);
}

describe('renewal of short-lived certificates (Pebble certificateValidityPeriod = 20 s, no ARI)', () => {
  let world: IssuanceWorld;
  let redis: RedisHandle;
  let fixture: ManagerFixture;

  beforeAll(async () => {
    world = await startIssuanceWorld({ yaml: (server) => yamlFor(server), redis: { appendOnly: true }, pebble: { certificateValidityPeriod: 20 } });
    ({ redis, fixture } = world);
  });

  afterAll(async () => world?.stop());

  it('renews by itself at half the lifetime, computed from the issued certificate, across a Redis restart', async () => {
    await fixture.manager.reconcile();
    const first = await stateWithRevision(fixture, 'default/short', 1);
    // The renewal is a delayed BullMQ job in Redis (append-only file on): it must survive this.
    await redis.restart();
    expect(first.renewalBasis).toBe('fallback');
    expect(first.renewalTime).toBe(first.notBefore! + (first.notAfter! - first.notBefore!) / 2);
    const second = await stateWithRevision(fixture, 'default/short', 2);
    expect(second.notBefore!).toBeGreaterThanOrEqual(first.notBefore!);
    expect(second.chainPem).not.toBe(first.chainPem);
    // A new key for every certificate.
    expect(new X509Certificate(second.chainPem!).publicKey.export({ format: 'der', type: 'spki' })).not.toEqual(
      new X509Certificate(first.chainPem!).publicKey.export({ format: 'der', type: 'spki' }),
    );
  });
});

describe('ARI (RFC 9773) against a renewalInfo stand-in in front of Pebble', () => {
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
    fixture = createManager(redis.url, yamlFor(standIn.directoryUrl, 'ari'), { ...trustPebble(pebble, standIn.caPem), prefix: 'ari:' });
    responder = await startResponder(fixture.store, httpPort);
  });

  afterAll(async () => {
    await fixture?.close();
    responder?.close();
    standIn?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  it('renews inside the suggested window and sends replaces with the old certificate id', async () => {
    // The first certificate gets a window a few seconds ahead; later ones have no window (404),
    // so they fall back to Pebble's 5-year lifetime and nothing renews again by itself.
    const windowStart = new Date(Date.now() + 3000);
    const seen: { firstId?: string } = {};
    standIn.window = (id) => (seen.firstId === undefined || id === seen.firstId ? { start: windowStart, end: new Date(windowStart.getTime() + 2000) } : undefined);
    await fixture.manager.reconcile();
    const first = await stateWithRevision(fixture, 'default/ari', 1);
    const firstId = ariCertId(new X509Certificate(first.chainPem!).raw);
    seen.firstId = firstId;
    expect(first.ariCertId).toBe(firstId);
    expect(first.renewalBasis).toBe('ari');
    expect(first.ariRecheckMs).toBe(21_600_000); // the stand-in's Retry-After on renewalInfo
    expect(first.renewalTime).toBeGreaterThanOrEqual(windowStart.getTime());
    expect(first.renewalTime).toBeLessThanOrEqual(windowStart.getTime() + 2000);

    const second = await stateWithRevision(fixture, 'default/ari', 2);
    expect(standIn.renewalInfoRequests).toContain(firstId);
    expect(standIn.newOrders.at(-1)?.replaces).toBe(firstId);
    expect(second.renewalBasis).toBe('fallback');
  });

  it('orders again without replaces when the CA refuses it', async () => {
    standIn.refuseReplaces = true;
    const before = standIn.newOrders.length;
    await fixture.manager.renewNow('default/ari');
    await stateWithRevision(fixture, 'default/ari', 3);
    const attempts = standIn.newOrders.slice(before);
    expect(attempts.map((o) => o.replaces !== undefined)).toEqual([true, false]);
  });

  it('backs off for the Retry-After of a rate-limited newOrder instead of retrying in a loop', async () => {
    standIn.refuseReplaces = false;
    standIn.rateLimitNext = { count: 1, retryAfterSeconds: 7200 };
    const before = Date.now();
    await fixture.manager.renewNow('default/ari');
    const failed = await eventually('the rate-limited failure', async () => {
      const state = await fixture.store.getState('default/ari');
      return state?.failures ? state : undefined;
    });
    expect(failed.lastFailureMessage).toMatch(/^GH_CERTS_ACME_RATE_LIMITED: /);
    expect(failed.nextAttemptTime!).toBeGreaterThanOrEqual(before + 7200_000);
    expect(failed.revision).toBe(3);
    const status = (await fixture.manager.listStatuses())[0]!.status;
    expect(status.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['Ready=True/Ready', 'Issuing=False/Failed']);
  });
});

describe('Redis comes back empty (no persistence)', () => {
  let world: IssuanceWorld;
  let redis: RedisHandle;
  let fixture: ManagerFixture;

  beforeAll(async () => {
    world = await startIssuanceWorld({ yaml: (server) => yamlFor(server, 'amnesia'), manager: { prefix: 'amnesia:' } });
    ({ redis, fixture } = world);
  });

  afterAll(async () => world?.stop());

  it('reschedules every certificate after the reconnect, so it is issued again', async () => {
    await fixture.manager.reconcile();
    const before = await stateWithRevision(fixture, 'default/amnesia', 1);
    // Wait for the renewal job (delayed five years), so the order is entirely done.
    await eventually('the renewal job', async () => {
      const [delayed] = await fixture.redis.keys('amnesia:bull:*:delayed');
      return delayed && (await fixture.redis.zcard(delayed)) === 1 ? true : undefined;
    });
    await redis.kill();
    await redis.restart();
    // Revision 1 again, from a new order: the old state is gone and the certificate was rescheduled.
    const after = await eventually('the certificate issued again', async () => {
      const state = await fixture.store.getState('default/amnesia');
      return state?.revision === 1 && state.orderUrl !== before.orderUrl ? state : undefined;
    }, 50_000);
    expect(after.chainPem).not.toBe(before.chainPem);
  });
});
