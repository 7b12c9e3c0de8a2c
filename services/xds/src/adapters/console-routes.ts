// The console on xds's admin port: the page's static assets (built into @gatehouse/console's dist/, served
// under a strict Content-Security-Policy, open like /healthz since they hold no data) and its data, which
// the admin server's read rule guards (ADMIN_READ_TOKEN when set):
//   GET /console/             the page (and /console/<asset>)
//   GET /console/api/access   open: whether reading needs a token, so the page asks before it is refused
//   GET /console/api/state    everything the page shows, as one JSON document
//   GET /console/api/events   server-sent events, one per section (topology, health, certificates, traffic) when it changes
//   POST /console/api/certificates/:namespace/:name/(renew|revoke)   forwarded to the certs service (CONSOLE_CERTS_URL)
// Actions need ADMIN_TOKEN (the kit's rule for every non-GET route); the others reuse the admin API
// (POST /dry-run, PUT /resources).
import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { CertificateView, ConsoleState, SectionName } from '@gatehouse/console/model';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SnapshotStore } from '../core/cache/index.js';
import { XdsErrorCodes } from '../errors.js';
import type { GatewayResource } from '../core/index.js';
import type { ProxyRegistry } from '../core/server/index.js';
import type { PipelineState } from '../runner/config-pipeline.js';
import { CertsStatus, mergeManaged } from './console-certs.js';
import { buildCertificates, buildHealth, buildTopology } from './console-model.js';
import { parseMetricsTargets, TrafficHistory } from './console-traffic.js';

/** No inline script or style, nothing from another origin, not framed. */
export const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** How often the event stream looks for changes: a connecting proxy shows within a second. */
const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;

export interface ConsoleRoutesDeps {
  store: SnapshotStore;
  registry: ProxyRegistry;
  pipeline: { state(): Readonly<PipelineState>; servingResources(): GatewayResource[] };
  /**
   * GATEWAY_CONTROLLER_NAME for the topology; ADMIN_READ_TOKEN to tell the page a token is needed (and sent to
   * the services' /metrics and certs' /certificates); CONSOLE_METRICS_URLS the services whose metrics the
   * Traffic view shows; CONSOLE_CERTS_URL the certs admin API.
   */
  config: { GATEWAY_CONTROLLER_NAME: string; ADMIN_READ_TOKEN?: string | undefined; CONSOLE_METRICS_URLS?: string | undefined; CONSOLE_CERTS_URL?: string | undefined };
  onError?: (err: unknown) => void;
  /** Where the built page is; default @gatehouse/console's dist/assets. */
  assetsDir?: string;
  pollMs?: number;
}

