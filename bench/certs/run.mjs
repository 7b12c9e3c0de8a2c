#!/usr/bin/env node
// bench/certs: (1) 100 concurrent orders against Pebble (PEBBLE_VA_ALWAYS_VALID=1, default chaos
// on) through the certs service's own machinery (BullMQ queue, order lease, encrypted store,
// fan-out), against a baseline of the same 100 orders made with bare acme-client in the same run;
// (2) a few orders at the default ACME call limit (20 requests per 1 s per CA + account): total
// time, requests and the fullest 1 s window; (3) memory and scheduling cost of 10,000 managed
// certificates, against 100 as the baseline.
// Needs `pnpm build`. Prints ratios; the target is 0 failures.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

import { X509Certificate } from 'node:crypto';
import { startPebble, startRedis } from '@gatehouse/e2e';

// acme-client, ioredis and yaml are dependencies of services/certs, not of the bench package.
const requireFromCerts = createRequire(new URL('../../services/certs/package.json', import.meta.url));
const acme = requireFromCerts('acme-client');
const { Redis } = requireFromCerts('ioredis');
const { parseAllDocuments } = requireFromCerts('yaml');

const dist = new URL('../../services/certs/dist/', import.meta.url);
const { AcmeHttp } = await import(new URL('adapters/acme-http.js', dist));
const { RedisAcmeCallLimiter } = await import(new URL('adapters/acme-call-limiter.js', dist));
const { busiestWindow } = await import(new URL('core/busiest-window.js', dist));
const { CertStore } = await import(new URL('adapters/cert-store.js', dist));
const { OrderLock } = await import(new URL('adapters/order-lock.js', dist));
const { IssuedPublisher } = await import(new URL('adapters/issued-publisher.js', dist));
const { dnsProviderFor } = await import(new URL('adapters/dns/provider-for.js', dist));
const { buildResourceSet } = await import(new URL('core/resource-model.js', dist));
const { certificateId } = await import(new URL('core/resources.js', dist));
const { CertificateManager } = await import(new URL('workflow/certificate-manager.js', dist));
const { controlKeyring } = await import('@gatehouse/contracts');
/** Order jobs and CertificateIssued are sealed with the control key, as in the service. */
const keyring = controlKeyring(randomBytes(32));

/** An ACME HTTP layer trusting Pebble; with `limiter`, every request takes a call slot first (as service.ts wires it). */
function pebbleHttp(pebble, options = {}) {
  return new AcmeHttp({ extraCaPem: `${pebble.caBundlePem}\n${pebble.issuingRootPem}`, ...options });
}

/** The certs service's machinery (what service.ts wires), on its own Redis key prefix. */
function createManager(redisUrl, yamlText, { prefix, http, pebble, ...options }) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const store = new CertStore({ redis, prefix, encryptionKey: Buffer.alloc(32, 7) });
  const manager = new CertificateManager({
    http: http ?? pebbleHttp(pebble),
    connection: redis,
    keyring,
    store,
    lock: new OrderLock({ redis, prefix }),
    publisher: new IssuedPublisher(redis, keyring, `${prefix}issued`),
    dnsProviderFor,
    queuePrefix: `${prefix}bull`,
    ...options,
  });
  manager.setConfig(buildResourceSet(parseAllDocuments(yamlText).map((d) => ({ file: 'bench.yaml', doc: d.toJS() }))));
  return {
    manager,
    store,
    redis,
    close: async () => {
      await manager.close();
      redis.disconnect();
    },
  };
}

const ORDERS = Number(process.env.BENCH_CERTS_ORDERS ?? 100);
const DEFAULT_LIMIT_ORDERS = Number(process.env.BENCH_CERTS_DEFAULT_LIMIT_ORDERS ?? 3);
// High enough never to hold a call back: the limiter still runs (one Redis script per request).
const FAST_CALL_LIMIT = 100_000;
const MANAGED = Number(process.env.BENCH_CERTS_MANAGED ?? 10_000);
const poll = { minMs: 250, maxMs: 2000, attempts: 30 };

const issuerYaml = (server, account = 'bench-account') => `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble }
spec:
  acme:
    server: ${server}
    privateKeySecretRef: { name: ${account} }
    solvers: [{ http01: {} }]
`;

