import { RATE_LIMIT_COST_ENTRY_KEY } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import type { CounterCheck, CounterResult, CounterStore } from './counter-store.js';
import { OverLimitCache } from './over-limit-cache.js';
import { loadDomainConfigs, RateLimitConfig } from './rate-limit-config.js';
import type { RateLimitMetrics, RuleCounts } from './rate-limit-metrics.js';
import type { CheckRequest } from './rate-limit-request.js';
import { RateLimitRequestError } from '../errors.js';
import { RateLimitService, type RateLimitServiceOptions } from './rate-limit-service.js';

/** The port's contract for fixed windows (INCRBY semantics), in memory; Redis itself is covered by the adapter's integration tests. */
class MemoryStore implements CounterStore {
  readonly counters = new Map<string, number>();
  readonly calls: CounterCheck[][] = [];
  failing = false;
  async check(checks: readonly CounterCheck[]): Promise<CounterResult[]> {
    this.calls.push([...checks]);
    if (this.failing) throw new Error('down');
    return checks.map((c) => {
      const after = (this.counters.get(c.key) ?? 0) + c.hits;
      this.counters.set(c.key, after);
      return { algorithm: 'fixed_window', after };
    });
  }
}

class RecordingMetrics implements RateLimitMetrics {
  readonly rules = new Map<string, RuleCounts>();
  domainsNotFound: string[] = [];
  backendErrors = 0;
  globalShadow = 0;
  rule(key: string, counts: RuleCounts): void {
    const sum = this.rules.get(key) ?? { totalHits: 0, overLimit: 0, nearLimit: 0, withinLimit: 0, shadowMode: 0, overLimitWithLocalCache: 0 };
    for (const k of Object.keys(sum) as Array<keyof RuleCounts>) sum[k] += counts[k];
    this.rules.set(key, sum);
  }
  domainNotFound(domain: string): void {
    this.domainsNotFound.push(domain);
  }
  backendError(): void {
    this.backendErrors++;
  }
  globalShadowMode(): void {
    this.globalShadow++;
  }
}

const YAML = `domain: test
descriptors:
  - key: user
    rate_limit: { unit: minute, requests_per_unit: 3 }
  - key: ip
    rate_limit: { unit: second, requests_per_unit: 10 }
  - key: shadow
    shadow_mode: true
    rate_limit: { unit: minute, requests_per_unit: 1 }
  - key: quota
    quota_mode: true
    rate_limit: { unit: minute, requests_per_unit: 1 }
  - key: free
    rate_limit: { unlimited: true }
  - key: category
    value: read
    rate_limit: { unit: minute, requests_per_unit: 1, name: read }
  - key: endpoint
    value: special
    rate_limit:
      unit: minute
      requests_per_unit: 100
      replaces: [{ name: read }]
  - key: wide
    rate_limit: { unit: second, unit_multiplier: 30, requests_per_unit: 5 }
`;

// 2026-11-27T13:00:20Z: 20 s into a minute.
const NOW_MS = Date.UTC(2026, 10, 27, 13, 0, 20);

function setup(options: Partial<RateLimitServiceOptions> = {}, maxKeys = 0) {
  const store = new MemoryStore();
  const metrics = new RecordingMetrics();
  const config = new RateLimitConfig(loadDomainConfigs([{ path: 'test.yaml', text: YAML }], { mergeDomains: false }));
  const cache = new OverLimitCache({ maxKeys });
  let now = NOW_MS;
  const service = new RateLimitService(
    { config: () => config, store, overLimitCache: cache, metrics, nowMs: () => now, random: () => 0.5 },
    options,
  );
  return { service, store, metrics, cache, advance: (ms: number) => (now += ms) };
}

const one = (key: string, value = 'v', extra: Partial<CheckRequest> = {}): CheckRequest => ({
  domain: 'test',
  descriptors: [{ entries: [{ key, value }] }],
  ...extra,
});

