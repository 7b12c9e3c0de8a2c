// Starts the gateway on deploy/examples (the compose demo), drives the walkthrough's traffic through the
// emulated Envoy, then scrapes every service: each metric of the README table (and so of the dashboard)
// must be exported by its service with the documented labels.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames, TypeUrls } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { EmulatedResponse } from '../envoy/emulate-request.js';
import { startGateway, type GatewayHandle, type GatewayServiceName } from '../gateway.js';
import { repoRoot } from '../service.js';
import { waitFor } from '../wait-for.js';
import { documentedMetrics } from './observability-files.js';

/** Metrics that count events this test does not cause (an ACME order, an IdP outage, a remote JWKS). */
const NEEDS_AN_EVENT_NOT_CAUSED_HERE = new Set([
  'gatehouse_authz_errors_total',
  'gatehouse_authz_jwks_fetches_total',
  'gatehouse_certs_seconds_until_expiry',
  'gatehouse_certs_orders_total',
  'gatehouse_certs_acme_request_duration_seconds',
  'gatehouse_certs_acme_rate_limited_total',
  'gatehouse_certs_acme_call_delay_seconds',
  // A config resource refused while an older version serves: e2e/specs/walkthrough-typos.spec.ts causes it.
  'gatehouse_config_stale_resources',
  'gatehouse_config_refused_total',
  // Counts forged Redis entries: the redis-trust.int.test.ts files of each service cause it.
  'gatehouse_redis_untrusted_total',
]);

const documented = documentedMetrics(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
const mint = (sub: string, ...flags: string[]): string =>
  execFileSync(process.execPath, [join(repoRoot, 'deploy/demo-token/mint-token.mjs'), '--sub', sub, ...flags], { encoding: 'utf8' }).trim();

/** Family name to the label names seen on its samples (histogram series folded into the family). */
function exposition(text: string): Map<string, Set<string>> {
  const families = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!match) continue;
    const family = match[1]!.replace(/_(bucket|sum|count)$/, '');
    const labels = families.get(family) ?? new Set<string>();
    for (const [, name] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) {
      if (name !== 'le' && !name!.startsWith('otel_')) labels.add(name!);
    }
    families.set(family, labels);
  }
  return families;
}

/**
 * A proxy that rejects the clusters it is sent, as an Envoy does when it cannot load them: an ADS stream
 * answering the first CDS response with error_detail (a NACK). The stream stays open until close().
 */
