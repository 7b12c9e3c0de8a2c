import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateIssuedCodec, certificateWantedCodec, QueueNames, SealedUses } from '@gatehouse/contracts';
import { QUEUE_PREFIX, startService, type RunningService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY, testSealedCodec } from '@gatehouse/kit/testing';
import { Queue } from 'bullmq';
import { freePort, startPebble, startRedis, type PebbleHandle, type RedisHandle } from '@gatehouse/e2e';
import { eventually, pebbleIssuerYaml, redisClient, subscribeIssued } from './testing/certs-fixture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certsService } from './service.js';

/** Job data as xds seals it. */
const wantedCodec = testSealedCodec(certificateWantedCodec, SealedUses.job());
const certYaml = (names: string) => `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: site, namespace: default }
spec:
  secretName: site-tls
  dnsNames: [${names}]
  issuerRef: { name: pebble, kind: ClusterIssuer }
`;

type Listed = { items: { metadata: { namespace: string; name: string }; status: { conditions: { type: string; status: string; reason: string }[]; revision?: number; notAfter?: string }; certificateChainPem?: string; source: string }[] };

describe('the certs service (on the kit) with Redis and Pebble', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let service: RunningService;
  let dir: string;
  let admin: string;
  const token = 'test-admin-token';

  beforeAll(async () => {
    redis = await startRedis();
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-config-'));
    writeFileSync(join(dir, 'issuer.yaml'), pebbleIssuerYaml(pebble.directoryUrl));
    writeFileSync(join(dir, 'site.yaml'), certYaml('site.example.test'));
    writeFileSync(join(dir, 'ca.pem'), `${pebble.caBundlePem}\n${pebble.issuingRootPem}`);
    service = await startService(certsService, {
      GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
      REDIS_URL: redis.url,
      GATEHOUSE_INSECURE_PLAINTEXT: 'true',
      BIND_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      ADMIN_PORT: '0',
      GRPC_PORT: '0',
      ADMIN_TOKEN: token,
      CERTS_CONFIG_PATH: dir,
      ACME_CA_CERTS: join(dir, 'ca.pem'),
      CERTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // The call limiter on, but tight in a short window, so a burst of one order is held back.
      CERTS_ACME_CALLS_PER_WINDOW: '5',
      CERTS_ACME_CALLS_WINDOW_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    admin = `http://127.0.0.1:${service.adminPort}`;
  });

  afterAll(async () => {
    await service?.stop();
    await pebble?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const list = async (): Promise<Listed> => (await fetch(`${admin}/certificates`)).json() as Promise<Listed>;
  const entry = async (name: string) => (await list()).items.find((i) => i.metadata.name === name);

  it('exposes its metrics on the kit /metrics endpoint', async () => {
    await eventually('an issued certificate', async () => ((await entry('site'))?.status.revision ? true : undefined), 30_000);
    const text = await (await fetch(`${admin}/metrics`)).text();
    expect(text).toMatch(/gatehouse_certs_seconds_until_expiry\{certificate="default\/site"[^}]*\} \d/);
    expect(text).toMatch(/gatehouse_certs_orders_total\{[^}]*outcome="issued"/);
    expect(text).toContain('gatehouse_certs_acme_request_duration_seconds_bucket');
    expect(text).toMatch(/gatehouse_certs_acme_call_delay_seconds_count\{ca="[^"]+"[^}]*\} [1-9]/);
  });

  it('issues the Certificate from CERTS_CONFIG_PATH and lists it with a Ready status and its chain', async () => {
    const site = await eventually('site to be Ready', async () => {
      const e = await entry('site');
      return e?.status.conditions[0]?.status === 'True' ? e : undefined;
    }, 30_000);
    expect(site.status.revision).toBe(1);
    expect(site.certificateChainPem).toContain('BEGIN CERTIFICATE');
    expect(JSON.stringify(site)).not.toContain('PRIVATE KEY');
  });

  it('accepts a CertificateWanted job from xds, and the CertificateIssued continues its trace', async () => {
    const issued = await subscribeIssued(redis.url);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const connection = redisClient(redis.url);
    const queue = new Queue(QueueNames.certificateWanted, { connection, prefix: QUEUE_PREFIX });
    await queue.add(
      'wanted',
      wantedCodec.toJobData({
        trace: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate: '' },
        namespace: 'default',
        name: 'gw-https',
        secret_name: 'gw-https-tls',
        dns_names: ['gw.example.test'],
        issuer_ref: { name: 'pebble', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        source: 'gateway/default/gw/listener/https',
      }),
      { jobId: 'default/gw-https' },
    );
    const gw = await eventually('gw-https to be Ready', async () => {
      const e = await entry('gw-https');
      return e?.status.conditions[0]?.status === 'True' ? e : undefined;
    }, 30_000);
    expect(gw.source).toBe('wanted:gateway/default/gw/listener/https');
    let message = certificateIssuedCodec.decode(await issued.next());
    while (message.name !== 'gw-https') message = certificateIssuedCodec.decode(await issued.next());
    issued.close();
    expect(message.trace?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    await queue.close();
    connection.disconnect();
  });

  it('rejects an undecodable or invalid CertificateWanted once, without retries, naming the problem', async () => {
    const connection = redisClient(redis.url);
    const queue = new Queue(QueueNames.certificateWanted, { connection, prefix: QUEUE_PREFIX });
    await queue.add('wanted', { pb: '!!not protobuf!!' }, { jobId: 'default/garbage', attempts: 5 });
    await queue.add('wanted', wantedCodec.toJobData({ namespace: 'default', name: 'nameless', secret_name: 's', dns_names: [], issuer_ref: { name: 'pebble', kind: 'ClusterIssuer', group: '' }, source: 'test' }), { jobId: 'default/nameless', attempts: 5 });
    const garbage = await eventually('the garbage job to fail', async () => ((await queue.getJob('default/garbage'))?.failedReason ? queue.getJob('default/garbage') : undefined));
    const nameless = await eventually('the nameless job to fail', async () => ((await queue.getJob('default/nameless'))?.failedReason ? queue.getJob('default/nameless') : undefined));
    expect(garbage?.failedReason).toMatch(/^GH_CERTS_WANTED_UNDECODABLE: /);
    expect(garbage?.attemptsMade).toBe(1);
    expect(nameless?.failedReason).toContain('/spec/dnsNames: GH_CERTS_CONFIG_INVALID: needs at least one DNS name');
    expect(nameless?.attemptsMade).toBe(1);
    await queue.close();
    connection.disconnect();
  });

  it('re-issues when the Certificate file changes, and keeps the last good version of a Certificate whose edit is invalid', async () => {
    writeFileSync(join(dir, '.site.yaml.tmp'), certYaml('site.example.test, extra.example.test'));
    renameSync(join(dir, '.site.yaml.tmp'), join(dir, 'site.yaml'));
    await eventually('revision 2 with the new name', async () => ((await entry('site'))?.status.revision === 2 ? true : undefined), 30_000);
    // One file: the site Certificate turns invalid, a second one is new and valid, a third was never valid.
    // Written aside and renamed into place, so the watcher never reads half a file.
    writeFileSync(
      join(dir, '.site.yaml.tmp'),
      'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: { name: site }\nspec: { dnsNames: [] }\n' +
        certYaml('shop.example.test').replace('name: site,', 'name: shop,').replace('site-tls', 'shop-tls').replace(/^/, '---') +
        '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: { name: never, namespace: default }\nspec: { secretName: never-tls, dnsNames: ["not a name"], issuerRef: { name: pebble, kind: ClusterIssuer } }\n',
    );
    renameSync(join(dir, '.site.yaml.tmp'), join(dir, 'site.yaml'));
    await eventually('the new Certificate in the same file to be listed', async () => ((await entry('shop')) ? true : undefined), 10_000);
    const site = await entry('site');
    expect(site?.status.revision).toBe(2);
    expect(new X509Certificate(site!.certificateChainPem!).subjectAltName).toContain('DNS:extra.example.test');
    expect(await entry('never')).toBeUndefined();
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_config_stale_resources\{kind="Certificate"[^}]*\} 1/);
    expect(metrics).toMatch(/gatehouse_config_refused_total\{kind="Certificate"[^}]*\} 2/);
    // /status says which generation serves and why the newer one was refused, with file, line and path.
    const status = (await (await fetch(`${admin}/status`)).json()) as { stale: Array<{ key: string; generation: number; servingGeneration: number; problems: string[] }>; refused: Array<{ key: string; problems: string[] }> };
    expect(status.stale).toEqual([expect.objectContaining({ key: 'Certificate default/site', generation: 3, servingGeneration: 2 })]);
    expect(status.stale[0]!.problems.join('\n')).toMatch(/site\.yaml:\d+: Certificate default\/site: \/spec\S*: GH_CERTS_CONFIG_INVALID: /);
    expect(status.refused.map((r) => r.key)).toEqual(['Certificate default/never']);
  });

  it('forces a renewal on POST /renew, and needs the admin token', async () => {
    expect((await fetch(`${admin}/certificates/default/site/renew`, { method: 'POST' })).status).toBeGreaterThanOrEqual(401);
    expect((await fetch(`${admin}/certificates/default/site/renew`, { method: 'POST' })).status).toBeLessThanOrEqual(403);
    const res = await fetch(`${admin}/certificates/default/site/renew`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(202);
    await eventually('revision 3', async () => ((await entry('site'))?.status.revision === 3 ? true : undefined), 30_000);
    expect((await fetch(`${admin}/certificates/default/nope/renew`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('revokes on POST /revoke (Pebble reports the serial revoked) and orders a replacement', async () => {
    const before = await entry('site');
    const serial = new X509Certificate(before!.certificateChainPem!).serialNumber.toLowerCase();
    const res = await fetch(`${admin}/certificates/default/site/revoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const status = await pebble.fetch(`${pebble.pebbleManagementUrl}/cert-status-by-serial/${serial}`);
    expect(((await status.json()) as { Status: string }).Status).toBe('Revoked');
    await eventually('the replacement', async () => ((await entry('site'))?.status.revision === 4 ? true : undefined), 30_000);
  });
});