describe('RateLimitService', () => {
  it('answers one status per descriptor with limit, remaining and reset, then OVER_LIMIT past the limit', async () => {
    const { service } = setup();
    const first = await service.shouldRateLimit(one('user'));
    expect(first).toEqual({
      overallCode: 'OK',
      statuses: [{ code: 'OK', currentLimit: { name: undefined, requestsPerUnit: 3, unit: 'MINUTE' }, limitRemaining: 2, durationUntilResetSeconds: 40 }],
      responseHeaders: [],
    });
    await service.shouldRateLimit(one('user'));
    await service.shouldRateLimit(one('user'));
    const fourth = await service.shouldRateLimit(one('user'));
    expect(fourth.overallCode).toBe('OVER_LIMIT');
    expect(fourth.statuses[0]).toMatchObject({ code: 'OVER_LIMIT', limitRemaining: 0 });
  });

  it('spends the cost a descriptor carries (the gatehouse.cost entry) from the bucket of the descriptor without it', async () => {
    const { service, store } = setup();
    const costly = (cost: string): CheckRequest => ({ domain: 'test', descriptors: [{ entries: [{ key: 'ip', value: '10.0.0.1' }, { key: RATE_LIMIT_COST_ENTRY_KEY, value: cost }] }] });
    expect((await service.shouldRateLimit(costly('4'))).statuses[0]).toMatchObject({ code: 'OK', limitRemaining: 6 });
    expect((await service.shouldRateLimit(costly('0'))).statuses[0]).toMatchObject({ code: 'OK', limitRemaining: 6 });
    expect((await service.shouldRateLimit(one('ip', '10.0.0.1'))).statuses[0]).toMatchObject({ code: 'OK', limitRemaining: 5 });
    expect((await service.shouldRateLimit(costly('6'))).overallCode).toBe('OVER_LIMIT');
    expect(store.calls.flat().map((c) => c.hits)).toEqual([4, 0, 1, 6]);
    expect(new Set(store.calls.flat().map((c) => c.key)).size).toBe(1);
  });

  it('keys fixed windows with the reference layout and expires them after the window', async () => {
    const { service, store } = setup({ keyPrefix: 'pfx_' });
    await service.shouldRateLimit(one('user', 'alice'));
    const windowStart = Math.floor(NOW_MS / 60_000) * 60;
    expect(store.calls[0]).toEqual([
      { algorithm: 'fixed_window', key: `pfx_test_user_alice_${windowStart}`, hits: 1, limit: 3, windowSeconds: 60, expireSeconds: 60, burst: 3 },
    ]);
  });

  it('adds expiry jitter when configured', async () => {
    const { service, store } = setup({ expirationJitterMaxSeconds: 10 });
    await service.shouldRateLimit(one('user'));
    expect(store.calls[0]![0]!.expireSeconds).toBe(65);
  });

  it('supports windows of any length through unit_multiplier', async () => {
    const { service, store } = setup();
    const answer = await service.shouldRateLimit(one('wide'));
    const start = Math.floor(NOW_MS / 1000 / 30) * 30;
    expect(store.calls[0]![0]!.key).toBe(`test_wide_v_${start}`);
    expect(answer.statuses[0]!.durationUntilResetSeconds).toBe(30 - ((NOW_MS / 1000) % 30));
  });

  it('sends all counters of a request in one store call and keeps request order', async () => {
    const { service, store } = setup();
    const answer = await service.shouldRateLimit({
      domain: 'test',
      descriptors: [{ entries: [{ key: 'nothing', value: 'x' }] }, { entries: [{ key: 'user', value: 'a' }] }, { entries: [{ key: 'ip', value: '1' }] }],
    });
    expect(store.calls).toHaveLength(1);
    expect(store.calls[0]).toHaveLength(2);
    expect(answer.statuses.map((s) => s.currentLimit?.requestsPerUnit)).toEqual([undefined, 3, 10]);
  });

  it('answers OK without touching Redis for an unknown domain, and counts it', async () => {
    const { service, store, metrics } = setup();
    const answer = await service.shouldRateLimit({ domain: 'nope', descriptors: [{ entries: [{ key: 'user', value: 'a' }] }] });
    expect(answer).toEqual({ overallCode: 'OK', statuses: [{ code: 'OK', limitRemaining: 0 }], responseHeaders: [] });
    expect(store.calls).toHaveLength(0);
    expect(metrics.domainsNotFound).toEqual(['nope']);
  });

  it('rejects an empty domain or descriptor list', async () => {
    const { service } = setup();
    await expect(service.shouldRateLimit({ domain: '', descriptors: [{ entries: [] }] })).rejects.toMatchObject({ code: 'GH_RATELIMIT_EMPTY_DOMAIN' });
    await expect(service.shouldRateLimit({ domain: 'test', descriptors: [] })).rejects.toBeInstanceOf(RateLimitRequestError);
  });

  it('counts hits_addend at request level, lets descriptors override it, and 0 checks without counting', async () => {
    const { service, store } = setup();
    const a = await service.shouldRateLimit(one('user', 'a', { hitsAddend: 2 }));
    expect(a.statuses[0]!.limitRemaining).toBe(1);
    const b = await service.shouldRateLimit({ domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'a' }], hitsAddend: 0 }], hitsAddend: 5 });
    expect(b.statuses[0]).toMatchObject({ code: 'OK', limitRemaining: 1 });
    expect(store.calls[1]![0]!.hits).toBe(0);
    const c = await service.shouldRateLimit({ domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'a' }], hitsAddend: 2 }] });
    expect(c.statuses[0]!.code).toBe('OVER_LIMIT');
  });

  it('splits hits into within, near and over limit like the reference', async () => {
    const { service, metrics } = setup();
    await service.shouldRateLimit(one('ip', 'x', { hitsAddend: 7 }));
    await service.shouldRateLimit(one('ip', 'x', { hitsAddend: 5 }));
    // limit 10, near threshold 8: first call 7 within; second 7->12: 2 over, 10-8 = 2 near.
    expect(metrics.rules.get('test.ip')).toEqual({ totalHits: 12, overLimit: 2, nearLimit: 2, withinLimit: 7, shadowMode: 0, overLimitWithLocalCache: 0 });
  });

  it('answers OK for a shadow-mode rule over its limit, and counts it', async () => {
    const { service, metrics } = setup();
    await service.shouldRateLimit(one('shadow'));
    const answer = await service.shouldRateLimit(one('shadow'));
    expect(answer.overallCode).toBe('OK');
    expect(answer.statuses[0]).toMatchObject({ code: 'OK', limitRemaining: 0 });
    expect(metrics.rules.get('test.shadow')!.shadowMode).toBe(1);
  });

  it('in global shadow mode reports OVER_LIMIT per descriptor but OK overall', async () => {
    const { service, metrics } = setup({ globalShadowMode: true });
    await service.shouldRateLimit(one('user', 'g', { hitsAddend: 3 }));
    const answer = await service.shouldRateLimit(one('user', 'g'));
    expect(answer.overallCode).toBe('OK');
    expect(answer.statuses[0]!.code).toBe('OVER_LIMIT');
    expect(metrics.globalShadow).toBe(1);
  });

  it('quota_mode: an exhausted quota is reported in metadata; the request is denied only when every quota is', async () => {
    const { service } = setup();
    const request = (...values: string[]): CheckRequest => ({ domain: 'test', descriptors: values.map((value) => ({ entries: [{ key: 'quota', value }] })) });
    await service.shouldRateLimit(request('a'));
    const oneExhausted = await service.shouldRateLimit(request('a', 'b'));
    expect(oneExhausted.statuses.map((s) => s.code)).toEqual(['OVER_LIMIT', 'OK']);
    expect(oneExhausted.overallCode).toBe('OK');
    expect(oneExhausted.dynamicMetadata).toEqual({ quotaModeEnabled: true, quotaModeViolations: [0] });
    const allExhausted = await service.shouldRateLimit(request('a', 'b'));
    expect(allExhausted.overallCode).toBe('OVER_LIMIT');
    expect(allExhausted.dynamicMetadata).toEqual({ quotaModeEnabled: true, quotaModeViolations: [0, 1] });
  });

  it('quota_mode: a normal rule over its limit still denies, and no metadata without quota rules', async () => {
    const { service } = setup();
    await service.shouldRateLimit(one('user', 'q', { hitsAddend: 3 }));
    const answer = await service.shouldRateLimit({ domain: 'test', descriptors: [{ entries: [{ key: 'quota', value: 'fresh' }] }, { entries: [{ key: 'user', value: 'q' }] }] });
    expect(answer.overallCode).toBe('OVER_LIMIT');
    expect(answer.dynamicMetadata).toEqual({ quotaModeEnabled: true, quotaModeViolations: [] });
    expect((await service.shouldRateLimit(one('user', 'other'))).dynamicMetadata).toBeUndefined();
  });

  it('answers unlimited rules OK with the maximum remaining and no counter, and counts them', async () => {
    const { service, store, metrics } = setup();
    const answer = await service.shouldRateLimit(one('free'));
    expect(answer.statuses[0]).toEqual({ code: 'OK', limitRemaining: 4_294_967_295 });
    expect(store.calls).toHaveLength(0);
    expect(metrics.rules.get('test.free')).toMatchObject({ totalHits: 1, withinLimit: 1 });
  });

  it('drops a rule replaced by another matched rule', async () => {
    const { service, store } = setup();
    const request: CheckRequest = {
      domain: 'test',
      descriptors: [{ entries: [{ key: 'category', value: 'read' }] }, { entries: [{ key: 'endpoint', value: 'special' }] }],
    };
    for (let i = 0; i < 3; i++) {
      const answer = await service.shouldRateLimit(request);
      expect(answer.overallCode).toBe('OK');
      expect(answer.statuses[0]).toEqual({ code: 'OK', limitRemaining: 0 });
    }
    expect(store.calls.every((call) => call.length === 1)).toBe(true);
    // Alone, the "read" rule applies.
    await service.shouldRateLimit({ domain: 'test', descriptors: [{ entries: [{ key: 'category', value: 'read' }] }] });
    expect((await service.shouldRateLimit({ domain: 'test', descriptors: [{ entries: [{ key: 'category', value: 'read' }] }] })).overallCode).toBe('OVER_LIMIT');
  });

  it('applies a per-request limit override', async () => {
    const { service } = setup();
    const request: CheckRequest = { domain: 'test', descriptors: [{ entries: [{ key: 'user', value: 'o' }], limit: { requestsPerUnit: 1, unit: 'hour' } }] };
    expect((await service.shouldRateLimit(request)).statuses[0]).toMatchObject({ currentLimit: { requestsPerUnit: 1, unit: 'HOUR' } });
    expect((await service.shouldRateLimit(request)).overallCode).toBe('OVER_LIMIT');
  });

  it('adds RateLimit headers for the descriptor closest to its limit, with configurable names', async () => {
    const { service } = setup({ responseHeaders: { limit: 'X-Limit', remaining: 'X-Remaining', reset: 'X-Reset' } });
    const answer = await service.shouldRateLimit({
      domain: 'test',
      descriptors: [{ entries: [{ key: 'ip', value: '1' }] }, { entries: [{ key: 'user', value: 'h' }] }],
    });
    expect(answer.responseHeaders).toEqual([
      { key: 'X-Limit', value: '3' },
      { key: 'X-Remaining', value: '2' },
      { key: 'X-Reset', value: '40' },
    ]);
  });

  it('answers hot over-limit keys from the local cache without a store call', async () => {
    const { service, store, metrics, advance } = setup({}, 100);
    for (let i = 0; i < 4; i++) await service.shouldRateLimit(one('user', 'hot'));
    expect(store.calls).toHaveLength(4);
    const cached = await service.shouldRateLimit(one('user', 'hot'));
    expect(cached.overallCode).toBe('OVER_LIMIT');
    expect(store.calls).toHaveLength(4);
    expect(metrics.rules.get('test.user')!.overLimitWithLocalCache).toBe(1);
    // The entry expires with the window.
    advance(40_000);
    expect((await service.shouldRateLimit(one('user', 'hot'))).overallCode).toBe('OK');
    expect(store.calls).toHaveLength(5);
  });

  it('never caches shadow-mode keys locally', async () => {
    const { service, store } = setup({}, 100);
    for (let i = 0; i < 3; i++) await service.shouldRateLimit(one('shadow'));
    expect(store.calls).toHaveLength(3);
  });

  it('fails open or closed per failure mode when the store fails, and counts it', async () => {
    const open = setup({ failureMode: 'allow' });
    open.store.failing = true;
    expect(await open.service.shouldRateLimit(one('user'))).toMatchObject({ overallCode: 'OK', statuses: [{ code: 'OK' }] });
    expect(open.metrics.backendErrors).toBe(1);

    const closed = setup({ failureMode: 'deny' });
    closed.store.failing = true;
    expect(await closed.service.shouldRateLimit(one('user'))).toMatchObject({ overallCode: 'OVER_LIMIT', statuses: [{ code: 'OVER_LIMIT', limitRemaining: 0 }] });
  });
});
