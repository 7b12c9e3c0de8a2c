// Security regression: a process that can write Redis but lacks GATEHOUSE_CONTROL_KEY cannot lift a rate
// limit. It publishes a forged RateLimitConfigPublished and overwrites the latest-kept value: the running
// replica keeps enforcing xds's sealed config, a replica started afterwards does not apply the forgery,
// and both count the refusals in gatehouse_redis_untrusted_total. Real redis-server, real gRPC.
import { FanoutChannels, grpcServiceDefinition, rateLimitConfigPublishedCodec, SealedUses, ServiceNames } from '@gatehouse/contracts';
import { startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { FanoutChannel, startService, type RunningService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY, testSealedCodec } from '@gatehouse/kit/testing';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendRateLimitProtos } from './adapters/proto-extensions.js';
import { rateLimitService } from './service.js';

extendRateLimitProtos();
const RateLimitClient = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.rateLimit), 'RateLimitService');
type Answer = { overall_code: string; statuses: Array<{ current_limit?: { requests_per_unit: number } }> };

const domainYaml = (perHour: number) => `domain: trust\ndescriptors:\n  - key: user\n    rate_limit: { unit: hour, requests_per_unit: ${perHour} }\n`;
const publication = (version: string, perHour: number) => ({ version, domains: [{ domain: 'trust', source: 'BackendTrafficPolicy default/limits', yaml: domainYaml(perHour) }] });

let redis: RedisHandle;
const services: RunningService[] = [];
const clients: Client[] = [];
const connections: Redis[] = [];

async function startReplica(): Promise<{ service: RunningService; client: Client }> {
  const service = await startService(rateLimitService, {
    GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
    REDIS_URL: redis.url,
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    BIND_HOST: '127.0.0.1',
    GATEHOUSE_INSECURE_PLAINTEXT: 'true',
    LOG_LEVEL: 'silent',
    RATELIMIT_REDIS_TIMEOUT_MS: '1000',
  });
  services.push(service);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${service.adminPort}/healthz`)).ok, { description: 'ratelimit to answer /healthz' });
  const client = new RateLimitClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
  clients.push(client);
  return { service, client };
}

function check(client: Client, user: string): Promise<Answer> {
  const request = { domain: 'trust', descriptors: [{ entries: [{ key: 'user', value: user }] }] };
  return new Promise((resolve, reject) =>
    (client as unknown as Record<'ShouldRateLimit', (r: object, o: object, cb: (e: ServiceError | null, a: Answer) => void) => void>).ShouldRateLimit(request, { deadline: Date.now() + 2000 }, (e, a) => (e ? reject(e) : resolve(a))),
  );
}

async function untrusted(adminPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('gatehouse_redis_untrusted_total') && l.includes('source="ratelimit-config"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of services) await s.stop();
  for (const c of connections) c.disconnect();
  await redis?.stop();
});

describe('Redis is not a root of trust (ratelimit)', () => {
  it('attack: publish a forged rate limit config and overwrite the latest-kept value to lift a limit → refused, the sealed limit keeps applying', async () => {
    const attacker = new Redis(redis.url);
    connections.push(attacker);
    // xds, holding the control key, publishes 1 request per hour.
    await new FanoutChannel({ name: FanoutChannels.rateLimitConfig, codec: testSealedCodec(rateLimitConfigPublishedCodec, SealedUses.rateLimitConfig()), redis: attacker }).publish(publication('sealed-1', 1));
    const { service, client } = await startReplica();
    await waitFor(async () => (await check(client, 'probe')).statuses[0]?.current_limit?.requests_per_unit === 1, { description: 'the sealed config to apply' });

    // The attacker, with Redis access but no key, publishes 1,000,000 per hour (unsealed, as xds did before
    // sealing) and an envelope-shaped forgery, and overwrites the latest-kept value.
    const forged = rateLimitConfigPublishedCodec.encode(publication('forged', 1_000_000));
    await attacker.publish(FanoutChannels.rateLimitConfig, forged);
    await attacker.set(`${FanoutChannels.rateLimitConfig}:latest`, forged);
    await waitFor(async () => (await untrusted(service.adminPort)) >= 1, { description: 'the forged publication to be refused and counted' });

    expect((await check(client, 'alice')).overall_code).toBe('OK');
    expect((await check(client, 'alice')).overall_code).toBe('OVER_LIMIT');
    expect((await check(client, 'alice')).statuses[0]?.current_limit?.requests_per_unit).toBe(1);

    // A replica started now finds only the forged latest value: it refuses it rather than apply it.
    const late = await startReplica();
    await waitFor(async () => (await untrusted(late.service.adminPort)) >= 1, { description: 'the late replica to refuse the forged latest value' });
    const rlconfig = await (await fetch(`http://127.0.0.1:${late.service.adminPort}/rlconfig`)).text();
    expect(rlconfig).not.toContain('1000000');
  });
});
