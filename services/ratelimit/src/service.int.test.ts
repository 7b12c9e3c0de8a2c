// The built service end to end: real redis-server, real gRPC and HTTP, config files on disk and
// config pushed over Redis, and a Redis outage in the middle of traffic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grpcServiceDefinition, rateLimitConfigPublishedCodec, ServiceNames } from '@gatehouse/contracts';
import { freePorts, ManagedProcess, startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { FanoutChannel } from '@gatehouse/kit';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendRateLimitProtos } from './adapters/proto-extensions.js';
import { RATE_LIMIT_CONFIG_CHANNEL } from './adapters/redis-config-source.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;

const LIMITS = `domain: test
descriptors:
  # Hour windows: a window boundary in the middle of a test is practically impossible.
  - key: user
    rate_limit: { unit: hour, requests_per_unit: 3 }
  - key: shadow
    shadow_mode: true
    rate_limit: { unit: minute, requests_per_unit: 1 }
  - key: smooth
    rate_limit: { unit: minute, requests_per_unit: 60, algorithm: gcra, burst: 2 }
  - key: sliding
    rate_limit: { unit: hour, requests_per_unit: 2, algorithm: sliding_window }
  - key: quota
    quota_mode: true
    rate_limit: { unit: hour, requests_per_unit: 1 }
`;

interface RunningService {
  readonly process: ManagedProcess;
  readonly grpcPort: number;
  readonly adminPort: number;
  readonly client: Client;
  stop(): Promise<void>;
}

interface WireResponse {
  dynamic_metadata?: { fields: Record<string, { boolValue?: boolean; listValue?: { values: Array<{ numberValue: number }> } }> };
  overall_code: string;
  statuses: Array<{ code: string; current_limit?: { requests_per_unit: number; unit: string }; limit_remaining?: number; duration_until_reset?: { seconds: string } }>;
  response_headers_to_add?: Array<{ key: string; value: string }>;
}

extendRateLimitProtos();
const RateLimitClient = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.rateLimit), 'RateLimitService');

