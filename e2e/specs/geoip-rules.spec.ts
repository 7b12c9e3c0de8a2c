// Journey: a SecurityPolicy's clientIPGeoLocations rules judge the client address a ClientTrafficPolicy
// detects (one trusted X-Forwarded-For hop), through the whole gateway (Redis, xds, authz as processes,
// authz reading MaxMind DB files named by AUTHZ_GEOIP_*_DB) and the emulated Envoy reading the served
// config over ADS. Every request arrives from the same proxy, which is in no database.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityRecord, writeMmdb } from '../../services/authz/src/testing/mmdb-writer.js';
import { copyConfigFolder, startGateway, waitFor, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';

const PORT = 8080;
const PEER = '192.0.2.10';
const SPAIN = '81.0.3.4';
const SPAIN_VPN = '81.0.200.9';
const US = '8.8.8.8';

let config: ConfigFolderHandle;
let gw: GatewayHandle;
let upstream: Server;
let databases: string;

beforeAll(async () => {
  upstream = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('shop'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as { port: number }).port;
  databases = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-geoip-'));
  writeFileSync(join(databases, 'city.mmdb'), writeMmdb({ databaseType: 'GeoLite2-City', networks: [{ network: '81.0.0.0/16', data: cityRecord('ES', 'MD', 'Madrid') }, { network: '8.8.8.0/24', data: cityRecord('US') }] }));
  writeFileSync(join(databases, 'anonymous.mmdb'), writeMmdb({ databaseType: 'GeoIP2-Anonymous-IP', networks: [{ network: '81.0.200.0/24', data: { is_anonymous: true, is_anonymous_vpn: true } }] }));
  config = await copyConfigFolder(join(import.meta.dirname, 'geoip-rules'), { UPSTREAM_PORT: String(port) });
  gw = await startGateway({
    configDir: config.dir,
    nodeCluster: 'geo/edge',
    env: { authz: { AUTHZ_GEOIP_CITY_DB: join(databases, 'city.mmdb'), AUTHZ_GEOIP_ANONYMOUS_IP_DB: join(databases, 'anonymous.mmdb') } },
  });
  // authz gets the policy from xds over Redis: wait until a Spanish address gets through.
  await waitFor(async () => (await get({ 'x-forwarded-for': SPAIN })).status === 200, { timeoutMs: 20_000, description: 'the geo policy to reach authz' });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise((resolve) => upstream?.close(resolve));
  if (databases) rmSync(databases, { recursive: true, force: true });
});

function get(headers: Record<string, string> = {}): ReturnType<GatewayHandle['request']> {
  return gw.request(PORT, { path: '/shop/cart', clientAddress: PEER, headers });
}

describe('clientIPGeoLocations rules judge the detected client address', () => {
  it('lets a Spanish client in through the trusted proxy', async () => {
    const response = await get({ 'x-forwarded-for': SPAIN });
    expect(response.status).toBe(200);
    expect(response.sent.check).toMatchObject({ attributes: { source: { address: { socket_address: { address: SPAIN } } } } });
  });

  it('keeps out a US client, one that forged a Spanish address in front, an anonymous Spanish network, and the proxy itself', async () => {
    expect((await get({ 'x-forwarded-for': US })).status).toBe(403);
    expect((await get({ 'x-forwarded-for': `${SPAIN}, ${US}` })).status).toBe(403);
    expect((await get({ 'x-forwarded-for': SPAIN_VPN })).status).toBe(403);
    expect((await get()).status).toBe(403);
  });
});
