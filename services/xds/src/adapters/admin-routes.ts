// The xds admin API (on the kit's fastify admin server; non-GET routes need ADMIN_TOKEN):
//   GET    /config_dump[?node_cluster=ns/gw]  current snapshot per node cluster, as Envoy JSON
//   GET    /proxies                           connected proxies, last ACKed / NACKed version per type
//   GET    /nacks                             recent NACKs (node, type, version, error)
//   GET    /status                            resource statuses, file errors, refused snapshots
//   POST   /dry-run                           YAML in, Envoy resource diff out; nothing is applied
//   GET    /resources                         resources applied through the admin API
//   PUT    /resources                         apply YAML documents (stored in Redis, all replicas)
//   DELETE /resources/:kind/:namespace/:name  remove one admin-API resource
import { XdsErrorCodes } from '../errors.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Snapshot, SnapshotStore } from '../core/cache/index.js';
import { parseDocuments, toStoredResource } from '../core/index.js';
import type { ProxyRegistry } from '../core/server/index.js';
import type { ConfigPipeline } from '../runner/config-pipeline.js';
import type { AdminResourceStore } from './admin-resource-store.js';

export interface AdminRoutesDeps {
  store: SnapshotStore;
  registry: ProxyRegistry;
  /** The runner: its state for /status, and the dry run. */
  pipeline: Pick<ConfigPipeline, 'state' | 'dryRun'>;
  resources: AdminResourceStore;
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export async function registerAdminRoutes(app: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

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
        fileErrors: state.fileErrors,
        adminErrors: state.adminErrors,
        snapshotProblems: state.snapshotProblems,
        translationError: state.translationError ?? null,
      };
    });

    scope.post('/dry-run', async (request, reply) => {
      const parsed = parseDocuments(bodyText(request.body));
      if (parsed.errors.length > 0) return reply.code(400).send({ error: XdsErrorCodes.documentInvalid, errors: parsed.errors });
      return { diff: deps.pipeline.dryRun(parsed.resources) };
    });

    scope.get('/resources', async () => ({ resources: await deps.resources.list() }));

    scope.put('/resources', async (request, reply) => {
      const parsed = parseDocuments(bodyText(request.body));
      if (parsed.errors.length > 0) return reply.code(400).send({ error: XdsErrorCodes.documentInvalid, errors: parsed.errors });
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

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && typeof (body as { yaml?: unknown }).yaml === 'string') return (body as { yaml: string }).yaml;
  // A JSON document is valid YAML.
  return body === undefined ? '' : JSON.stringify(body);
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
