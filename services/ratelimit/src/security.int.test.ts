// The ratelimit part of the security suite: one named regression test per attack of issue 13, each
// against a real redis-server (the service in-process through the kit, or the Redis adapter alone).
// README "Security" lists attack -> defence -> the test name here. Codes are literals: they are the
// stable contract, and a test must fail on code that lacks them.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { startService, type RunningService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendRateLimitProtos } from './adapters/proto-extensions.js';
import { RedisCounterStore } from './adapters/redis-counter-store.js';
import type { CounterCheck } from './core/counter-store.js';
import { OverLimitCache } from './core/over-limit-cache.js';
import { loadDomainConfigs, RateLimitConfig } from './core/rate-limit-config.js';
import type { RateLimitMetrics } from './core/rate-limit-metrics.js';
import { RateLimitService } from './core/rate-limit-service.js';
import { RateLimitRequestError } from './errors.js';
import { rateLimitService } from './service.js';

const LIMITS = `domain: sec
descriptors:
  # Hour windows: a window boundary in the middle of a test is practically impossible.
  - key: user
    rate_limit: { unit: hour, requests_per_unit: 3 }
  - key: ip
    rate_limit: { unit: hour, requests_per_unit: 3 }
`;

interface WireResponse {
  overall_code: string;
  statuses: Array<{ code: string; current_limit?: { requests_per_unit: number }; limit_remaining?: number }>;
}
type UnaryCall = (request: object, options: { deadline: number }, callback: (err: ServiceError | null, res: WireResponse) => void) => void;

extendRateLimitProtos();
const RateLimitClient = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.rateLimit), 'RateLimitService');

function shouldRateLimit(client: Client, request: object): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const call = (client as unknown as { ShouldRateLimit: UnaryCall }).ShouldRateLimit.bind(client);
    call(request, { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

const userRequest = (user: string, extra: object = {}) => ({ domain: 'sec', descriptors: [{ entries: [{ key: 'user', value: user }], ...extra }] });
const hourStart = (): number => Math.floor(Date.now() / 3_600_000) * 3600;
const noMetrics: RateLimitMetrics = { rule: () => undefined, domainNotFound: () => undefined, backendError: () => undefined, globalShadowMode: () => undefined };

let redisServer: RedisHandle;
let redis: Redis;
let configDir: string;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.port, redisServer.host);
  configDir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-sec-'));
  writeFileSync(join(configDir, 'sec.yaml'), LIMITS);
});

