import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildAdminServer } from './admin-server.js';
import { Readiness } from './readiness.js';

const logger = pino({ level: 'silent' });
let app: FastifyInstance;

function build(adminToken: string | undefined, readiness = new Readiness(), readToken?: string): FastifyInstance {
  app = buildAdminServer({
    logger,
    readiness,
    adminToken,
    readToken,
    serveMetrics: (_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end('# metrics\n');
    },
  });
  app.post('/things', async () => ({ changed: true }));
  app.post('/open', { config: { public: true } }, async () => ({ open: true }));
  app.get('/applied', { config: { requiresToken: true } }, async () => ({ secret: 'operators only' }));
  app.get('/status', async () => ({ serving: 3 }));
  return app;
}

afterEach(async () => app?.close());

describe('admin server', () => {
  it('serves /healthz and /metrics', async () => {
    build(undefined);
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const metrics = await app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toBe('# metrics\n');
  });

  it('reports not ready until every gate and probe passes', async () => {
    const readiness = new Readiness();
    readiness.require('config');
    let redisUp = false;
    readiness.probe('redis', () => redisUp);
    build(undefined, readiness);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    readiness.set('config', true);
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'not ready', checks: { config: true, redis: false } });
    redisUp = true;
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    readiness.markShuttingDown();
    expect((await app.inject('/readyz')).statusCode).toBe(503);
  });

  it('with ADMIN_READ_TOKEN, reading needs it or ADMIN_TOKEN; the probes stay open and operator-only routes still need ADMIN_TOKEN', async () => {
    build('admin-t', new Readiness(), 'read-t');
    const as = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});
    for (const url of ['/status', '/metrics']) {
      expect((await app.inject({ url })).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: as('wrong') })).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: as('read-t') })).statusCode, url).toBe(200);
      expect((await app.inject({ url, headers: as('admin-t') })).statusCode, url).toBe(200);
    }
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    expect((await app.inject({ url: '/applied', headers: as('read-t') })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/things', headers: as('read-t') })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/things', headers: as('admin-t') })).statusCode).toBe(200);
  });

  it('requires ADMIN_TOKEN on state-changing routes', async () => {
    build('s3cret');
    expect((await app.inject({ method: 'POST', url: '/things' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/things', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/things', headers: { authorization: 'Bearer s3cret' } })).json()).toEqual({ changed: true });
    expect((await app.inject({ method: 'POST', url: '/open' })).statusCode).toBe(200);
  });

  it('disables state-changing routes when no ADMIN_TOKEN is set', async () => {
    build(undefined);
    const response = await app.inject({ method: 'POST', url: '/things', headers: { authorization: 'Bearer ' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toBe('GH_ADMIN_DISABLED');
  });

  it('requires ADMIN_TOKEN on a read route marked requiresToken, and disables it without one', async () => {
    build('s3cret');
    expect((await app.inject('/applied')).statusCode).toBe(401);
    expect((await app.inject({ url: '/applied', headers: { authorization: 'Bearer s3cret' } })).json()).toEqual({ secret: 'operators only' });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.close();
    build(undefined);
    expect((await app.inject('/applied')).statusCode).toBe(403);
  });
});
