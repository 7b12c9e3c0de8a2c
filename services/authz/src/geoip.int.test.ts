// clientIPGeoLocations end to end in the service: real MaxMind DB files (written by the test writer,
// read by mmdb-lib) named by AUTHZ_GEOIP_*_DB, Check over gRPC with the client address Envoy reports
// (after its XFF detection), a rule needing a database that is not configured (503, /status, the
// gauge), a database replaced on disk (reloaded), and a wrong file refused at start (exit 2).
// One service per file: the kit's meter is process-global (see last-good.int.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthz, type AuthzUnderTest } from './testing/authz-service.js';
import type { CheckInput } from './testing/check-client.js';
import { cityRecord, writeMmdb, type MmdbNetwork } from './testing/mmdb-writer.js';

let dir: string;
let redis: RedisHandle;
let service: AuthzUnderTest;

const SPAIN: MmdbNetwork[] = [
  { network: '81.0.0.0/16', data: cityRecord('ES', 'MD', 'Madrid') },
  { network: '2a02:9000::/23', data: cityRecord('ES', 'AN', 'Sevilla') },
];
const cityDb = (extra: MmdbNetwork[] = []) => writeMmdb({ databaseType: 'GeoLite2-City', networks: [...SPAIN, { network: '8.8.8.0/24', data: cityRecord('US', 'CA') }, ...extra] });

const policies = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: spain, namespace: geo }
spec:
  authorization:
    defaultAction: Deny
    rules:
      - name: from-spain
        action: Allow
        principal: { clientIPGeoLocations: [{ country: ES }] }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: no-anonymous, namespace: geo }
spec:
  authorization:
    defaultAction: Allow
    rules:
      - name: anonymous
        action: Deny
        principal: { clientIPGeoLocations: [{ anonymous: { isAnonymous: true } }, { asn: 64496 }] }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: by-isp, namespace: geo }
spec:
  authorization:
    defaultAction: Allow
    rules:
      - name: bad-isp
        action: Deny
        principal: { clientIPGeoLocations: [{ isp: Example Hosting }] }
