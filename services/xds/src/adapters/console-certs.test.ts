import { describe, expect, it } from 'vitest';
import type { CertificateView } from '@gatehouse/console/model';
import { CertsNotReachableYet, CertsStatus, managedCertificates, mergeManaged } from './console-certs.js';

// As the certs service's GET /certificates answers (services/certs/src/adapters/admin-routes.ts).
const list = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      metadata: { namespace: 'default', name: 'www' },
      spec: { secretName: 'www-tls', dnsNames: ['www.example.test'], issuerRef: { name: 'pebble', kind: 'ClusterIssuer' } },
      status: {
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' },
          { type: 'Issuing', status: 'False', reason: 'Failed', message: 'the CA said no' },
        ],
        renewalTime: '2026-02-01T00:00:00.000Z',
        lastFailureTime: '2026-01-02T00:00:00.000Z',
        failedIssuanceAttempts: 2,
        nextAttemptTime: '2026-01-02T01:00:00.000Z',
      },
    },
    { metadata: { namespace: 'shop', name: 'api' }, spec: { secretName: 'api-tls', dnsNames: ['api.example.test'], issuerRef: { name: 'le' } }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as it does not exist yet' }] } },
  ],
};

describe('managedCertificates', () => {
  it('keys each Certificate by the Secret it writes, with its renewal, last failure and next attempt', () => {
    const managed = managedCertificates(list);
    expect([...managed.keys()]).toEqual(['default/www-tls', 'shop/api-tls']);
    expect(managed.get('default/www-tls')).toEqual({
      certificate: 'default/www',
      issuerRef: 'ClusterIssuer pebble',
      dnsNames: ['www.example.test'],
      ready: { status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' },
      issuing: { reason: 'Failed', message: 'the CA said no' },
      renewalTime: '2026-02-01T00:00:00.000Z',
      lastFailureTime: '2026-01-02T00:00:00.000Z',
      failedIssuanceAttempts: 2,
      nextAttemptTime: '2026-01-02T01:00:00.000Z',
    });
  });
});

describe('mergeManaged', () => {
  it('adds what certs says to the served certificate, and lists a managed one not issued yet', () => {
    const served: CertificateView[] = [{ name: 'default/www-tls', served: true, hostnames: ['www.example.test'], gateways: ['default/public'], notAfter: '2026-03-01T00:00:00.000Z' }];
    const merged = mergeManaged(served, managedCertificates(list));
    expect(merged.map((c) => [c.name, c.served, c.managed?.certificate])).toEqual([
      ['default/www-tls', true, 'default/www'],
      ['shop/api-tls', false, 'shop/api'],
    ]);
    expect(merged[1]!.hostnames).toEqual(['api.example.test']);
  });
});

describe('CertsStatus', () => {
  /** Resolves once `check` holds, polling every 20 ms (no timing assertion: the test times out instead). */
  async function until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((r) => setTimeout(r, 20));
  }

  it('retries quietly until certs answers once, then reports failures as they are', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify(list)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // certs is not up yet: the port is closed.
    const errors: unknown[] = [];
    const status = new CertsStatus({ url: `http://127.0.0.1:${port}`, firstRetryMs: 20, intervalMs: 200, onError: (err) => errors.push(err) });
    status.start();
    try {
      await until(() => errors.length >= 2);
      expect(errors.every((e) => e instanceof CertsNotReachableYet)).toBe(true);
      expect(String((errors[0] as Error).message)).toContain('not reachable yet');
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      await until(() => status.current().size === 2);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const before = errors.length;
      await until(() => errors.length > before);
      expect(errors.at(-1)).not.toBeInstanceOf(CertsNotReachableYet);
      // The last good answer keeps showing.
      expect(status.current().size).toBe(2);
    } finally {
      status.stop();
      server.close();
    }
  }, 30_000);
});
