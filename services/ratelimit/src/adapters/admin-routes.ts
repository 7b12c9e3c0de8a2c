// The reference's HTTP endpoints on the admin server: POST /json (same request/response JSON and
// status codes; only when enabled, and then behind ADMIN_TOKEN like every state-changing admin
// route, since it spends any client's quota), GET /healthcheck and GET /rlconfig (the loaded config
// as text, stale and refused domains first), plus GET /status: every domain's state as JSON.
import type { FastifyInstance } from 'fastify';
import { dumpConfig } from '../core/config-dump.js';
import { parseStateKey, type ConfigHealth } from '../core/config-state.js';
import type { RateLimitConfig } from '../core/rate-limit-config.js';
import type { RateLimitService } from '../core/rate-limit-service.js';
import { answerToJson, checkRequestFromJson } from '../core/wire-mapping.js';
import { formatConfigIssue, RateLimitErrorCodes, RateLimitRequestError } from '../errors.js';

export interface AdminRoutesDeps {
  readonly service: RateLimitService;
  readonly config: () => RateLimitConfig;
  /** Per source and domain: serving, stale (last good serving) or refused. */
  readonly health: () => ConfigHealth;
  readonly healthy: () => Promise<boolean>;
  readonly observeDuration?: (seconds: number) => void;
  /** Serve POST /json (RATELIMIT_JSON_ENABLED); the kit's admin server then requires the ADMIN_TOKEN bearer token. */
  readonly jsonEnabled: boolean;
}

export async function registerAdminRoutes(app: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  if (deps.jsonEnabled) await registerJsonRoute(app, deps);

  app.get('/healthcheck', async (_request, reply) => {
    const healthy = await deps.healthy();
    return reply.code(healthy ? 200 : 500).type('text/plain').send(healthy ? 'OK' : 'NOT OK');
  });

  app.get('/rlconfig', async (_request, reply) => reply.type('text/plain').send(dumpConfig(deps.config(), deps.health())));
  app.get('/status', async () => statusJson(deps.health()));
}

/** Not `public`: the kit's admin hook answers 401 without the ADMIN_TOKEN bearer token, 403 when no token is set. */
async function registerJsonRoute(app: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    // The reference accepts a JSON body whatever the content type says.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post('/json', async (request, reply) => {
      const started = performance.now();
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof request.body === 'string' && request.body !== '' ? request.body : 'null');
      } catch {
        return reply.code(400).type('text/plain').send(`${RateLimitErrorCodes.badJsonRequest}: body is not valid JSON\n`);
      }
      try {
        const answer = await deps.service.shouldRateLimit(checkRequestFromJson(parsed));
        deps.observeDuration?.((performance.now() - started) / 1000);
        return reply
          .code(answer.overallCode === 'OVER_LIMIT' ? 429 : 200)
          .type('application/json')
          .send(JSON.stringify(answerToJson(answer)));
      } catch (err) {
        if (err instanceof RateLimitRequestError) {
          return reply.code(400).type('text/plain').send(`${err.code}: ${err.message}\n`);
        }
        throw err;
      }
    });
  });
}

/** { domains: [{ domain, source, file, state, generation, servingGeneration?, issues }], unreadable }, sorted. */
function statusJson(health: ConfigHealth): { domains: object[]; unreadable: string[] } {
  const stale = new Set(health.stale.map((e) => e.key));
  const serving = health.serving.map((e) => ({
    ...parseStateKey(e.key),
    file: e.file,
    state: stale.has(e.key) ? 'stale' : 'serving',
    generation: e.generation,
    servingGeneration: e.servingGeneration,
    issues: e.issues.map(formatConfigIssue),
  }));
  const refused = health.refused.map((r) => ({ ...parseStateKey(r.key), file: r.file, state: 'refused', generation: r.generation, issues: r.issues.map(formatConfigIssue) }));
  const domains = [...serving, ...refused].sort((a, b) => (a.domain === b.domain ? a.source.localeCompare(b.source) : a.domain.localeCompare(b.domain)));
  return { domains, unreadable: health.unreadable.map(formatConfigIssue) };
}
