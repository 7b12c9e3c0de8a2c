import { describe, expect, it } from 'vitest';
import { parseKeptCounters, parseMetricsTargets, TrafficHistory } from './console-traffic.js';

// As the kit's Prometheus exporter writes them (see e2e/harness/deploy-checks/dashboard-metrics.int.test.ts).
const authzText = (allowed: number, denied: number) => `# HELP gatehouse_authz_checks_total Check calls by policy, outcome and reason
# TYPE gatehouse_authz_checks_total counter
gatehouse_authz_checks_total{policy="default/api-jwt",outcome="allowed",reason="jwt"} ${allowed}
gatehouse_authz_checks_total{policy="default/api-jwt",outcome="denied",reason="GH_AUTHZ_JWT_MISSING"} ${denied}
gatehouse_authz_jwks_fetches_total{outcome="ok"} 3
`;
const ratelimitText = (hits: number, over: number) => `ratelimit_total_hits_total{rule="default/gateway/http.x-user-id",domain="default/gateway/http"} ${hits}
ratelimit_over_limit_total{rule="default/gateway/http.x-user-id",domain="default/gateway/http"} ${over}
`;

describe('parseMetricsTargets', () => {
  it('reads name=url pairs, and refuses anything else naming the variable', () => {
    expect(parseMetricsTargets('authz=http://authz:9002/metrics, ratelimit=http://ratelimit:6070/metrics')).toEqual([
      { name: 'authz', url: 'http://authz:9002/metrics' },
      { name: 'ratelimit', url: 'http://ratelimit:6070/metrics' },
    ]);
    expect(parseMetricsTargets(undefined)).toEqual([]);
    expect(() => parseMetricsTargets('http://authz:9002/metrics')).toThrow(/CONSOLE_METRICS_URLS/);
  });
});

describe('parseKeptCounters', () => {
  it('keeps authz checks and rate limit counters by their naming labels, and nothing else', () => {
    const kept = parseKeptCounters(authzText(8, 1) + ratelimitText(7, 2));
    expect([...kept.values()]).toEqual([
      { metric: 'authz_checks', labels: { policy: 'default/api-jwt', outcome: 'allowed', reason: 'jwt' }, value: 8 },
      { metric: 'authz_checks', labels: { policy: 'default/api-jwt', outcome: 'denied', reason: 'GH_AUTHZ_JWT_MISSING' }, value: 1 },
      { metric: 'ratelimit_hits', labels: { rule: 'default/gateway/http.x-user-id' }, value: 7 },
      { metric: 'ratelimit_over_limit', labels: { rule: 'default/gateway/http.x-user-id' }, value: 2 },
    ]);
  });
});

describe('TrafficHistory', () => {
  it('gives each series its increase per interval, counting a restarted counter from zero', async () => {
    const pages = [authzText(5, 0), authzText(8, 1), authzText(2, 1)];
    const history = new TrafficHistory({ targets: [{ name: 'authz', url: 'http://authz.test/metrics' }], fetch: async () => new Response(pages.shift()!) });
    await history.scrape(0);
    await history.scrape(10_000);
    await history.scrape(20_000);
    const view = history.view();
    expect(view.times).toEqual(['1970-01-01T00:00:10.000Z', '1970-01-01T00:00:20.000Z']);
    expect(view.series.map((s) => [s.labels.outcome, s.deltas, s.total])).toEqual([
      ['allowed', [3, 2], 2],
      ['denied', [1, 0], 1],
    ]);
  });

  it('says which service could not be read, and tells no increase across the gap', async () => {
    let up = true;
    const history = new TrafficHistory({
      targets: [{ name: 'ratelimit', url: 'http://ratelimit.test/metrics' }],
      fetch: async () => (up ? new Response(ratelimitText(4, 0)) : new Response('', { status: 503 })),
    });
    await history.scrape(0);
    up = false;
    await history.scrape(10_000);
    expect(history.view().errors).toEqual(['http://ratelimit.test/metrics: HTTP 503']);
    up = true;
    await history.scrape(20_000);
    const view = history.view();
    expect(view.errors).toEqual([]);
    expect(view.series.find((s) => s.metric === 'ratelimit_hits')!.deltas).toEqual([0, 0]);
  });

  it('is off without targets', () => {
    expect(new TrafficHistory({ targets: [] }).view()).toMatchObject({ configured: false, series: [] });
  });
});
