// The xds admin API (on the kit's fastify admin server; non-GET routes and GET /resources need
// ADMIN_TOKEN; bodies are capped in size, YAML documents and nesting before anything parses them):
//   GET    /config_dump[?node_cluster=ns/gw]  current snapshot per node cluster, as Envoy JSON
//   GET    /proxies                           connected proxies, last ACKed / NACKed version per type
//   GET    /nacks                             recent NACKs (node, type, version, error)
//   GET    /status                            resource statuses, file errors, refused snapshots
//   POST   /dry-run                           YAML in, Envoy resource diff out; nothing is applied
//   GET    /resources                         resources applied through the admin API (Secret values redacted)
//   PUT    /resources                         apply YAML documents (stored in Redis, all replicas)
//   DELETE /resources/:kind/:namespace/:name  remove one admin-API resource
import { XdsErrorCodes } from '../errors.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Snapshot, SnapshotStore } from '../core/cache/index.js';
import { checkDocumentLimits, DEFAULT_DOCUMENT_LIMITS, parseDocuments, redactStoredResource, statusProblems, toStoredResource, type DocumentLimits, type ParsedDocuments } from '../core/index.js';
import type { ProxyRegistry } from '../core/server/index.js';
import type { ConfigPipeline } from '../runner/config-pipeline.js';
import type { AdminResourceStore } from './admin-resource-store.js';

export interface AdminBodyLimits extends DocumentLimits {
  /** Bytes of one PUT /resources or POST /dry-run body. */
  maxBytes: number;
}

/** A whole Gateway config is tens of KiB; 1 MiB leaves room, and bounds what one request may cost. */
export const DEFAULT_ADMIN_BODY_LIMITS: AdminBodyLimits = { maxBytes: 1024 * 1024, ...DEFAULT_DOCUMENT_LIMITS };

export interface AdminRoutesDeps {
  store: SnapshotStore;
  registry: ProxyRegistry;
  /** The runner: its state for /status, and the dry run. */
  pipeline: Pick<ConfigPipeline, 'state' | 'dryRun'>;
  resources: AdminResourceStore;
  /** ADMIN_TOKEN: GET /resources needs it too (it shows what was applied); unset, that route answers 403. */
  adminToken: string | undefined;
  limits?: Partial<AdminBodyLimits>;
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export async function registerAdminRoutes(app: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  const limits = { ...DEFAULT_ADMIN_BODY_LIMITS, ...deps.limits };
  await app.register(async (scope) => {
    // JSON too as text: a JSON document is YAML, and checked like it before anything recursive parses it.
    scope.addContentTypeParser([...YAML_TYPES, 'application/json'], { parseAs: 'string', bodyLimit: limits.maxBytes }, (_request, body, done) => done(null, body));
    scope.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, _request, reply) => {
      if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
      return reply.code(413).send({ error: XdsErrorCodes.adminBodyTooLarge, message: `request bodies are limited to ${limits.maxBytes} bytes` });
    });

    /** The body's documents, or the 400 already sent. */
    const readDocuments = async (request: FastifyRequest, reply: FastifyReply): Promise<ParsedDocuments | undefined> => {
      const text = documentText(request);
      const violation = checkDocumentLimits(text, limits);
      if (violation) {
        await reply.code(400).send({ error: violation.code, message: violation.message });
        return undefined;
      }
      const parsed = parseDocuments(text);
      if (parsed.errors.length > 0) {
        await reply.code(400).send({ error: XdsErrorCodes.documentInvalid, errors: parsed.errors });
        return undefined;
      }
      return parsed;
    };

    scope.get<{ Querystring: { node_cluster?: string } }>('/config_dump', async (request, reply) => {
      const wanted = request.query.node_cluster;
      const clusters = wanted ? [wanted] : deps.store.nodeClusters();
      const dump: Record<string, unknown> = {};
      for (const nodeCluster of clusters) {
        const snapshot = deps.store.get(nodeCluster);
        if (snapshot) dump[nodeCluster] = dumpSnapshot(snapshot);
      }
      if (wanted && !dump[wanted]) return notFound(reply, XdsErrorCodes.nodeClusterUnknown, `no snapshot for node cluster "${wanted}"`);
      return dump;
    });

    scope.get('/proxies', async () => ({ proxies: deps.registry.proxies() }));
    scope.get('/nacks', async () => ({ nacks: deps.registry.recentNacks() }));

    scope.get('/status', async () => {
      const state = deps.pipeline.state();
      return {
        appliedAt: state.appliedAt ? new Date(state.appliedAt).toISOString() : null,
        nodeClusters: Object.fromEntries(deps.store.nodeClusters().map((k) => [k, deps.store.get(k)!.version])),
        statuses: Object.fromEntries(state.statuses),
        // Every condition that is not as it should be (PartiallyInvalid included), as `gatehouse validate` lists them.
        problems: statusProblems(state.statuses),
        fileErrors: state.fileErrors,
        adminErrors: state.adminErrors,
        snapshotProblems: state.snapshotProblems,
        translationError: state.translationError ?? null,
      };
    });

    scope.post('/dry-run', { bodyLimit: limits.maxBytes }, async (request, reply) => {
      const parsed = await readDocuments(request, reply);
      if (!parsed) return reply;
      return { diff: deps.pipeline.dryRun(parsed.resources) };
    });

    scope.get('/resources', { config: { requiresToken: true } }, async () => ({ resources: (await deps.resources.list()).map(redactStoredResource) }));

    scope.put('/resources', { bodyLimit: limits.maxBytes }, async (request, reply) => {
      const parsed = await readDocuments(request, reply);
      if (!parsed) return reply;
      if (parsed.resources.length === 0) return reply.code(400).send({ error: XdsErrorCodes.documentInvalid, errors: [{ message: 'no documents in the request body' }] });
      const stored = parsed.resources.map(toStoredResource);
      const version = await deps.resources.put(stored);
      return { applied: stored.map((s) => s.key), version };
    });

    scope.delete<{ Params: { kind: string; namespace: string; name: string } }>('/resources/:kind/:namespace/:name', async (request, reply) => {
      const { kind, namespace, name } = request.params;
      const key = `${kind}/${namespace}/${name}`;
      const { deleted, version } = await deps.resources.delete([key]);
      if (deleted.length === 0) return notFound(reply, XdsErrorCodes.resourceNotFound, `${key} was not applied through the admin API`);
      return { deleted, version };
    });
  });
}

/** The YAML text of a body: as sent, or the `yaml` field of a JSON `{ "yaml": "..." }` body. */
function documentText(request: FastifyRequest): string {
  const body = typeof request.body === 'string' ? request.body : '';
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return body;
  try {
    const json = JSON.parse(body) as unknown;
    if (json && typeof json === 'object' && typeof (json as { yaml?: unknown }).yaml === 'string') return (json as { yaml: string }).yaml;
  } catch {
    // not JSON: parsed as YAML, which reports it
  }
  // A JSON document is valid YAML.
  return body;
}

function notFound(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(404).send({ error: code, message });
}

function dumpSnapshot(snapshot: Snapshot): unknown {
  const resources = snapshot.toEnvoyResources();
  return { version: snapshot.version, types: snapshot.summary(), ...resources, secrets: resources.secrets.map(redactSecret) };
}

/** Private keys never leave the server through the admin API. */
function redactSecret(secret: object): object {
  return JSON.parse(JSON.stringify(secret), (key, value: unknown) => (key === 'private_key' ? { inline_string: '[redacted]' } : value)) as object;
}
