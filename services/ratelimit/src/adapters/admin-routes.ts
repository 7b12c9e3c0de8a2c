// The reference's HTTP endpoints on the admin server: POST /json (same request/response JSON and
// status codes), GET /healthcheck and GET /rlconfig (the loaded config as text).
import type { FastifyInstance } from 'fastify';
import { dumpConfig } from '../core/config-dump.js';
import type { RateLimitConfig } from '../core/rate-limit-config.js';
import { RateLimitRequestError } from '../core/rate-limit-request.js';
import type { RateLimitService } from '../core/rate-limit-service.js';
import { answerToJson, checkRequestFromJson, JsonRequestError } from '../core/wire-mapping.js';

export interface AdminRoutesDeps {
  readonly service: RateLimitService;
  readonly config: () => RateLimitConfig;
  readonly healthy: () => Promise<boolean>;
  readonly observeDuration?: (seconds: number) => void;
}

export async function registerAdminRoutes(app: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    // The reference accepts a JSON body whatever the content type says.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post('/json', { config: { public: true } }, async (request, reply) => {
      const started = performance.now();
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof request.body === 'string' && request.body !== '' ? request.body : 'null');
      } catch {
        return reply.code(400).type('text/plain').send('GH_RATELIMIT_BAD_JSON_REQUEST: body is not valid JSON\n');
      }
      try {
        const answer = await deps.service.shouldRateLimit(checkRequestFromJson(parsed));
        deps.observeDuration?.((performance.now() - started) / 1000);
        return reply
          .code(answer.overallCode === 'OVER_LIMIT' ? 429 : 200)
          .type('application/json')
          .send(JSON.stringify(answerToJson(answer)));
      } catch (err) {
        if (err instanceof JsonRequestError || err instanceof RateLimitRequestError) {
          return reply.code(400).type('text/plain').send(`${err.code}: ${err.message}\n`);
        }
        throw err;
      }
    });
  });

  app.get('/healthcheck', async (_request, reply) => {
    const healthy = await deps.healthy();
    return reply.code(healthy ? 200 : 500).type('text/plain').send(healthy ? 'OK' : 'NOT OK');
  });

  app.get('/rlconfig', async (_request, reply) => reply.type('text/plain').send(dumpConfig(deps.config())));
}
