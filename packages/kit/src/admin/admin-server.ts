// The fastify admin server every service shares. Built without listening, so tests drive it with
// inject(); runService() listens. Routes that change state need the ADMIN_TOKEN bearer token; when
// ADMIN_READ_TOKEN is set, reading (status, config, metrics) needs it or ADMIN_TOKEN, and only the probes stay open.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';

export interface AdminServerOptions {
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly serveMetrics: (request: IncomingMessage, response: ServerResponse) => void;
  /** Without a token, every state-changing admin route answers 403: no token means no writes. */
  readonly adminToken: string | undefined;
  /** When set, read routes need it (or the admin token); /healthz and /readyz stay open for orchestrators. */
  readonly readToken?: string | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on a route that must stay open without any token (probes, the ACME challenge). */
    public?: boolean;
    /** Set on a read route that shows what only an operator may see (e.g. applied resources). */
    requiresToken?: boolean;
  }
}

const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of the presented bearer token with the configured one. */
export function isAdminTokenValid(header: string | undefined, adminToken: string): boolean {
  const presented = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(adminToken));
}

export function buildAdminServer(options: AdminServerOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'admin' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 4 * 1024 * 1024 });

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config?.public === true) return;
    if (READ_ONLY_METHODS.has(request.method) && config?.requiresToken !== true) {
      if (!options.readToken) return;
      const header = request.headers.authorization;
      if (isAdminTokenValid(header, options.readToken) || (options.adminToken !== undefined && isAdminTokenValid(header, options.adminToken))) return;
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="gatehouse-admin"')
        .send({ error: 'GH_ADMIN_UNAUTHORIZED', message: 'a valid "Authorization: Bearer <ADMIN_READ_TOKEN>" header is required to read' });
    }
    if (!options.adminToken) {
      return reply.code(403).send({ error: 'GH_ADMIN_DISABLED', message: 'this admin endpoint is disabled: ADMIN_TOKEN is not set' });
    }
    if (!isAdminTokenValid(request.headers.authorization, options.adminToken)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="gatehouse-admin"')
        .send({ error: 'GH_ADMIN_UNAUTHORIZED', message: 'a valid "Authorization: Bearer <ADMIN_TOKEN>" header is required' });
    }
  });

  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    const { ready, checks } = await options.readiness.check();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', (request, reply) => {
    reply.hijack();
    options.serveMetrics(request.raw, reply.raw);
  });
  return app;
}
