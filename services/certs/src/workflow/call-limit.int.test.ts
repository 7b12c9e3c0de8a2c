// The ACME call limit as the CA sees it, and the pause after a 429. Every request goes through an
// ACME stand-in in front of Pebble, which logs when each one arrives. The first test runs two
// replicas: one in this process and the built service (node services/certs/dist/main.js), so
// needs `pnpm build`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPebble, startRedis, startService, type PebbleHandle, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisAcmeCallLimiter } from '../adapters/acme-call-limiter.js';
import { busiestWindow } from '../core/busiest-window.js';
import { startAcmeStandIn, type AcmeStandIn } from '../testing/acme-stand-in.js';
import { certificateYaml, createManager, eventually, parseConfig, pebbleHttp, pebbleIssuerYaml, redisClient, startResponder, trustPebble, type ManagerFixture } from '../testing/certs-fixture.js';
import { accountKeyOf } from './account-registry.js';

describe('ACME call limit: two replicas, one CA + account, 6 calls per 3 s', () => {
  const limit = 6;
  const windowMs = 3000;
  const names = ['c1', 'c2', 'c3', 'c4', 'c5'];
  const encryptionKey = randomBytes(32);
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let standIn: AcmeStandIn;
  let responder: Server;
  let fixture: ManagerFixture;
  let service: ServiceHandle;
  let dir: string;
  let inProcessCalls = 0;
  let closeLimiterRedis = (): void => {};

  beforeAll(async () => {
    redis = await startRedis();
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    standIn = await startAcmeStandIn(pebble);
    const yaml = pebbleIssuerYaml(standIn.directoryUrl) + names.map(certificateYaml).join('');
    const caPem = [pebble.caBundlePem, pebble.issuingRootPem, standIn.caPem].join('\n');
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-call-limit-'));
    writeFileSync(join(dir, 'certs.yaml'), yaml);
    writeFileSync(join(dir, 'ca.pem'), caPem);
    // The service's defaults for the Redis and queue prefixes, so both replicas share everything.
    const limiterRedis = redisClient(redis.url);
    const http = pebbleHttp(
      pebble,
      { limiter: new RedisAcmeCallLimiter({ redis: limiterRedis, prefix: 'gatehouse:certs:', limit, windowMs }), onRequest: () => inProcessCalls++ },
      standIn.caPem,
    );
    fixture = createManager(redis.url, yaml, { prefix: 'gatehouse:certs:', queuePrefix: '{gatehouse}', encryptionKey, ...trustPebble(pebble, standIn.caPem), http, concurrency: 2 });
    closeLimiterRedis = () => limiterRedis.disconnect();
    responder = await startResponder(fixture.store, httpPort);
  });

  afterAll(async () => {
    await service?.stop();
    await fixture?.close();
    closeLimiterRedis();
    responder?.close();
    standIn?.close();
    await pebble?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('issues every certificate while no window of 3 s holds more than 6 requests at the CA', { timeout: 150_000 }, async () => {
    service = await startService('certs', {
      REDIS_URL: redis.url,
      HTTP_PORT: '0',
      CERTS_CONFIG_PATH: dir,
      ACME_CA_CERTS: join(dir, 'ca.pem'),
      CERTS_ENCRYPTION_KEY: encryptionKey.toString('base64'),
      CERTS_ACME_CALLS_PER_WINDOW: String(limit),
      CERTS_ACME_CALLS_WINDOW_MS: String(windowMs),
      CERTS_ORDER_CONCURRENCY: '2',
      LOG_LEVEL: 'warn',
    });
    await fixture.manager.reconcile();
    await eventually('every certificate issued', async () => {
      const states = await fixture.store.getStates(names.map((n) => `default/${n}`));
      return [...states.values()].filter((s) => s.revision >= 1).length === names.length ? true : undefined;
    }, 130_000);

    const arrivals = standIn.requests.map((r) => r.at);
    // At least directory, nonce, and per certificate newOrder, authorization, finalize, certificate.
    expect(arrivals.length).toBeGreaterThan(2 + 4 * names.length);
    expect(busiestWindow(arrivals, windowMs).count).toBeLessThanOrEqual(limit);
    // Both replicas called the CA: the limit held across processes, not just inside one.
    expect(inProcessCalls).toBeGreaterThan(0);
    expect(inProcessCalls).toBeLessThan(arrivals.length);
  });

  it('signs with the Replay-Nonce of earlier answers, so few requests are spent on newNonce', () => {
    const signed = standIn.requests.filter((r) => r.method === 'POST').length;
    const nonceRequests = standIn.requests.filter((r) => r.method === 'HEAD').length;
    expect(signed).toBeGreaterThan(4 * names.length);
    // acme-client alone asks newNonce before every signed request.
    expect(nonceRequests).toBeLessThan(signed / 3);
  });
});

describe('a 429 with Retry-After pauses the CA + account order queue on every replica', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let standIn: AcmeStandIn;
  let responder: Server;
  let replicas: ManagerFixture[] = [];

  beforeEach(async () => {
    redis = await startRedis();
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    standIn = await startAcmeStandIn(pebble);
    const yaml = pebbleIssuerYaml(standIn.directoryUrl) + certificateYaml('first');
    replicas = [0, 1].map(() => createManager(redis.url, yaml, { prefix: 'paused:', ...trustPebble(pebble, standIn.caPem), concurrency: 1 }));
    responder = await startResponder(replicas[0]!.store, httpPort);
  });

  afterEach(async () => {
    for (const r of replicas) await r.close();
    responder?.close();
    standIn?.close();
    await pebble?.stop();
    await redis?.stop();
  });

  it('starts no other order for that CA + account until Retry-After has passed', { timeout: 60_000 }, async () => {
    const retryAfterSeconds = 4;
    standIn.rateLimitNext = { count: 1, retryAfterSeconds };
    const [one, two] = replicas as [ManagerFixture, ManagerFixture];
    await one.manager.reconcile();
    const failed = await eventually('the rate-limited order of "first"', async () => {
      const state = await one.store.getState('default/first');
      return state?.failures ? state : undefined;
    });
    expect(failed.lastFailureMessage).toMatch(/^GH_CERTS_ACME_RATE_LIMITED: /);
    const rateLimitedAt = standIn.requests.find((r) => r.method === 'POST' && r.path.startsWith('/order-plz'))!.at;

    // The queue's BullMQ limiter key holds the pause, for every worker on every replica.
    const set = parseConfig(pebbleIssuerYaml(standIn.directoryUrl) + certificateYaml('second'));
    const limiterKey = `paused:bull:certs-orders-${accountKeyOf([...set.issuers.values()][0]!)}:limiter`;
    const pauseMs = await one.redis.pttl(limiterKey);
    expect(pauseMs).toBeGreaterThan(0);
    expect(pauseMs).toBeLessThanOrEqual(retryAfterSeconds * 1000);

    // Another certificate of the same CA + account, accepted by the other replica, waits it out.
    await two.manager.acceptWanted(set.certificates.get('default/second')!);
    await eventually('"second" issued after the pause', async () => ((await two.store.getState('default/second'))?.revision === 1 ? true : undefined), 40_000);
    const orders = standIn.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/order-plz'));
    expect(orders.length).toBeGreaterThanOrEqual(2);
    for (const later of orders.slice(1)) expect(later.at).toBeGreaterThanOrEqual(rateLimitedAt + retryAfterSeconds * 1000);
    // "first" itself waits for its own backoff (1 min), not just the pause.
    expect((await one.store.getState('default/first'))?.revision).toBe(0);
  });
});
