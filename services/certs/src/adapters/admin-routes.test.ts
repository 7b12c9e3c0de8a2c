import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVATE_KEY, type Certificate } from '../core/resources.js';
import { computeStatus } from '../core/status.js';
import { certificateAdminRoutes, type CertificateAdmin } from './admin-routes.js';

const spec: Certificate = {
  namespace: 'shop',
  name: 'web',
  secretName: 'web-tls',
  dnsNames: ['shop.example.com'],
  issuerRef: { name: 'le', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  privateKey: DEFAULT_PRIVATE_KEY,
  source: 'file:certs.yaml',
};

// The admin API is built without a port and driven with inject(); the certificate manager behind it
// is replaced by a plain object with the same three methods.
function app(admin: Partial<CertificateAdmin>) {
  const server = Fastify();
  void server.register(certificateAdminRoutes, {
    admin: {
      listStatuses: async () => [],
      renewNow: async () => false,
      revoke: async () => 'unknown',
      ...admin,
    },
    adminToken: 'secret',
  });
  return server;
}

describe('certificate admin routes', () => {
  it('lists Certificates as cert-manager objects with status and chain', async () => {
    const now = Date.now();
    const status = computeStatus({ revision: 3, failures: 0, notBefore: now - 1000, notAfter: now + 86_400_000, renewalTime: now + 3600_000 }, now);
    const res = await app({ listStatuses: async () => [{ namespace: 'shop', name: 'web', spec, status, certificateChainPem: '-----BEGIN CERTIFICATE-----\n...' }] }).inject({ method: 'GET', url: '/certificates' });
    expect(res.statusCode).toBe(200);
    const item = res.json().items[0];
    expect(item).toMatchObject({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { namespace: 'shop', name: 'web' }, spec: { secretName: 'web-tls' }, status: { revision: 3 } });
    expect(item.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'Ready' });
    expect(item.certificateChainPem).toContain('BEGIN CERTIFICATE');
  });

  it('answers renew with 202, an unknown certificate with 404 and a code', async () => {
    const server = app({ renewNow: async (id) => id === 'shop/web' });
    const auth = { authorization: 'Bearer secret' };
    expect((await server.inject({ method: 'POST', url: '/certificates/shop/web/renew', headers: auth })).statusCode).toBe(202);
    const missing = await server.inject({ method: 'POST', url: '/certificates/shop/nope/renew', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('GH_CERTS_CERTIFICATE_UNKNOWN');
  });

  it('answers revoke of a certificate never issued with 409', async () => {
    const res = await app({ revoke: async () => 'not-issued' }).inject({ method: 'POST', url: '/certificates/shop/web/revoke', headers: { authorization: 'Bearer secret' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('GH_CERTS_CERTIFICATE_NOT_ISSUED');
  });

  it('refuses POSTs without the admin token', async () => {
    const res = await app({ renewNow: async () => true }).inject({ method: 'POST', url: '/certificates/shop/web/renew' });
    expect(res.statusCode).toBe(401);
  });
});