async function connectNackingProxy(xdsAddress: string, nodeCluster: string): Promise<{ close(): void }> {
  const Ads = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), 'Ads');
  const client = new Ads(xdsAddress, credentials.createInsecure()) as unknown as Client &
    Record<'StreamAggregatedResources', () => ClientDuplexStream<object, { type_url?: string; nonce?: string }>>;
  const call = client.StreamAggregatedResources();
  const node = { id: 'nacking-proxy', cluster: nodeCluster };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('xds sent no clusters within 10 s')), 10_000);
    call.once('data', (response) => {
      clearTimeout(timer);
      call.write({ node, type_url: TypeUrls.cluster, version_info: '', response_nonce: response.nonce, error_detail: { code: 3, message: 'test: cluster rejected' } });
      resolve();
    });
    call.on('error', () => undefined);
    call.write({ node, type_url: TypeUrls.cluster, resource_names: [] });
  });
  return {
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

let gw: GatewayHandle;
let proxy: { close(): void } | undefined;
const scraped = new Map<GatewayServiceName, Map<string, Set<string>>>();
const texts = new Map<GatewayServiceName, string>();
const statuses: number[] = [];
let firstAllowedUpstream: Record<string, string> | undefined;
let expired: EmulatedResponse | undefined;
let bobStatus: number | undefined;
let publicStatus: number | undefined;
let appForApiClient: EmulatedResponse | undefined;

beforeAll(async () => {
  gw = await startGateway({
    configDir: join(repoRoot, 'deploy', 'examples'),
    nodeCluster: 'default/gateway',
    // The NACKing proxy below dials xds in plaintext.
    transport: 'plaintext',
    env: {
      authz: { AUTHZ_COOKIE_SECRET: 'demo-cookie-secret-for-tests-only-0123456789' },
      // The default 10 ms Redis budget answers OK (failure mode "allow") when this shared machine is slow;
      // the walkthrough's counts must not depend on the machine's load.
      ratelimit: { RATELIMIT_REDIS_TIMEOUT_MS: '2000' },
    },
  });
  // The limit arrives from xds over Redis: wait until ratelimit has it, or the first hits would find no domain.
  const rlconfig = `${gw.service('ratelimit').adminUrl}/rlconfig`;
  const limits = await waitFor(async () => ((await (await fetch(rlconfig)).text()).includes('BackendTrafficPolicy default/api-per-user-limit') ? true : undefined), {
    timeoutMs: 20_000,
    description: 'ratelimit to load the per-user limit published by xds',
  });
  expect(limits).toBe(true);
  // A fixed one-minute window: start the burst well inside a minute so all of it counts in one window.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
  const token = mint('alice');
  // The README walkthrough: without a token 401; alice's first 5 in a minute pass (a spoofed x-user-id is
  // replaced by hers), the next ones get 429; an expired token is refused; bob has his own budget.
  statuses.push((await gw.request(8080, { path: '/api/orders' })).status);
  for (let i = 0; i < 7; i++) {
    const response = await gw.request(8080, { path: '/api/orders', headers: { authorization: `Bearer ${token}`, ...(i === 0 && { 'x-user-id': 'bob' }) } });
    statuses.push(response.status);
    if (i === 0) firstAllowedUpstream = response.upstream?.headers;
  }
  expired = await gw.request(8080, { path: '/api/orders', headers: { authorization: `Bearer ${mint('alice', '--expired')}` } });
  bobStatus = (await gw.request(8080, { path: '/api/orders', headers: { authorization: `Bearer ${mint('bob')}` } })).status;
  publicStatus = (await gw.request(8080, { path: '/hello' })).status;
  // The OIDC app: API clients without a session are told to log in (no IdP round trip needed for that).
  appForApiClient = await gw.request(8080, { path: '/app/', headers: { accept: 'application/json' } });
  // A domain nobody configured (answered OK, counted).
  await gw.peers.shouldRateLimit({ domain: 'nobody-configured-this', descriptors: [{ entries: [{ key: 'k', value: 'v' }] }] });
  // A connected proxy that NACKs (kept connected while scraping, so it counts as a connected stream).
  proxy = await connectNackingProxy(gw.service('xds').grpcAddress, 'default/gateway');
  await waitFor(async () => ((await (await fetch(`${gw.service('xds').adminUrl}/nacks`)).json()) as { nacks: unknown[] }).nacks.length > 0, {
    description: 'xds to record the NACK',
  });
  for (const name of ['xds', 'authz', 'ratelimit', 'certs'] as const) {
    texts.set(name, await (await fetch(`${gw.service(name).adminUrl}/metrics`)).text());
    scraped.set(name, exposition(texts.get(name)!));
  }
}, 60_000);

afterAll(async () => {
  proxy?.close();
  await gw?.stop();
});

describe('metrics exported by the services running the compose demo', () => {
  it('saw the README walkthrough: 401 without a token, 5 allowed then 429 per user, expired tokens refused', () => {
    expect(statuses.join(' ')).toBe('401 200 200 200 200 200 429 429');
    expect(firstAllowedUpstream).toMatchObject({ 'x-user-id': 'alice', 'x-gatehouse-subject': 'alice' });
    expect(expired?.status).toBe(401);
    expect(expired?.body).toContain('GH_AUTHZ_JWT_EXPIRED');
    expect(bobStatus).toBe(200);
    expect(publicStatus).toBe(200);
    expect(appForApiClient?.status).toBe(401);
    expect(appForApiClient?.body).toContain('GH_AUTHZ_LOGIN_REQUIRED');
  });

  it.each(documented.map((m) => [m.name, m] as const))('%s is exported with its documented labels', (name, metric) => {
    const services: GatewayServiceName[] = metric.service === 'every service' ? ['xds', 'authz', 'ratelimit', 'certs'] : [metric.service as GatewayServiceName];
    for (const service of services) {
      const labels = scraped.get(service)?.get(name);
      if (!labels) {
        expect(NEEDS_AN_EVENT_NOT_CAUSED_HERE, `${service} does not export ${name}`).toContain(name);
        continue;
      }
      expect(NEEDS_AN_EVENT_NOT_CAUSED_HERE.has(name), `${name} is exported here: take it off the not-caused list`).toBe(false);
      expect([...labels].sort(), `${service} ${name}`).toEqual([...metric.labels].sort());
    }
  });

  it('counts what the walkthrough did: checks allowed and denied by reason, hits within and over the limit, the unknown domain, the NACK', async () => {
    /** Sum of a family's samples whose labels include every given pair. */
    const sum = (text: string, family: string, labels: Record<string, string> = {}): number =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `))
        .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
        .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
    const authz = texts.get('authz') ?? '';
    expect(sum(authz, 'gatehouse_authz_checks_total', { policy: 'default/api-jwt', outcome: 'allowed', reason: 'jwt' })).toBe(8);
    expect(sum(authz, 'gatehouse_authz_checks_total', { policy: 'default/api-jwt', outcome: 'denied', reason: 'GH_AUTHZ_JWT_MISSING' })).toBe(1);
    expect(sum(authz, 'gatehouse_authz_checks_total', { policy: 'default/api-jwt', outcome: 'denied', reason: 'GH_AUTHZ_JWT_EXPIRED' })).toBe(1);
    expect(sum(authz, 'gatehouse_authz_checks_total', { policy: 'default/app-oidc', outcome: 'denied', reason: 'GH_AUTHZ_LOGIN_REQUIRED' })).toBe(1);
    // alice's token is verified once and then answered from the cache 6 times; the expired and bob's tokens are new.
    expect(sum(authz, 'gatehouse_authz_cache_lookups_total', { policy: 'default/api-jwt', cache: 'jwt', result: 'hit' })).toBe(6);
    expect(sum(authz, 'gatehouse_authz_cache_lookups_total', { policy: 'default/api-jwt', cache: 'jwt', result: 'miss' })).toBe(3);
    // ratelimit's per-rule counts are folded in after the answers are sent: scrape until they settle.
    let last = '';
    onTestFailed(() => console.log(last.split('\n').filter((l) => l.includes('rule=')).join('\n')));
    const ratelimit = await waitFor(
      async () => {
        const text = await (await fetch(`${gw.service('ratelimit').adminUrl}/metrics`)).text();
        last = text;
        return sum(text, 'ratelimit_total_hits_total') >= 8 ? text : undefined;
      },
      { timeoutMs: 10_000, description: 'ratelimit to count the 8 hits' },
    );
    expect(sum(ratelimit, 'ratelimit_total_hits_total')).toBe(8);
    // Allowed hits; near_limit is the part of them above NEAR_LIMIT_RATIO (0.8) of the limit: alice's 5th.
    expect(sum(ratelimit, 'ratelimit_within_limit_total')).toBe(6);
    expect(sum(ratelimit, 'ratelimit_near_limit_total')).toBe(1);
    expect(sum(ratelimit, 'ratelimit_over_limit_total')).toBe(2);
    // The 7th of alice's hits was answered from the local cache (no Redis).
    expect(sum(ratelimit, 'ratelimit_over_limit_with_local_cache_total')).toBe(1);
    expect(sum(ratelimit, 'ratelimit_domain_not_found_total', { domain: 'nobody-configured-this' })).toBe(1);
    const xds = texts.get('xds') ?? '';
    expect(sum(xds, 'xds_nacks_total')).toBe(1);
    expect(sum(xds, 'xds_connected_streams')).toBeGreaterThanOrEqual(1);
  });
});
