// Fault drill: Redis is SIGKILLed under load and restarted on the same port and data (AOF). What each service
// answers during the outage, how long the gateway takes to recover, and that nothing is lost: rate-limit
// counters continue, the OIDC session stays valid, the published config is still served, and every
// CertificateWanted job enqueued before or during the outage is processed (jobs lost = 0).
// Measurements are printed with console.info; only behaviour is asserted (no timing assertions).
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateWantedCodec, QueueNames, SealedUses } from '@gatehouse/contracts';
import { connectRedis, type RedisConnection } from '@gatehouse/kit';
import { createQueue } from '@gatehouse/kit/queue';
import { testSealedCodec } from '@gatehouse/kit/testing';
import {
  envoy,
  freePort,
  startGateway,
  startOidcProvider,
  startPebble,
  startRedis,
  startService,
  waitFor,
  type GatewayHandle,
  type OidcProviderHandle,
  type PebbleHandle,
  type RedisHandle,
  type ServedSnapshot,
  type ServiceHandle,
} from '../harness/index.js';
import { AnswerTally, cookiesOf, createCountingPeers, envoyFilterTimeoutsMs, formatMeasurements, readRemaining, type CountingPeers } from '../harness/drill-peers.js';

const LISTENER = 8080;
const NODE_CLUSTER = 'default/edge';
const CALLBACK = 'http://localhost/app/oauth2/callback';
/** Budget of the Redis part of one rate-limit check (RATELIMIT_REDIS_TIMEOUT_MS). */
const RATELIMIT_BUDGET_MS = 50;
/**
 * Envoy's wait for a rate-limit answer (xds RATELIMIT_TIMEOUT_MS): it must exceed the budget plus the
 * call itself. The defaults pair 20 ms with a 10 ms budget; a shared CI machine gets 50 ms and 200 ms.
 */
const ENVOY_RATELIMIT_TIMEOUT_MS = 200;
const OUTAGE_LOAD_MS = 3_000;
// DRILL_LONG_OUTAGE_MS changes it (15 s passed even before xds retried failed publications: ioredis retries queued commands that long).
const LONG_OUTAGE_MS = Number(process.env.DRILL_LONG_OUTAGE_MS ?? 45_000);
const BASIC = `Basic ${Buffer.from('admin:password').toString('base64')}`;
const jwtKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWKS = JSON.stringify({ keys: [{ ...jwtKeys.publicKey.export({ format: 'jwk' }), kid: 'drill', alg: 'RS256', use: 'sig' }] });