const certificate = (i) => ({
  namespace: 'bench',
  name: `c${i}`,
  secretName: `c${i}-tls`,
  dnsNames: [`c${i}.bench.test`],
  issuerRef: { name: 'pebble', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
  source: 'bench',
});

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

async function baselineOrders(pebble, http) {
  const client = new acme.Client({
    directoryUrl: pebble.directoryUrl,
    accountKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    backoffMin: poll.minMs,
    backoffMax: poll.maxMs,
    backoffAttempts: poll.attempts,
  });
  await http.withCallKey('baseline', () => client.createAccount({ termsOfServiceAgreed: true }));
  let failures = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: ORDERS }, async (_, i) => {
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
      const [, csr] = await acme.crypto.createCsr({ altNames: [`base${i}.bench.test`] }, key);
      try {
        await http.withCallKey('baseline', () => client.auto({ csr, challengePriority: ['http-01'], skipChallengeVerification: true, termsOfServiceAgreed: true, challengeCreateFn: async () => {}, challengeRemoveFn: async () => {} }));
      } catch {
        failures++;
      }
    }),
  );
  return { ms: performance.now() - start, failures };
}

/**
 * `count` orders through the certs service's machinery. callsPerWindow: the ACME call limit per
 * callsWindowMs per CA + account; ordersPerWindow: the order queue's limit per 10 s; defaultPolling:
 * the service's own status polling (250 ms, growing to 10 s) instead of the bench's.
 */
