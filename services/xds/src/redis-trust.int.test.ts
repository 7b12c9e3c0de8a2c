// Security regressions: a process that can write Redis but lacks GATEHOUSE_CONTROL_KEY cannot change what
// xds serves. It writes admin-API resources straight into the hash (a new value, an overwritten one, a
// deleted one) and announces them, and it forges CertificateIssued: none of it is served, the last trusted
// version is, and every refusal is counted. Real redis-server, xds in-process, read back from /config_dump.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateIssuedCodec, encryptPrivateKey, FanoutChannels, gatewayConfigChangedCodec, SealedUses } from '@gatehouse/contracts';
import { startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { testSealedCodec } from '@gatehouse/kit/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_RESOURCES_KEY } from './adapters/admin-resource-store.js';
import { CERTIFICATE_ISSUED_LATEST_KEY } from './adapters/certificate-secrets.js';
import { startXdsInProcess, type XdsInProcess } from './testing/in-process.js';

const ADMIN_TOKEN = randomBytes(16).toString('hex');
const KEY = randomBytes(32);
const backend = (port: number, name = 'api') => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: ${name}, namespace: default }
spec:
  endpoints:
    - ip: { address: 10.0.0.10, port: ${port} }
`;

let redis: RedisHandle;
let xds: XdsInProcess;
let dir: string;
let attacker: Redis;

beforeAll(async () => {
  redis = await startRedis();
  attacker = new Redis(redis.url);
  dir = await mkdtemp(join(tmpdir(), 'gh-xds-trust-'));
  await writeFile(join(dir, 'gateway.yaml'), await readFile(new URL('../testdata/end-to-end/gateway-acme-https.in.yaml', import.meta.url), 'utf8'));
  xds = await startXdsInProcess({ REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, ADMIN_TOKEN, CERTS_ENCRYPTION_KEY: KEY.toString('base64') });
});

afterAll(async () => {
  await xds?.stop();
  attacker?.disconnect();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const served = async (): Promise<string> => JSON.stringify(await xds.get('/config_dump'));
async function untrusted(source: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${xds.service.adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('gatehouse_redis_untrusted_total') && l.includes(`source="${source}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
async function apply(yaml: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${xds.service.adminPort}/resources`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/yaml' }, body: yaml });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe('Redis is not a root of trust (xds)', () => {
  it('attack: HSET a forged admin resource (new, overwritten, deleted) and PUBLISH the change → not served, the last trusted version is', async () => {
    await apply(backend(3777));
    await waitFor(async () => (await served()).includes('"port_value":3777'), { description: 'the admin-API override to serve' });

    // Without the key: overwrite the applied Backend, add another, announce it as xds's admin API would.
    await attacker.hset(ADMIN_RESOURCES_KEY, 'Backend/default/api', backend(6666));
    await attacker.hset(ADMIN_RESOURCES_KEY, 'Backend/default/forged', backend(6667, 'forged'));
    await attacker.publish(FanoutChannels.gatewayConfigChanged, gatewayConfigChangedCodec.encode({ version: 'forged', changed: ['Backend/default/api'] }));
    await waitFor(async () => (await untrusted('admin-resource')) >= 1, { description: 'the forged announcement to be refused' });

    // A genuine change makes every replica re-read the hash: the forged values are refused there too.
    await apply(backend(4000, 'unrelated'));
    await waitFor(async () => (await untrusted('admin-resource')) >= 3, { description: 'the forged values to be refused' });
    let dump = await served();
    expect(dump).toContain('"port_value":3777');
    expect(dump).not.toContain('"port_value":6666');

    // Deleting the applied resource behind xds's back does not remove it either.
    await attacker.hdel(ADMIN_RESOURCES_KEY, 'Backend/default/api');
    await apply(backend(4001, 'unrelated'));
    await waitFor(async () => (await untrusted('admin-resource')) >= 4, { description: 'the unannounced deletion to be refused' });
    dump = await served();
    expect(dump).toContain('"port_value":3777');
  });

  it('attack: forge a CertificateIssued (HSET latest + PUBLISH) to serve the attacker\'s certificate → refused, the issued one keeps serving', async () => {
    const issue = async (revision: number, chain: string, seal: boolean): Promise<void> => {
      const ref = `gatehouse:certs:key:default/www-tls/${revision}`;
      await attacker.set(ref, encryptPrivateKey(`KEY-${revision}`, seal ? KEY : randomBytes(32)));
      const message = { namespace: 'default', name: 'public-https-www', secret_name: 'www-tls', certificate_chain_pem: chain, private_key_ref: ref, revision, dns_names: ['www.example.com'] };
      const bytes = seal ? testSealedCodec(certificateIssuedCodec, SealedUses.certificateIssued()).encode(message) : certificateIssuedCodec.encode(message);
      await attacker.multi().hset(CERTIFICATE_ISSUED_LATEST_KEY, 'default/public-https-www', bytes).publish(FanoutChannels.certificateIssued, bytes).exec();
    };
    // certs, holding the control key, issues revision 1.
    await issue(1, 'CERT-ISSUED-BY-CERTS', true);
    await waitFor(async () => (await served()).includes('CERT-ISSUED-BY-CERTS'), { description: 'the issued certificate to serve' });
    // The attacker publishes a newer revision of the same certificate, unsealed.
    await issue(2, 'CERT-FORGED-BY-ATTACKER', false);
    await waitFor(async () => (await untrusted('certificate-issued')) >= 1, { description: 'the forged CertificateIssued to be refused' });
    const dump = await served();
    expect(dump).toContain('CERT-ISSUED-BY-CERTS');
    expect(dump).not.toContain('CERT-FORGED-BY-ATTACKER');
  });
});
