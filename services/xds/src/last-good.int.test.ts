// Walkthrough step 5, end to end: a typo in the BackendTrafficPolicy of deploy/examples/jwt-api.yaml
// keeps the route's rate_limits and the published rate limit domain, with the error in /status and
// the stale resource counted in /metrics; fixing the typo serves the new version.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FanoutChannels, rateLimitConfigPublishedCodec, SealedUses } from '@gatehouse/contracts';
import { FanoutChannel } from '@gatehouse/kit';
import { testSealedCodec } from '@gatehouse/kit/testing';
import { startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { startXdsInProcess, type XdsInProcess } from './testing/in-process.js';

const BTP = 'BackendTrafficPolicy/default/api-per-user-limit';
const examples = new URL('../../../deploy/examples/', import.meta.url);

let dir: string;
let jwtApi: string;
let redis: RedisHandle;
let r: Redis;
let xds: XdsInProcess;

interface Status {
  statuses: Record<string, { ancestors?: Array<{ conditions: Array<{ type: string; status: string; reason: string; message: string }> }> }>;
}
type Dump = Record<string, { routes: Array<{ virtual_hosts: Array<{ routes: Array<{ match: { path_separated_prefix?: string }; route?: { rate_limits?: unknown[] } }> }> }> }>;

async function apiRateLimits(): Promise<unknown[] | undefined> {
  const dump = await xds.get<Dump>('/config_dump?node_cluster=default/gateway');
  const routes = dump['default/gateway']?.routes.flatMap((rc) => rc.virtual_hosts.flatMap((vh) => vh.routes)) ?? [];
  return routes.find((route) => route.match.path_separated_prefix === '/api')?.route?.rate_limits;
}
const btpCondition = async () => (await xds.get<Status>('/status')).statuses[BTP]?.ancestors?.[0]?.conditions.find((c) => c.type === 'Accepted');
const publishedDomains = async () => (await new FanoutChannel({ name: FanoutChannels.rateLimitConfig, codec: testSealedCodec(rateLimitConfigPublishedCodec, SealedUses.rateLimitConfig()), redis: r }).latest())?.domains ?? [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-xds-last-good-'));
  jwtApi = await readFile(new URL('jwt-api.yaml', examples), 'utf8');
  await writeFile(join(dir, 'gateway.yaml'), await readFile(new URL('gateway.yaml', examples), 'utf8'));
  await writeFile(join(dir, 'jwt-api.yaml'), jwtApi);
  redis = await startRedis();
  r = new Redis(redis.url);
  xds = await startXdsInProcess({ REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir });
});
afterAll(async () => {
  await xds?.stop();
  r?.disconnect();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('last good, per resource, through the service', () => {
  it('keeps a BackendTrafficPolicy with a typo serving, reports it in /status and /metrics, and serves the fix', async () => {
    const limits = await waitFor(apiRateLimits, { description: 'rate_limits on /api' });
    const domains = await waitFor(async () => ((await publishedDomains()).length > 0 ? publishedDomains() : undefined), { description: 'rate limit domain published' });
    expect(domains[0]!.yaml).toContain('requests_per_unit: 5');

    await writeFile(join(dir, 'jwt-api.yaml'), jwtApi.replace('requests: 5', 'reqests: 5'));
    const refused = await waitFor(async () => {
      const condition = await btpCondition();
      return condition?.status === 'False' ? condition : undefined;
    }, { description: 'the typo reported on the BackendTrafficPolicy' });
    expect(refused.reason).toBe('Invalid');
    expect(refused.message).toMatch(/jwt-api\.yaml:\d+: BackendTrafficPolicy default\/api-per-user-limit: \/spec\/rateLimit\/global\/rules\/0\/limit\/requests: GH_XDS_SCHEMA: /);
    expect(refused.message).toContain('generation 2 is refused, generation 1 (the last accepted version) keeps serving');
    expect(await apiRateLimits()).toEqual(limits);
    expect(await publishedDomains()).toEqual(domains);
    const metrics = await (await fetch(`http://127.0.0.1:${xds.service.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_config_stale_resources\{[^}]*kind="BackendTrafficPolicy"[^}]*\} 1/);

    await writeFile(join(dir, 'jwt-api.yaml'), jwtApi.replace('requests: 5', 'requests: 7'));
    await waitFor(async () => (await publishedDomains())[0]?.yaml?.includes('requests_per_unit: 7'), { description: 'the fixed limit published' });
    await waitFor(async () => (await btpCondition())?.status === 'True', { description: 'the fixed policy accepted' });
    expect(await apiRateLimits()).toBeDefined();
  });
});