afterAll(async () => {
  await redis?.quit();
  await redisServer?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

async function startRateLimit(env: Record<string, string> = {}): Promise<{ service: RunningService; client: Client; stop(): Promise<void> }> {
  const service = await startService(rateLimitService, {
    GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
    REDIS_URL: redisServer.url,
    GATEHOUSE_INSECURE_PLAINTEXT: 'true',
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    BIND_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RATELIMIT_REDIS_TIMEOUT_MS: '1000',
    RATELIMIT_CONFIG_PATH: configDir,
    RATELIMIT_REDIS_CONFIG: 'false',
    ...env,
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${service.adminPort}/readyz`)).ok, { timeoutMs: 20_000, description: 'ratelimit to be ready' });
  const client = new RateLimitClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
  return {
    service,
    client,
    async stop() {
      client.close();
      await service.stop();
    },
  };
}

describe('security: the ratelimit service over gRPC', () => {
  let svc: Awaited<ReturnType<typeof startRateLimit>>;
  beforeAll(async () => {
    svc = await startRateLimit();
  });
  afterAll(async () => svc?.stop());

  it('oversized requests: hits_addend 1e19, 10 000 descriptors, 17 entries and a 60 KiB value are INVALID_ARGUMENT and count nothing', async () => {
    const refused = async (request: object, code: string): Promise<void> => {
      const err = await shouldRateLimit(svc.client, request).then(
        () => undefined,
        (e: ServiceError) => e,
      );
      expect(err?.code).toBe(3);
      expect(err?.details).toContain(code);
    };
    await refused(userRequest('bomb-hits', { hits_addend: { value: '10000000000000000000' } }), 'GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
    await refused({ ...userRequest('bomb-hits'), hits_addend: 1_000_001 }, 'GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
    await refused({ domain: 'sec', descriptors: Array.from({ length: 10_000 }, (_, i) => ({ entries: [{ key: 'user', value: `bomb-many-${i}` }] })) }, 'GH_RATELIMIT_TOO_MANY_DESCRIPTORS');
    await refused({ domain: 'sec', descriptors: [{ entries: Array.from({ length: 17 }, () => ({ key: 'user', value: 'bomb-deep' })) }] }, 'GH_RATELIMIT_TOO_MANY_ENTRIES');
    await refused(userRequest('x'.repeat(60 * 1024)), 'GH_RATELIMIT_ENTRY_TOO_LONG');
    expect(await redis.keys('sec_user_bomb*')).toEqual([]);
    expect(await redis.keys('sec_user_xxx*')).toEqual([]);
    // At the bounds the service answers as usual.
    const ok = await shouldRateLimit(svc.client, { domain: 'sec', descriptors: Array.from({ length: 64 }, (_, i) => ({ entries: [{ key: 'user', value: `bound-${i}` }] })) });
    expect(ok.statuses).toHaveLength(64);
    expect(ok.statuses.every((s) => s.current_limit?.requests_per_unit === 3 && s.limit_remaining === 2)).toBe(true);
  });

  it('long values: a value over 64 bytes is stored as sha256:<hex> in the Redis key, a short one in the reference layout', async () => {
    const long = 'L'.repeat(1000); // within RATELIMIT_MAX_ENTRY_BYTES
    await shouldRateLimit(svc.client, { domain: 'sec', descriptors: [{ entries: [{ key: 'ip', value: long }] }, { entries: [{ key: 'ip', value: 'short-value' }] }] });
    const keys = (await redis.keys('sec_ip_*')).sort();
    const start = hourStart();
    const hex = createHash('sha256').update(long).digest('hex');
    expect(keys.filter((k) => k.endsWith(`_${start}`) || k.endsWith(`_${start + 3600}`))).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^sec_ip_sha256:${hex}_\\d+$`)), expect.stringMatching(/^sec_ip_short-value_\d+$/)]),
    );
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThan(100);
  });

  it('counter overflow: a counter parked at INT64_MAX (or one below) answers OVER_LIMIT, not the failure mode', async () => {
    for (const start of [hourStart(), hourStart() + 3600]) {
      await redis.set(`sec_user_parked_${start}`, '9223372036854775807');
      await redis.set(`sec_user_almost_${start}`, '9223372036854775806');
    }
    const parked = await shouldRateLimit(svc.client, userRequest('parked'));
    expect(parked.overall_code).toBe('OVER_LIMIT');
    expect(parked.statuses[0]).toMatchObject({ code: 'OVER_LIMIT', current_limit: { requests_per_unit: 3 } });
    // INCRBY reaches INT64_MAX exactly: the reply must not wrap to a negative "within limit" number.
    const almost = await shouldRateLimit(svc.client, userRequest('almost'));
    expect(almost.statuses[0]).toMatchObject({ code: 'OVER_LIMIT', current_limit: { requests_per_unit: 3 } });
    // And a check for another user right after is counted normally.
    const other = await shouldRateLimit(svc.client, userRequest('after-parked'));
    expect(other.statuses[0]).toMatchObject({ code: 'OK', limit_remaining: 2 });
  });
});