/** An RS256 token the /jwt policy accepts (valid for an hour). */
function signJwt(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'drill' })}.${part({ iss: 'https://issuer.drill.example', aud: 'drill-api', sub: 'drill', iat: now, exp: now + 3600 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), jwtKeys.privateKey).toString('base64url')}`;
}
const BEARER = `Bearer ${signJwt()}`;

let redis: RedisHandle;
let oidc: OidcProviderHandle;
let pebble: PebbleHandle;
let gw: GatewayHandle;
let denyRatelimit: ServiceHandle;
let allowPeers: CountingPeers;
let denyPeers: CountingPeers;
let envoyTimeouts: { authz: number; ratelimit: number };
let configDir: string;
let certsDir: string;
const connections: Array<Redis | RedisConnection> = [];
/** Left by the kill drill for the hang drill. */
let loggedIn: { snapshot: ServedSnapshot; session: string } | undefined;

async function writeFixture(dir: string, name: string, replacements: Record<string, string>): Promise<void> {
  let text = await readFile(new URL(`./drill-redis-outage/${name}`, import.meta.url), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.replaceAll(from, to);
  await writeFile(join(dir, name), text);
}

beforeAll(async () => {
  redis = await startRedis({ appendOnly: true });
  oidc = await startOidcProvider({ client: { redirectUris: [CALLBACK] } });
  const http01Port = await freePort();
  pebble = await startPebble({ httpPort: http01Port });
  configDir = await mkdtemp(join(tmpdir(), 'gh-drill-redis-gw-'));
  certsDir = await mkdtemp(join(tmpdir(), 'gh-drill-redis-certs-'));
  await writeFixture(configDir, 'gateway.yaml', {
    __OIDC_ISSUER__: oidc.issuer,
    __OIDC_CLIENT_SECRET_B64__: Buffer.from(oidc.client.clientSecret).toString('base64'),
    __JWKS__: JWKS,
  });
  await writeFixture(certsDir, 'issuer.yaml', { __ACME_SERVER__: pebble.directoryUrl });
  await writeFile(join(certsDir, 'ca.pem'), [pebble.caBundlePem, pebble.issuingRootPem].join('\n'));
  const ratelimitEnv = { RATELIMIT_REDIS_TIMEOUT_MS: String(RATELIMIT_BUDGET_MS) };
  gw = await startGateway({
    configDir,
    nodeCluster: NODE_CLUSTER,
    // The drill's counting peers dial authz and ratelimit in plaintext.
    transport: 'plaintext',
    redis,
    env: {
      xds: { RATELIMIT_TIMEOUT_MS: String(ENVOY_RATELIMIT_TIMEOUT_MS) },
      ratelimit: { ...ratelimitEnv, RATELIMIT_FAILURE_MODE: 'allow' },
      authz: { AUTHZ_COOKIE_SECRET: 'drill-cookie-secret-drill-cookie-secret-0123' },
      certs: { HTTP_PORT: String(http01Port), CERTS_CONFIG_PATH: join(certsDir, 'issuer.yaml'), ACME_CA_CERTS: join(certsDir, 'ca.pem') },
    },
  });
  // A second ratelimit replica with the other failure mode, on the same Redis and published config.
  denyRatelimit = await startService('ratelimit', { REDIS_URL: redis.url, LOG_LEVEL: 'warn', ...ratelimitEnv, RATELIMIT_FAILURE_MODE: 'deny' });
  // Judge answers with Envoy's own deadlines for the ext_authz and ratelimit calls, as xds serves them.
  envoyTimeouts = envoyFilterTimeoutsMs(await gw.snapshot(), LISTENER);
  allowPeers = createCountingPeers({ authz: gw.service('authz').grpcAddress, ratelimit: gw.service('ratelimit').grpcAddress }, envoyTimeouts);
  denyPeers = createCountingPeers({ authz: gw.service('authz').grpcAddress, ratelimit: denyRatelimit.grpcAddress }, envoyTimeouts);
}, 90_000);

afterAll(async () => {
  allowPeers?.close();
  denyPeers?.close();
  for (const c of connections) c.disconnect();
  await denyRatelimit?.stop();
  await gw?.stop();
  await pebble?.stop();
  await oidc?.stop();
  await redis?.stop();
  for (const dir of [configDir, certsDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

function request(snapshot: ServedSnapshot, peers: CountingPeers, path: string, headers: Record<string, string> = {}) {
  return envoy.emulateRequest(snapshot, LISTENER, { method: 'GET', host: 'localhost', path, headers, clientAddress: '192.0.2.10' }, peers);
}

const browser = { accept: 'text/html' };

/** Logs in through the emulated Envoy + authz + the OIDC provider; returns the session cookie header. */
async function login(snapshot: ServedSnapshot): Promise<string> {
  const start = await request(snapshot, allowPeers, '/app/orders', browser);
  expect(start.status, start.body).toBe(302);
  const callback = await oidc.login(start.headers.location!);
  const back = await request(snapshot, allowPeers, `${callback.pathname}${callback.search}`, { ...browser, cookie: cookiesOf(start.headers['set-cookie']) });
  expect(back.status, back.body).toBe(302);
  return cookiesOf(back.headers['set-cookie']);
}

function wanted(name: string) {
  // Sealed as xds seals it (the services run with this test process's control key).
  return testSealedCodec(certificateWantedCodec, SealedUses.job()).toJobData({
    namespace: 'drill',
    name,
    secret_name: `${name}-tls`,
    dns_names: [`${name}.drill.example.test`],
    issuer_ref: { name: 'pebble', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    source: 'drill-redis-outage',
  });
}

const LOAD_LABELS = [
  'ratelimit allow-mode /limited',
  'ratelimit deny-mode /limited',
  'authz basicAuth, good password',
  'authz basicAuth, no password',
  'authz JWT (local JWKS), valid token',
  'authz OIDC, new browser',
  'authz OIDC, with session',
] as const;

/** Rounds of one request per behaviour, until OUTAGE_LOAD_MS after `since`; answers by HTTP status [code]. */
async function loadDuring(snapshot: ServedSnapshot, session: string, since: number): Promise<{ tally: AnswerTally; rounds: number }> {
  const tally = new AnswerTally();
  let rounds = 0;
  while (performance.now() - since < OUTAGE_LOAD_MS) {
    rounds += 1;
    const answers = await Promise.all([
      request(snapshot, allowPeers, '/limited'),
      request(snapshot, denyPeers, '/limited'),
      request(snapshot, allowPeers, '/basic', { authorization: BASIC }),
      request(snapshot, allowPeers, '/basic'),
      request(snapshot, allowPeers, '/jwt', { authorization: BEARER }),
      request(snapshot, allowPeers, '/app/orders', browser),
      request(snapshot, allowPeers, '/app/orders', { ...browser, cookie: session }),
    ]);
    answers.forEach((a, i) => tally.add(LOAD_LABELS[i]!, a.status >= 500 ? `${a.status} ${a.body.match(/GH_[A-Z_]+/)?.[0] ?? ''}` : a.status));
  }
  return { tally, rounds };
}

describe('Redis SIGKILLed under load, then restarted with its AOF', () => {
  it('answers per failure mode, fails closed where Redis is needed, keeps serving xds, and loses nothing', async () => {
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    probe.on('error', () => undefined);
    connections.push(probe);
    const snapshot = await waitFor(async () => {
      const s = await gw.snapshot();
      const answer = await request(s, allowPeers, '/limited');
      return answer.status === 200 && allowPeers.lastRateLimit?.statuses?.[0]?.current_limit ? s : undefined;
    }, { timeoutMs: 20_000, description: 'the rate limit of /limited to be applied' });

    // --- Before: every path works; note the counter, log in, enqueue jobs.
    // deny mode also answers 429 when one check overruns its Redis budget on a busy machine: retry.
    const limited = await waitFor(async () => {
      const answer = await request(snapshot, denyPeers, '/limited');
      return answer.status === 200 ? answer : undefined;
    }, { timeoutMs: 10_000, description: 'deny-mode ratelimit to allow /limited' });
    // 1000 hits at once, so a counter reset to a fresh window could not pass for "continued".
    const remainingBefore = await readRemaining(denyPeers, { ...limited.sent.rateLimit, hits_addend: 1000 });
    const limit = Number(denyPeers.lastRateLimit?.statuses?.[0]?.current_limit?.requests_per_unit);
    expect(remainingBefore).toBeLessThanOrEqual(limit - 1000);
    expect((await request(snapshot, allowPeers, '/basic', { authorization: BASIC })).status).toBe(200);
    expect((await request(snapshot, allowPeers, '/jwt', { authorization: BEARER })).status).toBe(200);
    const session = await login(snapshot);
    loggedIn = { snapshot, session };
    expect((await request(snapshot, allowPeers, '/app/orders', { ...browser, cookie: session })).status).toBe(200);
    const queueConnection = connectRedis(redis.url, { options: { maxRetriesPerRequest: null } });
    queueConnection.on('error', () => undefined);
    connections.push(queueConnection);
    const queue = createQueue(QueueNames.certificateWanted, queueConnection);
    queue.on('error', () => undefined);
    const before = ['before-1', 'before-2'];
    for (const name of before) await queue.add('wanted', wanted(name), { jobId: `drill-${name}` });
    const versionsBefore = snapshot.versions;

    // --- Outage: SIGKILL, then load for a few seconds on every path.
    allowPeers.resetCounts();
    denyPeers.resetCounts();
    const issuedKey = 'gatehouse:certificates:issued:latest';
    await probe.connect();
    const issuedAtKill = (await probe.hkeys(issuedKey)).filter((k) => k.startsWith('drill/')).length;
    await redis.kill();
    const killedAt = performance.now();
    const during = ['during-1', 'during-2'];
    // Added while Redis is down: BullMQ's connection queues the commands until it reconnects.
    const duringAdds = during.map((name) => queue.add('wanted', wanted(name), { jobId: `drill-${name}` }));
    const snapshotDuring = await gw.snapshot();
    const { tally, rounds } = await loadDuring(snapshot, session, killedAt);
    const outageCalls = { authz: allowPeers.calls.check, allow: allowPeers.calls.shouldRateLimit, deny: denyPeers.calls.shouldRateLimit };

    // --- Recovery: restart Redis (same port, same AOF) and wait until every Redis-backed answer is back.
    await redis.restart();
    const restartedAt = performance.now();
    await waitFor(async () => (await request(snapshot, denyPeers, '/limited')).status === 200, { timeoutMs: 30_000, description: 'deny-mode ratelimit to allow again' });
    const rateLimitRecoveredMs = Math.round(performance.now() - restartedAt);
    await waitFor(async () => (await request(snapshot, allowPeers, '/app/orders', { ...browser, cookie: session })).status === 200, {
      timeoutMs: 30_000,
      description: 'the OIDC session to be accepted again',
    });
    const authzRecoveredMs = Math.round(performance.now() - restartedAt);
    await Promise.all(duringAdds);
    const names = [...before, ...during];
    const issued = await waitFor(
      async () => {
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
        const keys = await probe.hkeys(issuedKey).catch(() => [] as string[]);
        return names.every((n) => keys.includes(`drill/${n}`)) ? keys : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: `certificates ${names.join(', ')} to be issued` },
    );
    const jobsIssuedMs = Math.round(performance.now() - restartedAt);
    const counts = await queue.getJobCounts('failed', 'completed', 'waiting', 'active', 'delayed');
    const remainingAfter = await readRemaining(denyPeers, limited.sent.rateLimit);
    const versionsAfter = (await gw.snapshot()).versions;
    // The policies authz loaded (from the xds publication) still apply once Redis is back.
    expect((await request(snapshot, allowPeers, '/basic', { authorization: BASIC })).status).toBe(200);
    expect((await request(snapshot, allowPeers, '/jwt', { authorization: BEARER })).status).toBe(200);
    await queue.close();

    console.info(
      [
        tally.format(`drill-redis-outage: answers during ${OUTAGE_LOAD_MS} ms of Redis down (${rounds} rounds; HTTP status [code])`),
        formatMeasurements('drill-redis-outage: measurements', {
          'gRPC authz Check ok / failed': `${outageCalls.authz.ok} / ${JSON.stringify(outageCalls.authz.failed)}`,
          'gRPC ratelimit (allow) ok / failed / slowest': `${outageCalls.allow.ok} / ${JSON.stringify(outageCalls.allow.failed)} / ${outageCalls.allow.slowestMs} ms`,
          'gRPC ratelimit (deny) ok / failed / slowest': `${outageCalls.deny.ok} / ${JSON.stringify(outageCalls.deny.failed)} / ${outageCalls.deny.slowestMs} ms`,
          'RATELIMIT_REDIS_TIMEOUT_MS': RATELIMIT_BUDGET_MS,
          'Envoy timeouts served (ext_authz / ratelimit)': `${envoyTimeouts.authz} ms / ${envoyTimeouts.ratelimit} ms`,
          'xds versions during outage == before': String(JSON.stringify(snapshotDuring.versions) === JSON.stringify(versionsBefore)),
          'recovery: ratelimit after restart': `${rateLimitRecoveredMs} ms`,
          'recovery: OIDC session accepted after restart': `${authzRecoveredMs} ms`,
          'jobs: all issued after restart': `${jobsIssuedMs} ms`,
          'jobs enqueued (before / during)': `${before.length} / ${during.length}`,
          'jobs already done when Redis was killed': issuedAtKill,
          'jobs lost': names.filter((n) => !issued.includes(`drill/${n}`)).length,
          'job counts after': JSON.stringify(counts),
          'ratelimit remaining before -> after': `${remainingBefore} -> ${remainingAfter}`,
        }),
      ].join('\n'),
    );

    // Rate limit: each failure mode answers as configured, every call returned (no gRPC error, nothing hung).
    expect(tally.count('ratelimit allow-mode /limited', 200)).toBe(rounds);
    expect(tally.count('ratelimit deny-mode /limited', 429)).toBe(rounds);
    expect(outageCalls.allow.failed).toEqual({});
    expect(outageCalls.deny.failed).toEqual({});
    expect(outageCalls.authz.failed).toEqual({});
    // authz: basicAuth does not need Redis per request; OIDC does and fails closed with a stable code.
    expect(tally.count('authz basicAuth, good password', 200)).toBe(rounds);
    expect(tally.count('authz basicAuth, no password', 401)).toBe(rounds);
    expect(tally.count('authz JWT (local JWKS), valid token', 200)).toBe(rounds);
    expect(tally.count('authz OIDC, new browser', '503 GH_AUTHZ_REDIS_UNAVAILABLE')).toBe(rounds);
    expect(tally.count('authz OIDC, with session', '503 GH_AUTHZ_REDIS_UNAVAILABLE')).toBe(rounds);
    // xds keeps serving its last snapshot, and the same one after Redis is back.
    expect(snapshotDuring.versions).toEqual(versionsBefore);
    expect(versionsAfter).toEqual(versionsBefore);
    // Nothing lost: the counter continued from where it was (not reset to a fresh window), every job done.
    expect(remainingAfter).toBeLessThan(remainingBefore);
    expect(remainingAfter).toBeGreaterThan(remainingBefore - 1000);
    expect(issued).toEqual(expect.arrayContaining(names.map((n) => `drill/${n}`)));
    expect(counts.failed).toBe(0);
  }, 240_000);
  it('answers the same way when Redis hangs (SIGSTOP) instead of refusing, and every call still returns', async () => {
    expect(loggedIn, 'runs after the SIGKILL drill, which logs in').toBeDefined();
    const { snapshot, session } = loggedIn!;
    allowPeers.resetCounts();
    denyPeers.resetCounts();
    redis.pause();
    const pausedAt = performance.now();
    let load: Awaited<ReturnType<typeof loadDuring>>;
    try {
      load = await loadDuring(snapshot, session, pausedAt);
    } finally {
      redis.resume();
    }
    const calls = { authz: allowPeers.calls.check, allow: allowPeers.calls.shouldRateLimit, deny: denyPeers.calls.shouldRateLimit };
    const resumedAt = performance.now();
    await waitFor(async () => (await request(snapshot, allowPeers, '/app/orders', { ...browser, cookie: session })).status === 200, {
      timeoutMs: 30_000,
      description: 'the OIDC session to be accepted again',
    });
    await waitFor(async () => (await request(snapshot, denyPeers, '/limited')).status === 200, { timeoutMs: 30_000, description: 'deny-mode ratelimit to allow again' });
    const recoveredMs = Math.round(performance.now() - resumedAt);
    const { tally, rounds } = load;
    console.info(
      [
        tally.format(`drill-redis-outage: answers during ${OUTAGE_LOAD_MS} ms of Redis hung by SIGSTOP (${rounds} rounds; HTTP status [code])`),
        formatMeasurements('drill-redis-outage (hang): measurements', {
          'gRPC authz Check ok / failed / slowest': `${calls.authz.ok} / ${JSON.stringify(calls.authz.failed)} / ${calls.authz.slowestMs} ms`,
          'gRPC ratelimit (allow) ok / failed / slowest': `${calls.allow.ok} / ${JSON.stringify(calls.allow.failed)} / ${calls.allow.slowestMs} ms`,
          'gRPC ratelimit (deny) ok / failed / slowest': `${calls.deny.ok} / ${JSON.stringify(calls.deny.failed)} / ${calls.deny.slowestMs} ms`,
          'recovery after SIGCONT (session + ratelimit)': `${recoveredMs} ms`,
          'Envoy timeouts served (ext_authz / ratelimit)': `${envoyTimeouts.authz} ms / ${envoyTimeouts.ratelimit} ms`,
        }),
      ].join('\n'),
    );
    // Every call answered within Envoy's timeouts (a late answer would be DEADLINE_EXCEEDED, and Envoy's own
    // 403 instead of the service's coded answer).
    expect(calls.allow.failed).toEqual({});
    expect(calls.deny.failed).toEqual({});
    expect(calls.authz.failed).toEqual({});
    expect(tally.count('ratelimit allow-mode /limited', 200)).toBe(rounds);
    expect(tally.count('ratelimit deny-mode /limited', 429)).toBe(rounds);
    expect(tally.count('authz basicAuth, good password', 200)).toBe(rounds);
    expect(tally.count('authz JWT (local JWKS), valid token', 200)).toBe(rounds);
    expect(tally.count('authz OIDC, new browser', '503 GH_AUTHZ_REDIS_UNAVAILABLE')).toBe(rounds);
    expect(tally.count('authz OIDC, with session', '503 GH_AUTHZ_REDIS_UNAVAILABLE')).toBe(rounds);
  }, 120_000);
  it('a config change made during a long outage (45 s, past the default ioredis retries) reaches ratelimit once Redis is back', async () => {
    const file = join(configDir, 'gateway.yaml');
    const original = await readFile(file, 'utf8');
    expect(original).toContain('requests: 100000, unit: Day');
    await redis.kill();
    const killedAt = performance.now();
    await writeFile(file, original.replace('requests: 100000, unit: Day', 'requests: 50000, unit: Day'));
    // The limit lives in the ratelimit domain xds publishes over Redis (Envoy's config does not change).
    const xdsOutputBefore = gw.service('xds').output().length;
    // Longer than ioredis' default retries of a queued command (20 reconnect attempts, about 10 s).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, LONG_OUTAGE_MS - (performance.now() - killedAt))));
    const xdsLog = gw.service('xds').output().slice(xdsOutputBefore);
    await redis.restart();
    const restartedAt = performance.now();
    const served = await gw.snapshot();
    const first = await waitFor(
      async () => {
        const answer = await request(served, denyPeers, '/limited');
        return answer.status === 200 ? answer : undefined;
      },
      { timeoutMs: 20_000, description: 'ratelimit to answer after the restart' },
    );
    let limit = 0;
    try {
      await waitFor(
        async () => {
          await readRemaining(denyPeers, first.sent.rateLimit);
          limit = Number(denyPeers.lastRateLimit?.statuses?.[0]?.current_limit?.requests_per_unit);
          return limit === 50_000;
        },
        { timeoutMs: 30_000, intervalMs: 500, description: 'the edited limit (50000/day) to reach ratelimit' },
      );
    } finally {
      console.info(
        formatMeasurements('drill-redis-outage (config change during a long outage)', {
          'outage': `${Math.round(restartedAt - killedAt)} ms`,
          'limit applied by ratelimit after restart': limit,
          'time to apply after restart': `${Math.round(performance.now() - restartedAt)} ms`,
          'xds log during the outage': xdsLog.match(/"msg":"[^"]*"/g)?.slice(0, 3).join(' | ') ?? '(nothing)',
        }),
      );
    }
    expect(limit).toBe(50_000);
  }, 180_000);
});
