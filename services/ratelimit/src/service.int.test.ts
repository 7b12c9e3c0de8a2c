// The service end to end, started in-process through the kit like main.ts starts it: real
// redis-server, real gRPC and HTTP, config files on disk and config pushed over Redis, and a Redis
// outage in the middle of traffic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FanoutChannels, grpcServiceDefinition, rateLimitConfigPublishedCodec, SealedUses, ServiceNames } from '@gatehouse/contracts';
import { freePorts, ManagedProcess, startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { FanoutChannel, startService, type RunningService as KitService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY, testSealedCodec } from '@gatehouse/kit/testing';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendRateLimitProtos } from './adapters/proto-extensions.js';
import { rateLimitService } from './service.js';

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
  readonly service: KitService;
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
  // A generous Redis budget: the service shares this test process's event loop on a busy machine, and
  // only the outage drill is about the budget.
  const service = await startService(rateLimitService, {
    GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
    REDIS_URL: redis.url,
    GATEHOUSE_INSECURE_PLAINTEXT: 'true',
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    BIND_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RATELIMIT_REDIS_TIMEOUT_MS: '1000',
    ...env,
  });
  const { grpcPort, adminPort } = service;
  await waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}${until}`)).ok, { timeoutMs: 20_000, description: `ratelimit to answer ${until}` });
  const client = new RateLimitClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  return {
    service,
    grpcPort,
    adminPort,
    client,
    async stop() {
      client.close();
      await service.stop();
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
    svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: configDir, LIMIT_RESPONSE_HEADERS_ENABLED: 'true', RATELIMIT_JSON_ENABLED: 'true', ADMIN_TOKEN: 'test-admin-token' });
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
    const authorization = 'Bearer test-admin-token';
    const post = (body: unknown) => fetch(`http://127.0.0.1:${svc.adminPort}/json`, { method: 'POST', headers: { authorization }, body: JSON.stringify(body) });
    const ok = await post({ domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'json' }] }], hitsAddend: 3 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ overallCode: 'OK', statuses: [{ code: 'OK', currentLimit: { requestsPerUnit: 3, unit: 'HOUR' } }] });
    const over = await post({ domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'json' }] }] });
    expect(over.status).toBe(429);
    expect((await post({ domain: '', descriptors: [] })).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${svc.adminPort}/json`, { method: 'POST', headers: { authorization }, body: '{nope' })).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${svc.adminPort}/healthcheck`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${svc.adminPort}/rlconfig`)).text()).toContain('test.user: unit=HOUR requests_per_unit=3');
  });

  it('hot-reloads config files, and a new file that is invalid is refused without holding back the rest', async () => {
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
      const channel = new FanoutChannel({ name: FanoutChannels.rateLimitConfig, codec: testSealedCodec(rateLimitConfigPublishedCodec, SealedUses.rateLimitConfig()), redis: publisher });
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

      // A published domain that turns invalid keeps its last good version.
      await channel.publish({ version: 'v2', domains: [{ domain: 'pushed', yaml: 'domain: pushed\ndescriptors:\n  - key: k\n    rate_limt: {}\n' }] });
      await waitFor(async () => (await statusOf(svc)).some((d) => d.domain === 'pushed' && d.state === 'stale'), { description: 'the bad publication to be refused' });
      expect(await metric(svc.adminPort, 'ratelimit_config_load_error_total', 'source="redis"')).toBe(1);
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
      env: { GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY, REDIS_URL: redis.url, GRPC_PORT: String(grpcPort), ADMIN_PORT: String(adminPort), BIND_HOST: '127.0.0.1', REDIS_PERSECOND: 'true', GATEHOUSE_INSECURE_PLAINTEXT: 'true' },
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
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: configDir, RATELIMIT_FAILURE_MODE: mode, RATELIMIT_REDIS_TIMEOUT_MS: '100' });
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
      expect((await shouldRateLimit(svc.client, userRequest(`end-${mode}`))).overall_code).toBe('OK');
    } finally {
      await svc.stop();
    }
  });
});

const domainYaml = (domain: string, limit: number): string => `domain: ${domain}\ndescriptors:\n  - key: k\n    rate_limit: { unit: hour, requests_per_unit: ${limit} }\n`;
const limitOf = async (svc: RunningService, domain: string): Promise<number | undefined> =>
  (await shouldRateLimit(svc.client, { domain, descriptors: [{ entries: [{ key: 'k', value: 'probe' }], hits_addend: { value: 0 } }] })).statuses[0]!.current_limit?.requests_per_unit;
const untilLimit = (svc: RunningService, domain: string, limit: number | undefined, description: string): Promise<unknown> =>
  waitFor(async () => (await limitOf(svc, domain)) === limit, { timeoutMs: 10_000, description });

interface DomainStatus {
  domain: string;
  source: string;
  file: string;
  state: 'serving' | 'stale' | 'refused';
  generation: number;
  servingGeneration?: number;
  issues: string[];
}
const statusOf = async (svc: RunningService): Promise<DomainStatus[]> => ((await (await fetch(`http://127.0.0.1:${svc.adminPort}/status`)).json()) as { domains: DomainStatus[] }).domains;

describe('RATELIMIT_CONFIG_PATH through the kit intake', () => {
  it('loads each file of a ConfigMap-style mount once and follows an atomic ..data swap', async () => {
    const { makeConfigMapDir, swapConfigMap } = await import('@gatehouse/kit/testing');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-configmap-'));
    await makeConfigMapDir(dir, { 'alpha.yaml': domainYaml('alpha', 1), 'beta.yaml': domainYaml('beta', 1) });
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: dir, RATELIMIT_REDIS_CONFIG: 'false' });
    try {
      expect(await limitOf(svc, 'alpha')).toBe(1);
      // Read through `..data` too, each domain would be a duplicate and refused.
      expect(await statusOf(svc)).toEqual([
        expect.objectContaining({ domain: 'alpha', source: 'files', file: join(dir, 'alpha.yaml'), state: 'serving', issues: [] }),
        expect.objectContaining({ domain: 'beta', source: 'files', file: join(dir, 'beta.yaml'), state: 'serving', issues: [] }),
      ]);
      await swapConfigMap(dir, { 'alpha.yaml': domainYaml('alpha', 2), 'beta.yaml': domainYaml('beta', 2) });
      await untilLimit(svc, 'alpha', 2, 'the swapped ConfigMap to apply');
      expect(await limitOf(svc, 'beta')).toBe(2);
      expect(await (await fetch(`http://127.0.0.1:${svc.adminPort}/rlconfig`)).text()).toContain('alpha.k: unit=HOUR requests_per_unit=2');
    } finally {
      await svc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('picks up a file replaced by rename ten times in a row, an in-place write, a delete and a re-create', async () => {
    const { renameSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-renames-'));
    const file = join(dir, 'limits.yaml');
    writeFileSync(file, domainYaml('renamed', 100));
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: dir, RATELIMIT_REDIS_CONFIG: 'false' });
    try {
      for (let i = 1; i <= 10; i++) {
        writeFileSync(join(dir, '.limits.yaml.tmp'), domainYaml('renamed', i));
        renameSync(join(dir, '.limits.yaml.tmp'), file);
        await untilLimit(svc, 'renamed', i, `rename-over number ${i}`);
      }
      writeFileSync(file, domainYaml('renamed', 20));
      await untilLimit(svc, 'renamed', 20, 'the in-place write');
      rmSync(file);
      await untilLimit(svc, 'renamed', undefined, 'the deleted domain to go');
      writeFileSync(file, domainYaml('renamed', 30));
      await untilLimit(svc, 'renamed', 30, 'the re-created file');
    } finally {
      await svc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads subdirectories, like the reference does under RUNTIME_SUBDIRECTORY/config', async () => {
    const { mkdirSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-tree-'));
    mkdirSync(join(dir, 'team-a'));
    writeFileSync(join(dir, 'team-a', 'nested.yaml'), domainYaml('nested', 4));
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: dir, RATELIMIT_REDIS_CONFIG: 'false' });
    try {
      expect(await limitOf(svc, 'nested')).toBe(4);
    } finally {
      await svc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('last good, per domain', () => {
  it('keeps serving the last good version of a file domain that turns invalid, reports and counts it, and updates the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-lastgood-'));
    writeFileSync(join(dir, 'kept.yaml'), domainYaml('kept', 1));
    writeFileSync(join(dir, 'other.yaml'), domainYaml('other', 1));
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: dir, RATELIMIT_REDIS_CONFIG: 'false' });
    try {
      writeFileSync(join(dir, 'kept.yaml'), 'domain: kept\ndescriptors:\n  - key: k\n    rate_limit: { unit: hour, reqests_per_unit: 9 }\n');
      writeFileSync(join(dir, 'other.yaml'), domainYaml('other', 2));
      await untilLimit(svc, 'other', 2, 'the valid domain to update');
      await waitFor(async () => (await statusOf(svc)).some((d) => d.domain === 'kept' && d.state === 'stale'), { description: 'the invalid domain to be reported stale' });
      expect(await limitOf(svc, 'kept')).toBe(1);
      const kept = (await statusOf(svc)).find((d) => d.domain === 'kept')!;
      expect(kept).toMatchObject({ state: 'stale', generation: 2, servingGeneration: 1 });
      expect(kept.issues).toEqual([`${join(dir, 'kept.yaml')}:4: kept.k.rate_limit: GH_RATELIMIT_CONFIG_UNKNOWN_KEY: config error, unknown key 'reqests_per_unit'`]);
      expect(await (await fetch(`http://127.0.0.1:${svc.adminPort}/rlconfig`)).text()).toContain('# STALE domain kept (files): serving generation 1, generation 2 refused:');
      expect(await metric(svc.adminPort, 'gatehouse_config_stale_resources', 'kind="RateLimitDomain"')).toBe(1);
      expect(await metric(svc.adminPort, 'gatehouse_config_refused_total', 'kind="RateLimitDomain"')).toBe(1);

      writeFileSync(join(dir, 'kept.yaml'), domainYaml('kept', 3));
      await untilLimit(svc, 'kept', 3, 'the fixed domain to serve its new version');
      expect((await statusOf(svc)).find((d) => d.domain === 'kept')).toMatchObject({ state: 'serving', generation: 3, servingGeneration: 3 });
      expect(await metric(svc.adminPort, 'gatehouse_config_stale_resources', 'kind="RateLimitDomain"')).toBe(0);

      // Never valid: refused, not served, and nothing else is held back.
      writeFileSync(join(dir, 'fresh.yaml'), 'domain: fresh\ndescriptors:\n  - key: k\n    rate_limit: { unit: eon, requests_per_unit: 1 }\n');
      await waitFor(async () => (await statusOf(svc)).some((d) => d.domain === 'fresh' && d.state === 'refused'), { description: 'the never-valid domain to be refused' });
      expect(await limitOf(svc, 'fresh')).toBeUndefined();
      expect(await limitOf(svc, 'kept')).toBe(3);
    } finally {
      await svc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts with the valid domains when a file is invalid at startup, refusing the invalid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-badstart-'));
    writeFileSync(join(dir, 'good.yaml'), domainYaml('good', 1));
    writeFileSync(join(dir, 'bad.yaml'), 'domain: bad\ndescriptors:\n  - key: k\n    rate_limt: {}\n');
    writeFileSync(join(dir, 'broken.yaml'), 'domain: [unclosed\n');
    const svc = await startRateLimit(redis, { RATELIMIT_CONFIG_PATH: dir, RATELIMIT_REDIS_CONFIG: 'false' });
    try {
      expect(await limitOf(svc, 'good')).toBe(1);
      expect((await statusOf(svc)).find((d) => d.domain === 'bad')).toMatchObject({ state: 'refused' });
      // A document that names no domain is reported on its own.
      const status = (await (await fetch(`http://127.0.0.1:${svc.adminPort}/status`)).json()) as { unreadable: string[] };
      expect(status.unreadable).toEqual([expect.stringMatching(new RegExp(`^${join(dir, 'broken.yaml')}:\\d+: GH_RATELIMIT_CONFIG_YAML: invalid YAML`))]);
      expect(await (await fetch(`http://127.0.0.1:${svc.adminPort}/rlconfig`)).text()).toContain(`# UNREADABLE ${join(dir, 'broken.yaml')}:`);
    } finally {
      await svc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the last good version of a bad domain pushed over Redis while the other pushed domains update', async () => {
    const publisher = new Redis(redis.port, redis.host);
    const channel = new FanoutChannel({ name: FanoutChannels.rateLimitConfig, codec: testSealedCodec(rateLimitConfigPublishedCodec, SealedUses.rateLimitConfig()), redis: publisher });
    const svc = await startRateLimit(redis, {});
    try {
      const published = (version: string, a: string, b: number) =>
        channel.publish({ version, domains: [{ domain: 'push-a', source: 'BackendTrafficPolicy default/a', yaml: a }, { domain: 'push-b', source: 'BackendTrafficPolicy default/b', yaml: domainYaml('push-b', b) }] });
      await published('lg1', domainYaml('push-a', 1), 1);
      await untilLimit(svc, 'push-a', 1, 'the first publication');
      await published('lg2', 'domain: push-a\ndescriptors:\n  - key: k\n    rate_limt: {}\n', 2);
      await untilLimit(svc, 'push-b', 2, 'the valid pushed domain to update');
      expect(await limitOf(svc, 'push-a')).toBe(1);
      expect((await statusOf(svc)).find((d) => d.domain === 'push-a')).toMatchObject({
        source: 'redis',
        state: 'stale',
        issues: ["redis:BackendTrafficPolicy default/a:4: push-a.k: GH_RATELIMIT_CONFIG_UNKNOWN_KEY: config error, unknown key 'rate_limt'"],
      });
    } finally {
      await svc.stop();
      publisher.disconnect();
    }
  });
});