describe('security: POST /json', () => {
  const body = (user: string, extra: object = {}) => JSON.stringify({ domain: 'sec', descriptors: [{ entries: [{ key: 'user', value: user }] }], ...extra });
  const post = (svc: { service: RunningService }, payload: string, token?: string) =>
    fetch(`http://127.0.0.1:${svc.service.adminPort}/json`, { method: 'POST', body: payload, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('POST /json is off by default: 404, and spends no quota', async () => {
    const svc = await startRateLimit({ ADMIN_TOKEN: 'sec-token' });
    try {
      expect((await post(svc, body('json-off'), 'sec-token')).status).toBe(404);
      expect(await redis.keys('sec_user_json-off_*')).toEqual([]);
    } finally {
      await svc.stop();
    }
  });

  it('POST /json when enabled needs the ADMIN_TOKEN: 401 without or with a wrong one, 403 when no token is set; refused calls spend no quota', async () => {
    const svc = await startRateLimit({ RATELIMIT_JSON_ENABLED: 'true', ADMIN_TOKEN: 'sec-token' });
    try {
      expect((await post(svc, body('json-victim'))).status).toBe(401);
      expect((await post(svc, body('json-victim'), 'wrong-token')).status).toBe(401);
      const ok = await post(svc, body('json-victim'), 'sec-token');
      expect(ok.status).toBe(200);
      // The refused calls counted nothing: this is the victim's first hit.
      expect(await ok.json()).toMatchObject({ statuses: [{ code: 'OK', limitRemaining: 2 }] });
      // The request bounds hold here too: 400 with the code.
      const tooBig = await post(svc, body('json-big', { hitsAddend: '10000000000000000000' }), 'sec-token');
      expect(tooBig.status).toBe(400);
      expect(await tooBig.text()).toContain('GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
    } finally {
      await svc.stop();
    }
    const noToken = await startRateLimit({ RATELIMIT_JSON_ENABLED: 'true' });
    try {
      expect((await post(noToken, body('json-no-token'))).status).toBe(403);
      expect(await redis.keys('sec_user_json-no-token_*')).toEqual([]);
    } finally {
      await noToken.stop();
    }
  });
});

describe('security: one bad key in a coalesced batch', () => {
  let connection: Redis;
  let store: RedisCounterStore;
  beforeAll(async () => {
    connection = new Redis(redisServer.port, redisServer.host);
    store = new RedisCounterStore(connection, { timeoutMs: 5_000 });
    await store.loadScripts();
  });
  afterAll(async () => connection?.quit());

  it('batch isolation: a poisoned check (hits_addend 1e19) started in the same event-loop turn never fails the others', async () => {
    const config = new RateLimitConfig(loadDomainConfigs([{ path: 'sec.yaml', text: LIMITS }], { mergeDomains: false }));
    const service = new RateLimitService({ config: () => config, store, overLimitCache: new OverLimitCache({ maxKeys: 0 }), metrics: noMetrics, nowMs: Date.now, random: () => 0 });
    // Both calls start in this turn: their fixed windows would share one script call.
    const [poisoned, good] = await Promise.allSettled([
      service.shouldRateLimit({ domain: 'sec', descriptors: [{ entries: [{ key: 'user', value: 'poison' }], hitsAddend: 1e19 }] }),
      service.shouldRateLimit({ domain: 'sec', descriptors: [{ entries: [{ key: 'ip', value: 'victim' }] }] }),
    ]);
    expect(poisoned.status === 'rejected' && poisoned.reason instanceof RateLimitRequestError && poisoned.reason.code).toBe('GH_RATELIMIT_HITS_ADDEND_TOO_LARGE');
    expect(good.status === 'fulfilled' && good.value.statuses[0]).toMatchObject({ code: 'OK', currentLimit: { requestsPerUnit: 3 }, limitRemaining: 2 });
  });

  it('batch isolation: a key Redis refuses fails only its own check in the merged script call', async () => {
    const fixed = (key: string, hits: number): CounterCheck => ({ algorithm: 'fixed_window', key: `iso-${key}`, hits, limit: 5, windowSeconds: 60, expireSeconds: 60, burst: 5 });
    await connection.hset('iso-wrongtype', 'f', '1');
    await connection.set('iso-notanumber', 'abc');
    const outcomes = await Promise.allSettled([
      store.check([fixed('before', 1)]),
      store.check([fixed('wrongtype', 1)]),
      store.check([fixed('huge', 1e19)]),
      store.check([fixed('notanumber', 1), fixed('sibling', 1)]),
      store.check([fixed('after', 2)]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(outcomes.slice(1, 4).map((o) => o.status === 'rejected' && (o.reason as { code?: string }).code)).toEqual(Array(3).fill('GH_RATELIMIT_REDIS_KEY_ERROR'));
    expect(outcomes[0]).toMatchObject({ value: [{ algorithm: 'fixed_window', after: 1 }] });
    expect(outcomes[4]).toMatchObject({ value: [{ algorithm: 'fixed_window', after: 2 }] });
    // A refused key still gets its expiry, so it cannot fail every later window.
    expect(await connection.ttl('iso-notanumber')).toBeGreaterThan(0);
  });
});