export async function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleRoutesDeps): Promise<void> {
  const assets = loadAssets(deps.assetsDir ?? defaultAssetsDir());
  const traffic = new TrafficHistory({ targets: parseMetricsTargets(deps.config.CONSOLE_METRICS_URLS), token: deps.config.ADMIN_READ_TOKEN });
  traffic.start();
  const certs = deps.config.CONSOLE_CERTS_URL ? new CertsStatus({ url: deps.config.CONSOLE_CERTS_URL, token: deps.config.ADMIN_READ_TOKEN, ...(deps.onError ? { onError: deps.onError } : {}) }) : undefined;
  certs?.start();
  const feed = new ConsoleFeed(deps, traffic, certs);
  app.addHook('preClose', async () => {
    traffic.stop();
    certs?.stop();
    feed.close();
  });

  // `docker compose up` and a service's log say where the console is.
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (!address || typeof address === 'string') return;
    const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
    app.log.info({ url: `http://${host}:${address.port}/console/` }, `console: http://${host}:${address.port}/console/`);
  });

  const sendAsset = (reply: FastifyReply, name: string): FastifyReply => {
    const asset = assets.get(name);
    if (!asset) return reply.code(404).headers(SECURITY_HEADERS).send({ error: XdsErrorCodes.consoleAssetNotFound, message: assets.size === 0 ? 'the console is not built: run pnpm build' : `no console asset "${name}"` });
    return reply.headers(SECURITY_HEADERS).type(asset.type).send(asset.body);
  };
  app.get('/console', { config: { public: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console/', { config: { public: true } }, async (_request, reply) => sendAsset(reply, 'index.html'));
  app.get<{ Params: { asset: string } }>('/console/:asset', { config: { public: true } }, async (request, reply) => sendAsset(reply, request.params.asset));

  const access = { tokenRequired: deps.config.ADMIN_READ_TOKEN !== undefined && deps.config.ADMIN_READ_TOKEN !== '' };
  app.get('/console/api/access', { config: { public: true } }, async () => access);
  app.get('/console/api/state', async (_request, reply) => reply.header('cache-control', 'no-store').send(feed.state()));
  for (const action of ['renew', 'revoke'] as const) {
    app.post<{ Params: { namespace: string; name: string } }>(`/console/api/certificates/:namespace/:name/${action}`, async (request, reply) => {
      if (!certs) return reply.code(404).send({ error: XdsErrorCodes.consoleCertsNotConfigured, message: 'CONSOLE_CERTS_URL is not set: xds does not reach the certs service' });
      try {
        const result = await certs.act(`${request.params.namespace}/${request.params.name}`, action, request.headers.authorization);
        return reply.code(result.status).send(result.body);
      } catch (err) {
        return reply.code(502).send({ error: XdsErrorCodes.consoleCertsUnreachable, message: `the certs service did not answer: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
  }
  app.get('/console/api/events', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', connection: 'keep-alive' });
    feed.add(reply.raw);
    request.raw.on('close', () => feed.remove(reply.raw));
  });
}

function defaultAssetsDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@gatehouse/console/package.json')), 'dist', 'assets');
}

/** The built files, read once: a handful of small files, and nothing outside the folder is ever served. */
function loadAssets(dir: string): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return assets;
  }
  for (const name of names) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return assets;
}

/** Sections computed once per change for every open stream; topology only when the snapshots change. */
class ConsoleFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly sent = new Map<SectionName, string>();
  private cached?: { key: string; topology: string; certificates: string };
  private poll?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;

  constructor(
    private readonly deps: ConsoleRoutesDeps,
    private readonly traffic: TrafficHistory,
    private readonly certs: CertsStatus | undefined,
  ) {}

  state(): ConsoleState {
    const sections = this.sections();
    return Object.fromEntries(Object.entries(sections).map(([name, json]) => [name, JSON.parse(json) as unknown])) as unknown as ConsoleState;
  }

  add(client: ServerResponse): void {
    this.clients.add(client);
    const sections = Object.entries(this.sections()) as Array<[SectionName, string]>;
    for (const [name, json] of sections) write(client, name, json);
    // The first stream sets what every stream has; later ones may get a section twice, never miss one.
    if (this.clients.size === 1) for (const [name, json] of sections) this.sent.set(name, json);
    if (!this.poll) {
      this.poll = setInterval(() => this.broadcastChanges(), this.deps.pollMs ?? POLL_MS);
      this.keepalive = setInterval(() => this.clients.forEach((c) => c.write(': keepalive\n\n')), KEEPALIVE_MS);
      this.poll.unref();
      this.keepalive.unref();
    }
  }

  remove(client: ServerResponse): void {
    this.clients.delete(client);
    if (this.clients.size === 0) this.stop();
  }

  close(): void {
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.poll);
    clearInterval(this.keepalive);
    this.poll = undefined;
    this.keepalive = undefined;
    this.sent.clear();
  }

  private broadcastChanges(): void {
    for (const [name, json] of Object.entries(this.sections()) as Array<[SectionName, string]>) {
      if (this.sent.get(name) === json) continue;
      this.sent.set(name, json);
      for (const client of this.clients) write(client, name, json);
    }
  }

  private sections(): Record<SectionName, string> {
    const { store, pipeline } = this.deps;
    const state = pipeline.state();
    const key = `${state.appliedAt ?? 0}|${store
      .nodeClusters()
      .map((k) => `${k}=${store.get(k)!.version}`)
      .join(',')}`;
    if (this.cached?.key !== key) {
      this.cached = {
        key,
        topology: JSON.stringify(buildTopology(pipeline.servingResources(), this.deps.config.GATEWAY_CONTROLLER_NAME)),
        certificates: JSON.stringify(buildCertificates(store)),
      };
    }
    const health = JSON.stringify(buildHealth({ state, store, registry: this.deps.registry }));
    const certificates = this.certs ? JSON.stringify(mergeManaged(JSON.parse(this.cached.certificates) as CertificateView[], this.certs.current())) : this.cached.certificates;
    return { topology: this.cached.topology, health, certificates, traffic: JSON.stringify(this.traffic.view()) };
  }
}

function write(client: ServerResponse, event: string, json: string): void {
  client.write(`event: ${event}\ndata: ${json}\n\n`);
}