`;

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'gh-authz-geoip-'));
  writeFileSync(join(dir, 'city.mmdb'), cityDb());
  writeFileSync(join(dir, 'asn.mmdb'), writeMmdb({ databaseType: 'GeoLite2-ASN', recordSize: 24, networks: [{ network: '198.51.100.0/24', data: { autonomous_system_number: 64496, autonomous_system_organization: 'Example' } }] }));
  writeFileSync(join(dir, 'anonymous.mmdb'), writeMmdb({ databaseType: 'GeoIP2-Anonymous-IP', recordSize: 32, networks: [{ network: '6.1.0.0/16', data: { is_anonymous: true, is_anonymous_vpn: true } }] }));
  writeFileSync(join(dir, 'policies.yaml'), policies);
  service = await startAuthz({
    REDIS_URL: redis.url,
    AUTHZ_CONFIG_PATH: join(dir, 'policies.yaml'),
    AUTHZ_GEOIP_CITY_DB: join(dir, 'city.mmdb'),
    AUTHZ_GEOIP_ASN_DB: join(dir, 'asn.mmdb'),
    AUTHZ_GEOIP_ANONYMOUS_IP_DB: join(dir, 'anonymous.mmdb'),
    AUTHZ_GEOIP_RELOAD_INTERVAL: '100ms',
  });
});

afterAll(async () => {
  await service?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const answer = async (input: CheckInput): Promise<string> => {
  const result = await service.client.check(input);
  return result.status.code === 0 ? 'allowed' : `${result.denied_response.status.code} ${JSON.parse(result.denied_response.body).error}`;
};

describe('clientIPGeoLocations in the service', () => {
  it('allows a request from a Spanish address and denies one from elsewhere or unknown', async () => {
    expect(await answer({ policy: 'geo/spain', clientIp: '81.0.3.4' })).toBe('allowed');
    expect(await answer({ policy: 'geo/spain', clientIp: '2a02:9000::7' })).toBe('allowed');
    expect(await answer({ policy: 'geo/spain', clientIp: '8.8.8.8' })).toBe('Forbidden GH_AUTHZ_FORBIDDEN');
    expect(await answer({ policy: 'geo/spain', clientIp: '192.0.2.1' })).toBe('Forbidden GH_AUTHZ_FORBIDDEN');
  });

  it('looks up the client address Envoy derived from X-Forwarded-For, never the header a client wrote', async () => {
    // Behind a load balancer Envoy (clientIPDetection xForwardedFor numTrustedHops: 1) reports the XFF
    // entry the balancer appended as the source address: the Spanish client passes.
    expect(await answer({ policy: 'geo/spain', clientIp: '81.0.9.9', headers: { 'x-forwarded-for': '81.0.9.9, 10.0.0.2' } })).toBe('allowed');
    // A US client prepending a Spanish address to XFF: Envoy still reports the US address.
    expect(await answer({ policy: 'geo/spain', clientIp: '8.8.8.8', headers: { 'x-forwarded-for': '81.0.9.9, 8.8.8.8' } })).toBe('Forbidden GH_AUTHZ_FORBIDDEN');
    // An IPv4-mapped IPv6 source is the IPv4 address.
    expect(await answer({ policy: 'geo/spain', clientIp: '::ffff:81.0.9.9' })).toBe('allowed');
  });

  it('denies anonymous networks and a listed ASN, and lets others through', async () => {
    expect(await answer({ policy: 'geo/no-anonymous', clientIp: '6.1.0.3' })).toBe('Forbidden GH_AUTHZ_FORBIDDEN');
    expect(await answer({ policy: 'geo/no-anonymous', clientIp: '198.51.100.20' })).toBe('Forbidden GH_AUTHZ_FORBIDDEN');
    expect(await answer({ policy: 'geo/no-anonymous', clientIp: '81.0.3.4' })).toBe('allowed');
  });

  it('fails closed with 503 when a rule needs a database that is not configured, and says so in /status and /metrics', async () => {
    expect(await answer({ policy: 'geo/by-isp', clientIp: '81.0.3.4' })).toBe('ServiceUnavailable GH_AUTHZ_GEOIP_UNAVAILABLE');
    const status = (await service.status()) as unknown as { geoip: { loaded: { kind: string; databaseType: string }[]; policies: { policy: string; needs: string[]; missing: string[] }[] } };
    expect(status.geoip.loaded.map((d) => `${d.kind} ${d.databaseType}`).sort()).toEqual(['anonymousIp GeoIP2-Anonymous-IP', 'asn GeoLite2-ASN', 'city GeoLite2-City']);
    expect(status.geoip.policies).toEqual([
      { policy: 'geo/by-isp', needs: ['isp'], missing: ['isp'] },
      { policy: 'geo/no-anonymous', needs: ['asn', 'anonymousIp'], missing: [] },
      { policy: 'geo/spain', needs: ['city'], missing: [] },
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${service.running.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_authz_geoip_missing_databases\{[^}]*policy="geo\/by-isp"[^}]*\} 1\n/);
    expect(metrics).not.toMatch(/gatehouse_authz_geoip_missing_databases\{[^}]*policy="geo\/spain"/);
    expect(service.errors.some((line) => line.includes('GH_AUTHZ_GEOIP_UNAVAILABLE'))).toBe(true);
  });

  it('reloads a database replaced on disk, and keeps the loaded one when the new file is not a database', async () => {
    writeFileSync(join(dir, 'city.next'), cityDb([{ network: '8.8.8.0/24', data: cityRecord('ES', 'CT', 'Barcelona') }]));
    renameSync(join(dir, 'city.next'), join(dir, 'city.mmdb'));
    await waitFor(async () => (await answer({ policy: 'geo/spain', clientIp: '8.8.8.8' })) === 'allowed', { timeoutMs: 20_000, description: 'the replaced City database' });
    writeFileSync(join(dir, 'city.mmdb'), 'not a database');
    await waitFor(() => service.errors.some((line) => line.includes('geo database city not reloaded')), { timeoutMs: 20_000, description: 'the failed reload' });
    expect(await answer({ policy: 'geo/spain', clientIp: '8.8.8.8' })).toBe('allowed');
  });

  it('refuses at start a file that is not a database of its kind (exit 2, one line naming the variable)', () => {
    for (const [name, value] of [['AUTHZ_GEOIP_CITY_DB', join(dir, 'asn.mmdb')], ['AUTHZ_GEOIP_ANONYMOUS_IP_DB', join(dir, 'policies.yaml')], ['AUTHZ_GEOIP_ISP_DB', join(dir, 'missing.mmdb')]] as const) {
      const result = spawnSync(process.execPath, [join(repoRoot, 'services/authz/dist/main.js')], {
        env: { ...process.env, GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY, GATEHOUSE_INSECURE_PLAINTEXT: 'true', REDIS_URL: redis.url, GRPC_PORT: '0', ADMIN_PORT: '0', [name]: value },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status, name).toBe(2);
      expect(result.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(result.stderr).toContain(name);
    }
  });
});