async function serviceOrders(pebble, redis, { count, prefix, account, callsPerWindow, callsWindowMs = 10_000, ordersPerWindow, defaultPolling = false }) {
  const calls = [];
  const limiterRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
  const http = pebbleHttp(pebble, {
    limiter: new RedisAcmeCallLimiter({ redis: limiterRedis, prefix, limit: callsPerWindow, windowMs: callsWindowMs }),
    onRequest: (o) => calls.push(Date.now() - o.durationMs),
  });
  const fixture = createManager(redis.url, issuerYaml(pebble.directoryUrl, account), {
    http,
    trustedRoots: [new X509Certificate(pebble.issuingRootPem)],
    prefix,
    ...(defaultPolling ? {} : { poll }),
    concurrency: count,
    ordersPerWindow,
  });

  const certs = Array.from({ length: count }, (_, i) => certificate(i));
  fixture.manager.catalog.setWanted(certs);
  const start = performance.now();
  await fixture.manager.reconcile();
  const ids = certs.map(certificateId);
  let states;
  for (;;) {
    states = await fixture.store.getStates(ids);
    const settled = ids.filter((id) => states.get(id)?.revision >= 1 || states.get(id)?.failures > 0).length;
    if (settled === ids.length || performance.now() - start > 300_000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ms = performance.now() - start;
  const issued = ids.filter((id) => states.get(id)?.revision >= 1).length;
  const failureMessages = ids.map((id) => states.get(id)?.lastFailureMessage).filter(Boolean);
  await fixture.close();
  limiterRedis.disconnect();
  return { ms, failures: count - issued, failureMessages, calls: calls.length, busiest: busiestWindow(calls, callsWindowMs).count };
}

async function redisCommands(redisClient) {
  const info = await redisClient.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Scheduling cost: reconcile N certificates that all hold a valid certificate, then sit idle. */
async function scheduling(pebble, redis, count, label) {
  const fixture = createManager(redis.url, issuerYaml(pebble.directoryUrl), { prefix: `bench-${label}:`, poll, pebble });
  const certs = Array.from({ length: count }, (_, i) => certificate(i));
  const now = Date.now();
  // Issued state without ordering: renewal times spread over the next 60 days.
  for (let i = 0; i < certs.length; i += 1000) {
    const pipeline = fixture.redis.pipeline();
    for (const cert of certs.slice(i, i + 1000)) {
      const renewalTime = now + 3600_000 + Math.floor(Math.random() * 60 * 86_400_000);
      pipeline.hset(fixture.store.stateKey(certificateId(cert)), {
        revision: '1',
        notBefore: String(now),
        notAfter: String(now + 90 * 86_400_000),
        renewalTime: String(renewalTime),
        renewalBasis: 'fallback',
        dnsNames: JSON.stringify(cert.dnsNames),
        failures: '0',
      });
    }
    await pipeline.exec();
  }
  // As if every certificate had come in as a CertificateWanted (stored in Redis for all replicas).
  for (let i = 0; i < certs.length; i += 1000) {
    const pipeline = fixture.redis.pipeline();
    for (const cert of certs.slice(i, i + 1000)) pipeline.hset(`bench-${label}:wanted`, certificateId(cert), JSON.stringify(cert));
    await pipeline.exec();
  }
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  await fixture.manager.catalog.loadWanted();
  await fixture.manager.reconcile();
  const reconcileMs = performance.now() - t0;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  const statuses = await fixture.manager.listStatuses();
  const listMs = performance.now() - t1;
  // Idle: nothing is due; count what Redis does in 5 s (the worker's blocking waits, no scans).
  const before = await redisCommands(fixture.redis);
  await new Promise((r) => setTimeout(r, 5000));
  const idleCommands = (await redisCommands(fixture.redis)) - before;
  const delayed = await fixture.redis.zcard(`bench-${label}:bull:${(await fixture.redis.keys(`bench-${label}:bull:*:delayed`))[0]?.split(':')[2] ?? ''}:delayed`);
  await fixture.close();
  return { count, reconcileMs, listMs, heapBytes: heapAfter - heapBefore, idleCommands, listed: statuses.length, delayed };
}

const redis = await startRedis();
const pebble = await startPebble({ alwaysValid: true });
try {
  let baselineRequests = 0;

  console.log(`Pebble (PEBBLE_VA_ALWAYS_VALID=1, 5% badNonce, 50% authz reuse); ${ORDERS} concurrent orders`);
  const base = await baselineOrders(pebble, pebbleHttp(pebble, { onRequest: () => baselineRequests++ }));
  console.log(`  baseline, bare acme-client auto():  ${fmt(base.ms)}  failures ${base.failures}  ${baselineRequests} requests (a newNonce before every signed one)`);
  // The production default (10 orders per 10 s) would make this a test of the limiters.
  const svc = await serviceOrders(pebble, redis, { count: ORDERS, prefix: 'bench-orders:', callsPerWindow: FAST_CALL_LIMIT, ordersPerWindow: 10_000 });
  console.log(`  certs service (queue+lease+store):  ${fmt(svc.ms)}  failures ${svc.failures}  ratio ${(svc.ms / base.ms).toFixed(2)}x baseline`);
  console.log(`    ACME call limit ${FAST_CALL_LIMIT} per 10 s (limiter on, never full): ${svc.calls} requests (spare Replay-Nonces reused)`);
  for (const m of [...new Set(svc.failureMessages)].slice(0, 5)) console.log(`    failure: ${m}`);

  console.log(`\n${DEFAULT_LIMIT_ORDERS} concurrent orders at the service's defaults (20 ACME requests per 1 s and 10 orders per 10 s per CA + account, a new account, status polled at once, then from 100 ms)`);
  const slow = await serviceOrders(pebble, redis, { count: DEFAULT_LIMIT_ORDERS, prefix: 'bench-default:', account: 'bench-default-account', callsPerWindow: 20, callsWindowMs: 1000, ordersPerWindow: 10, defaultPolling: true });
  console.log(
    `  total ${fmt(slow.ms)}  failures ${slow.failures}  ${slow.calls} requests (${(slow.calls / DEFAULT_LIMIT_ORDERS).toFixed(1)} per order, account set-up included), ` +
      `fullest 1 s window ${slow.busiest} requests, ${fmt(slow.ms / DEFAULT_LIMIT_ORDERS)} per order`,
  );
  for (const m of [...new Set(slow.failureMessages)].slice(0, 5)) console.log(`    failure: ${m}`);

  console.log(`\nScheduling ${MANAGED} managed certificates (all valid, renewals spread over 60 days)`);
  const small = await scheduling(pebble, redis, 100, 'small');
  const large = await scheduling(pebble, redis, MANAGED, 'large');
  for (const r of [small, large]) {
    console.log(
      `  ${String(r.count).padStart(6)} certs: reconcile ${r.reconcileMs.toFixed(0)} ms (${((r.reconcileMs / r.count) * 1000).toFixed(0)} µs/cert), ` +
        `GET /certificates (${r.listed} listed) ${r.listMs.toFixed(0)} ms, heap +${mb(r.heapBytes)}, delayed jobs ${r.delayed}, Redis commands while idle 5 s: ${r.idleCommands}`,
    );
  }
  console.log(
    `  ratio ${MANAGED}/100: reconcile per cert ${((large.reconcileMs / large.count) / (small.reconcileMs / small.count)).toFixed(2)}x, ` +
      `idle Redis commands ${(large.idleCommands / Math.max(1, small.idleCommands)).toFixed(2)}x (checking cost follows due certificates, not all)`,
  );
  if (svc.failures > 0 || slow.failures > 0 || slow.busiest > 20) process.exitCode = 1;
} finally {
  await pebble.stop();
  await redis.stop();
}