async function startRateLimit(redis: RedisHandle, env: Record<string, string>, until: '/readyz' | '/healthz' = '/readyz'): Promise<RunningService> {
  const [grpcPort, adminPort] = (await freePorts(2)) as [number, number];
  const proc = new ManagedProcess({
    name: 'gatehouse-ratelimit',
    command: process.execPath,
    args: [MAIN],
    env: { REDIS_URL: redis.url, GRPC_PORT: String(grpcPort), ADMIN_PORT: String(adminPort), BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
  });
  await waitFor(
    async () => {
      proc.assertRunning();
      const res = await fetch(`http://127.0.0.1:${adminPort}${until}`);
      return res.ok;
    },
    { timeoutMs: 20_000, description: `ratelimit to answer ${until}` },
  );
  const client = new RateLimitClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  return {
    process: proc,
    grpcPort,
    adminPort,
    client,
    async stop() {
      client.close();
      await proc.stop();
    },
  };
}

function shouldRateLimit(client: Client, request: object, deadlineMs = 2_000): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const call = (client as unknown as { ShouldRateLimit: UnaryCall }).ShouldRateLimit.bind(client);
    call(request, { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

type UnaryCall = (request: object, options: { deadline: number }, callback: (err: ServiceError | null, res: WireResponse) => void) => void;

const userRequest = (user: string, extra: object = {}) => ({ domain: 'test', descriptors: [{ entries: [{ key: 'user', value: user }] }], ...extra });

async function metric(adminPort: number, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

let redis: RedisHandle;
let configDir: string;

beforeAll(async () => {
  redis = await startRedis({ appendOnly: true });
  configDir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-config-'));
  writeFileSync(join(configDir, 'test.yaml'), LIMITS);
});

afterAll(async () => {
  await redis?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('ratelimit service', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: configDir, LIMIT_RESPONSE_HEADERS_ENABLED: 'true', RATELIMIT_REDIS_TIMEOUT_MS: '50' });
  });
  afterAll(async () => svc?.stop());

  it('answers ShouldRateLimit with full statuses, then OVER_LIMIT, with RateLimit headers', async () => {
    const first = await shouldRateLimit(svc.client, userRequest('alice'));
    expect(first.overall_code).toBe('OK');
    expect(first.statuses[0]).toMatchObject({ code: 'OK', current_limit: { requests_per_unit: 3, unit: 'HOUR' }, limit_remaining: 2 });
    expect(Number(first.statuses[0]!.duration_until_reset!.seconds)).toBeGreaterThan(0);
    expect(first.response_headers_to_add).toEqual([
      { key: 'RateLimit-Limit', value: '3' },
      { key: 'RateLimit-Remaining', value: '2' },
      { key: 'RateLimit-Reset', value: first.statuses[0]!.duration_until_reset!.seconds },
    ]);
    await shouldRateLimit(svc.client, userRequest('alice', { hits_addend: 2 }));
    const over = await shouldRateLimit(svc.client, userRequest('alice'));
    expect(over.overall_code).toBe('OVER_LIMIT');
    expect(over.statuses[0]!.code).toBe('OVER_LIMIT');
  });

  it('writes counters in the reference key layout', async () => {
    await shouldRateLimit(svc.client, userRequest('layout'));
    const r = new Redis(redis.port, redis.host);
    try {
      const keys = await r.keys('test_user_layout_*');
      expect(keys).toHaveLength(1);
      const start = Number(keys[0]!.split('_').pop());
      expect(start % 3600).toBe(0);
      expect(await r.get(keys[0]!)).toBe('1');
      expect(await r.ttl(keys[0]!)).toBeGreaterThan(0);
    } finally {
      r.disconnect();
    }
  });

  it('counts nothing for a descriptor hits_addend of 0', async () => {
    await shouldRateLimit(svc.client, userRequest('peek'));
    const peek = await shouldRateLimit(svc.client, { domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'peek' }], hits_addend: { value: 0 } }] });
    expect(peek.statuses[0]!.limit_remaining).toBe(2);
    const again = await shouldRateLimit(svc.client, userRequest('peek'));
    expect(again.statuses[0]!.limit_remaining).toBe(1);
  });

  it('runs GCRA and sliding-window rules in Redis', async () => {
    const gcra = [];
    for (let i = 0; i < 3; i++) gcra.push((await shouldRateLimit(svc.client, { domain: 'test', descriptors: [{ entries: [{ key: 'smooth', value: 'a' }] }] })).overall_code);
    expect(gcra).toEqual(['OK', 'OK', 'OVER_LIMIT']);
    const sliding = [];
    for (let i = 0; i < 3; i++) sliding.push((await shouldRateLimit(svc.client, { domain: 'test', descriptors: [{ entries: [{ key: 'sliding', value: 'a' }] }] })).overall_code);
    expect(sliding).toEqual(['OK', 'OK', 'OVER_LIMIT']);
  });

  it('reports exhausted quota_mode rules in dynamic metadata and denies only when all are exhausted', async () => {
    const request = { domain: 'test', descriptors: [{ entries: [{ key: 'quota', value: 'model-a' }] }, { entries: [{ key: 'quota', value: 'model-b' }] }] };
    await shouldRateLimit(svc.client, { domain: 'test', descriptors: [{ entries: [{ key: 'quota', value: 'model-a' }] }] });
    const oneLeft = await shouldRateLimit(svc.client, request);
    expect(oneLeft.overall_code).toBe('OK');
    expect(oneLeft.dynamic_metadata!.fields.quotaModeEnabled!.boolValue).toBe(true);
    expect(oneLeft.dynamic_metadata!.fields.quotaModeViolations!.listValue!.values.map((v) => v.numberValue)).toEqual([0]);
    expect((await shouldRateLimit(svc.client, request)).overall_code).toBe('OVER_LIMIT');
  });

  it('answers OK for an unknown domain and rejects an empty one', async () => {
    const unknown = await shouldRateLimit(svc.client, { domain: 'elsewhere', descriptors: [{ entries: [{ key: 'user', value: 'x' }] }] });
    expect(unknown.overall_code).toBe('OK');
    expect(await metric(svc.adminPort, 'ratelimit_domain_not_found_total', 'domain="elsewhere"')).toBe(1);
    await expect(shouldRateLimit(svc.client, { domain: '', descriptors: [{ entries: [] }] })).rejects.toMatchObject({ code: 3 });
  });

  it('serves the reference /json endpoint with its status codes, /healthcheck and /rlconfig', async () => {
    const post = (body: unknown) => fetch(`http://127.0.0.1:${svc.adminPort}/json`, { method: 'POST', body: JSON.stringify(body) });
    const ok = await post({ domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'json' }] }], hitsAddend: 3 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ overallCode: 'OK', statuses: [{ code: 'OK', currentLimit: { requestsPerUnit: 3, unit: 'HOUR' } }] });
    const over = await post({ domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'json' }] }] });
    expect(over.status).toBe(429);
    expect((await post({ domain: '', descriptors: [] })).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${svc.adminPort}/json`, { method: 'POST', body: '{nope' })).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${svc.adminPort}/healthcheck`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${svc.adminPort}/rlconfig`)).text()).toContain('test.user: unit=HOUR requests_per_unit=3');
  });

  it('hot-reloads config files and keeps the last good config after a bad reload', async () => {
    writeFileSync(join(configDir, 'test.yaml'), LIMITS.replace('requests_per_unit: 3 }', 'requests_per_unit: 30 }'));
    await waitFor(async () => (await shouldRateLimit(svc.client, userRequest('reload'))).statuses[0]!.current_limit?.requests_per_unit === 30, {
      description: 'the new limit to apply',
    });
    const errorsBefore = await metric(svc.adminPort, 'ratelimit_config_load_error_total', 'source="files"');
    writeFileSync(join(configDir, 'broken.yaml'), 'domain: broken\ndescriptors:\n  - key: k\n    rate_limit: { unit: fortnight }\n');
    await waitFor(async () => (await metric(svc.adminPort, 'ratelimit_config_load_error_total', 'source="files"')) > errorsBefore, { description: 'the reload to be rejected' });
    expect((await shouldRateLimit(svc.client, userRequest('reload'))).statuses[0]!.current_limit?.requests_per_unit).toBe(30);
    rmSync(join(configDir, 'broken.yaml'));
    writeFileSync(join(configDir, 'test.yaml'), LIMITS);
    await waitFor(async () => (await shouldRateLimit(svc.client, userRequest('reload2'))).statuses[0]!.current_limit?.requests_per_unit === 3, {
      description: 'the original limit to apply again',
    });
  });

  it('applies config pushed over Redis, and a replica started later loads the current one', async () => {
    const publisher = new Redis(redis.port, redis.host);
    try {
      const channel = new FanoutChannel({ name: RATE_LIMIT_CONFIG_CHANNEL, codec: rateLimitConfigPublishedCodec, redis: publisher });
      await channel.publish({
        version: 'v1',
        domains: [{ domain: 'pushed', source: 'BackendTrafficPolicy default/limits', yaml: 'domain: pushed\ndescriptors:\n  - key: k\n    rate_limit: { unit: hour, requests_per_unit: 1 }\n' }],
      });
      const request = { domain: 'pushed', descriptors: [{ entries: [{ key: 'k', value: 'v' }] }] };
      await waitFor(async () => (await shouldRateLimit(svc.client, request)).statuses[0]!.current_limit?.requests_per_unit === 1, { description: 'the pushed config' });
      expect((await shouldRateLimit(svc.client, request)).overall_code).toBe('OVER_LIMIT');

      const late = await startRateLimit(redis, {});
      try {
        await waitFor(async () => (await shouldRateLimit(late.client, request)).statuses[0]!.current_limit?.requests_per_unit === 1, { description: 'the late replica to load the latest config' });
      } finally {
        await late.stop();
      }

      // A bad publication is rejected as a whole; the previous one keeps serving.
      await channel.publish({ version: 'v2', domains: [{ domain: 'pushed', yaml: 'domain: pushed\ndescriptors:\n  - key: k\n    rate_limt: {}\n' }] });
      await waitFor(async () => (await metric(svc.adminPort, 'ratelimit_config_load_error_total', 'source="redis"')) >= 1, { description: 'the bad publication to be rejected' });
      expect((await shouldRateLimit(svc.client, request)).statuses[0]!.current_limit?.requests_per_unit).toBe(1);

    } finally {
      publisher.disconnect();
    }
  });
});

describe('REDIS_PERSECOND (the reference two-Redis setup)', () => {
  it('counts one-second limits in the per-second Redis and the rest in the main one', async () => {
    const perSecondRedis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-persecond-'));
    writeFileSync(join(dir, 'split.yaml'), 'domain: split\ndescriptors:\n  - key: burst\n    rate_limit: { unit: second, requests_per_unit: 1 }\n  - key: daily\n    rate_limit: { unit: day, requests_per_unit: 5 }\n');
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: dir, REDIS_PERSECOND: 'true', REDIS_PERSECOND_URL: perSecondRedis.url, RATELIMIT_REDIS_CONFIG: 'false' });
    const main = new Redis(redis.port, redis.host);
    const perSecond = new Redis(perSecondRedis.port, perSecondRedis.host);
    try {
      const answer = await shouldRateLimit(svc.client, {
        domain: 'split',
        descriptors: [{ entries: [{ key: 'daily', value: 'd' }] }, { entries: [{ key: 'burst', value: 'b' }] }],
      });
      expect(answer.statuses.map((s) => s.current_limit?.unit)).toEqual(['DAY', 'SECOND']);
      expect(await main.keys('split_daily_d_*')).toHaveLength(1);
      expect(await main.keys('split_burst_b_*')).toHaveLength(0);
      expect(await perSecond.keys('split_burst_b_*')).not.toHaveLength(0);
      expect(await perSecond.keys('split_daily_d_*')).toHaveLength(0);
    } finally {
      main.disconnect();
      perSecond.disconnect();
      await svc.stop();
      await perSecondRedis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without REDIS_PERSECOND_URL, naming it', async () => {
    const [grpcPort, adminPort] = (await freePorts(2)) as [number, number];
    const proc = new ManagedProcess({
      name: 'gatehouse-ratelimit',
      command: process.execPath,
      args: [MAIN],
      env: { REDIS_URL: redis.url, GRPC_PORT: String(grpcPort), ADMIN_PORT: String(adminPort), BIND_HOST: '127.0.0.1', REDIS_PERSECOND: 'true' },
    });
    const exit = await proc.waitForExit();
    expect(exit.code).toBe(2);
    expect(proc.recentOutput).toContain('gatehouse-ratelimit: invalid REDIS_PERSECOND_URL: is required when REDIS_PERSECOND=true');
  });
});

describe('HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED', () => {
  it('keeps the service unhealthy until a domain is loaded', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-empty-'));
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: emptyDir, RATELIMIT_REDIS_CONFIG: 'false', HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED: 'true' }, '/healthz');
    try {
      expect((await fetch(`http://127.0.0.1:${svc.adminPort}/readyz`)).status).toBe(503);
      expect((await fetch(`http://127.0.0.1:${svc.adminPort}/healthcheck`)).status).toBe(500);
      writeFileSync(join(emptyDir, 'limits.yaml'), LIMITS);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${svc.adminPort}/healthcheck`)).status === 200, { description: 'healthy once a domain is loaded' });
    } finally {
      await svc.stop();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe('Redis outage during traffic', () => {
  it.each([
    ['allow', 'OK'],
    ['deny', 'OVER_LIMIT'],
  ])('in %s mode answers %s within the budget while Redis is down, counts it, and recovers', async (mode, whileDown) => {
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: configDir, RATELIMIT_FAILURE_MODE: mode, RATELIMIT_REDIS_TIMEOUT_MS: '20' });
    try {
      // Traffic keeps flowing through the whole drill.
      let stop = false;
      const answers: string[] = [];
      const failures: unknown[] = [];
      const traffic = (async () => {
        let i = 0;
        while (!stop) {
          try {
            answers.push((await shouldRateLimit(svc.client, userRequest(`traffic-${mode}-${i++ % 50}`), 1_000)).overall_code);
          } catch (err) {
            failures.push(err);
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();

      await waitFor(() => answers.length > 20, { description: 'traffic before the outage' });
      await redis.kill();
      const down = await shouldRateLimit(svc.client, userRequest(`down-${mode}`), 1_000);
      expect(down.overall_code).toBe(whileDown);
      expect(await metric(svc.adminPort, 'ratelimit_redis_error_total')).toBeGreaterThan(0);

      await redis.restart();
      await waitFor(async () => (await shouldRateLimit(svc.client, userRequest(`after-${mode}`))).statuses[0]!.limit_remaining === 2, {
        timeoutMs: 15_000,
        description: 'counting to resume after Redis is back',
      });
      stop = true;
      await traffic;
      // Every call got an answer: nothing hung past its deadline, nothing crashed.
      expect(failures).toEqual([]);
      svc.process.assertRunning();
    } finally {
      await svc.stop();
    }
  });
});
