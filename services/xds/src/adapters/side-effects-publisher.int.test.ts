import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authzPoliciesPublishedCodec, certificateWantedCodec, rateLimitConfigPublishedCodec, SealedUses } from '@gatehouse/contracts';
import { testControlKeyring, testSealedCodec } from '@gatehouse/kit/testing';
import { FanoutChannel } from '@gatehouse/kit';
import { createQueue } from '@gatehouse/kit/queue';
import { startRedis, waitFor, type RedisHandle as TestRedis } from '@gatehouse/e2e';
import { SideEffectsPublisher, type SideEffects } from './side-effects-publisher.js';
import type { CertificateWanted } from '../core/index.js';

let redis: TestRedis;
const connections: Redis[] = [];
const connect = (): Redis => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: null });
  connections.push(c);
  return c;
};
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis.stop();
});

const wanted: CertificateWanted = {
  namespace: 'default',
  name: 'web',
  secret_name: 'web-tls',
  dns_names: ['www.example.com'],
  issuer_ref: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  source: 'gateway/default/web/listener/https',
};

function effects(overrides: Partial<SideEffects> = {}): SideEffects {
  return {
    rateLimitDomains: [{ domain: 'default/gw', yaml: 'domain: default/gw\n', source: 'BackendTrafficPolicy default/limits' }],
    authzPolicies: [{ namespace: 'default', name: 'jwt', yaml: 'kind: SecurityPolicy\n' }],
    authzSecrets: new Map([['default/keys', { data: { key: Buffer.from('secret') } }]]),
    certificatesWanted: [wanted],
    ...overrides,
  };
}

describe('SideEffectsPublisher', () => {
  it('publishes rate limit and authz config, and queues deduplicated certificate jobs', async () => {
    const prefix = `t${Math.random()}`;
    const names = { rateLimitChannel: `${prefix}:rl`, authzChannel: `${prefix}:authz`, certsQueue: `${prefix.replace('.', '')}-certs` };
    const r = connect();
    const publisher = new SideEffectsPublisher({ redis: r, keyring: testControlKeyring, ...names, now: () => 1000 });
    const first = await publisher.publish(effects());
    expect(first.rateLimitVersion).toBeDefined();
    expect(first.authzVersion).toBeDefined();
    expect(first.certificateJobs).toEqual([expect.stringMatching(/^default\/web\/[0-9a-f]{16}$/)]);

    const rl = await new FanoutChannel({ name: names.rateLimitChannel, codec: testSealedCodec(rateLimitConfigPublishedCodec, SealedUses.rateLimitConfig(names.rateLimitChannel)), redis: r }).latest();
    expect(rl).toMatchObject({ version: first.rateLimitVersion, domains: [{ domain: 'default/gw' }], published_at_unix_ms: '1000' });
    const authz = await new FanoutChannel({ name: names.authzChannel, codec: testSealedCodec(authzPoliciesPublishedCodec, SealedUses.authzPolicies(names.authzChannel)), redis: r }).latest();
    expect(authz?.policies).toEqual([{ namespace: 'default', name: 'jwt', yaml: 'kind: SecurityPolicy\n' }]);
    expect(authz?.secrets?.['default/keys']?.data?.['key']?.toString()).toBe('secret');

    // Another replica publishing the same translation adds nothing.
    const replica = new SideEffectsPublisher({ redis: connect(), keyring: testControlKeyring, ...names });
    expect(await replica.publish(effects())).toEqual({ certificateJobs: [expect.any(String)] });
    const queue = createQueue(names.certsQueue, r);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs).toHaveLength(1);
    expect(testSealedCodec(certificateWantedCodec, SealedUses.job(names.certsQueue)).fromJobData(jobs[0]!.data)).toMatchObject({ namespace: 'default', name: 'web', dns_names: ['www.example.com'] });

    // A changed request is a new job.
    await publisher.publish(effects({ certificatesWanted: [{ ...wanted, dns_names: ['www.example.com', 'example.com'] }] }));
    expect(await queue.getJobs(['waiting', 'delayed', 'prioritized'])).toHaveLength(2);
    await Promise.all([publisher.close(), replica.close(), queue.close()]);
  });

  it('attack: put an older sealed publication (or junk) back as the latest-kept value → the periodic check restores the newest', async () => {
    const prefix = `t${Math.random()}`;
    const names = { rateLimitChannel: `${prefix}:rl`, authzChannel: `${prefix}:authz`, certsQueue: `${prefix.replace('.', '')}-certs` };
    const r = connect();
    const publisher = new SideEffectsPublisher({ redis: r, keyring: testControlKeyring, ...names, recheckMs: 50 });
    try {
      await publisher.publish(effects({ certificatesWanted: [] }));
      const older = (await r.getBuffer(`${names.rateLimitChannel}:latest`))!;
      await publisher.publish(effects({ certificatesWanted: [], rateLimitDomains: [], authzPolicies: [] }));
      const rlNewest = (await r.getBuffer(`${names.rateLimitChannel}:latest`))!;
      const authzNewest = (await r.getBuffer(`${names.authzChannel}:latest`))!;
      await r.set(`${names.rateLimitChannel}:latest`, older);
      await r.set(`${names.authzChannel}:latest`, 'junk');
      await waitFor(async () => (await r.getBuffer(`${names.rateLimitChannel}:latest`))!.equals(rlNewest), { description: 'the newest rate limit config to be restored' });
      await waitFor(async () => (await r.getBuffer(`${names.authzChannel}:latest`))!.equals(authzNewest), { description: 'the newest policies to be restored' });
    } finally {
      await publisher.close();
    }
  });
});
