// Security: a client-sent identity header never reaches an upstream, on routes with or without a
// SecurityPolicy. xds and authz run as processes; the emulated Envoy reads the served config over ADS
// and applies route-level header changes when the router forwards, after ext_authz, as Envoy does.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, startGateway, startJwtIssuer, waitFor, type ConfigFolderHandle, type GatewayHandle, type JwtIssuerHandle } from '@gatehouse/e2e';

const PORT = 8080;
let issuer: JwtIssuerHandle;
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  issuer = await startJwtIssuer();
  config = await copyConfigFolder(join(import.meta.dirname, '..', 'testdata', 'identity-headers'), { JWT_ISSUER: issuer.issuer, JWKS_URI: issuer.jwksUri });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', services: ['xds', 'authz'] });
  const probe = issuer.sign({ sub: 'probe', aud: 'demo-api' });
  await waitFor(async () => (await get('/api/x', { authorization: `Bearer ${probe}` })).status === 200, { timeoutMs: 20_000, description: 'the policy to reach authz' });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await issuer?.stop();
  await config?.remove();
});

function get(path: string, headers: Record<string, string>): ReturnType<GatewayHandle['request']> {
  return gw.request(PORT, { path, host: 'www.example.com', headers });
}

const spoofed = { 'x-user-id': 'admin', 'x-gatehouse-subject': 'admin', 'x-gatehouse-auth-method': 'jwt' };

describe('identity headers', () => {
  it('strips a client-sent x-user-id and x-gatehouse-* on a route without a SecurityPolicy', async () => {
    const response = await get('/', { ...spoofed, accept: 'text/html' });
    expect(response.status).toBe(200);
    expect(response.sent.check).toBeUndefined();
    expect(response.upstream?.headers).not.toHaveProperty('x-user-id');
    expect(response.upstream?.headers).not.toHaveProperty('x-gatehouse-subject');
    expect(response.upstream?.headers).not.toHaveProperty('x-gatehouse-auth-method');
    expect(response.upstream?.headers.accept).toBe('text/html');
  });

  it('keeps the verified identity authz writes on the protected route, replacing the client-sent one', async () => {
    const token = issuer.sign({ sub: 'alice', aud: 'demo-api' });
    const response = await get('/api/orders', { ...spoofed, authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(response.upstream?.headers['x-user-id']).toBe('alice');
    expect(response.upstream?.headers['x-gatehouse-subject']).toBe('alice');
    expect(response.upstream?.headers['x-gatehouse-auth-method']).toBe('jwt');
  });
});
