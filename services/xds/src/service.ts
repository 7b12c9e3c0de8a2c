// The xds service on the kit: the ADS server over the snapshot store, the runner (translate,
// publish first, apply) and its inputs (watched files, admin-API resources, issued certificates).
import { configHealthMetrics, controlKeyringOf, untrustedData, withProducerSpan, YamlSourceWatcher, type ServiceContext, type ServiceDefinition, type UntrustedData } from '@gatehouse/kit';
import type { ControlKeyring } from '@gatehouse/contracts';
import { formatConfigIssue } from '@gatehouse/schemas';
import { addAdsService, MAX_DISCOVERY_REQUEST_BYTES } from './adapters/ads-server.js';
import { AdminResourceStore } from './adapters/admin-resource-store.js';
import { registerAdminRoutes } from './adapters/admin-routes.js';
import { CertsNotReachableYet, describeFailure } from './adapters/console-certs.js';
import { registerConsoleRoutes } from './adapters/console-routes.js';
import { CertificateSecrets } from './adapters/certificate-secrets.js';
import { encodeSnapshot } from './adapters/resource-encoder.js';
import { SideEffectsPublisher } from './adapters/side-effects-publisher.js';
import { warmProtoRoot } from './adapters/to-proto-any.js';
import { deriveTranslateOptions, xdsEnv, type XdsConfig } from './config.js';
import { SnapshotStore, typeLabel, type EnvoyResource } from './core/cache/index.js';
import { translateAll } from './core/index.js';
import { ProxyRegistry } from './core/server/index.js';
import { ConfigPipeline } from './runner/config-pipeline.js';
import type { RefusedVersion } from './runner/last-good-resources.js';

/** How long a starting replica waits for Redis before serving the files alone. */
const INITIAL_REDIS_GRACE_MS = 5000;

type Context = ServiceContext<XdsConfig>;
/** What Redis hands over is sealed with the control key; what does not open is refused and counted. */
interface Trust {
  keyring: ControlKeyring;
  untrusted: UntrustedData;
}

export const xdsService: ServiceDefinition<typeof xdsEnv> = {
  name: 'xds',
  env: xdsEnv,
  defaults: { grpcPort: 18000, adminPort: 19000 },
  // The transport buffers at most a little more than the largest request the ADS deserializer accepts
  // (it answers GH_XDS_REQUEST_TOO_LARGE up to here; beyond, grpc-js refuses before buffering it all).
  grpcOptions: { 'grpc.max_receive_message_length': MAX_DISCOVERY_REQUEST_BYTES + 64 * 1024 },
  async start(ctx) {
    warmProtoRoot();
    const store = new SnapshotStore();
    const registry = buildAdsServer(ctx, store);
    const certificatesRef: { current?: CertificateSecrets } = {};
    const trust: Trust = { keyring: controlKeyringOf(ctx.config), untrusted: untrustedData(ctx.meter, ctx.logger) };
    const pipeline = buildPipeline(ctx, store, () => certificatesRef.current?.secrets() ?? [], trust);
    const inputs = buildInputs(ctx, pipeline, certificatesRef, trust);
    await registerAdminRoutes(ctx.admin, { store, registry, pipeline, resources: inputs.resources, adminToken: ctx.config.ADMIN_TOKEN });
    await registerConsoleRoutes(ctx.admin, { store, registry, pipeline, config: ctx.config, onError: (err) => logCertsReadFailure(ctx, err) });
    await loadInitialConfig(ctx, pipeline, store, inputs.loads);
  },
};

/** ADS (SotW and delta) over the store, with push and NACK metrics; returns the proxy registry. */
function buildAdsServer(ctx: Context, store: SnapshotStore): ProxyRegistry {
  const { logger, meter } = ctx;
  const registry = new ProxyRegistry();
  const nacks = meter.createCounter('xds_nacks_total', { description: 'configuration rejected by a proxy' });
  const pushes = meter.createCounter('xds_pushes_total', { description: 'discovery responses sent' });
  const pushedResources = meter.createCounter('xds_pushed_resources_total', { description: 'resources carried by discovery responses' });
  meter.createObservableGauge('xds_connected_streams', { description: 'open ADS streams' }).addCallback((result) => result.observe(registry.size));
  const refused = meter.createCounter('xds_streams_refused_total', { description: 'ADS streams ended because the client certificate may not open the node cluster asked for' });
  const transport = ctx.config.GATEHOUSE_INSECURE_PLAINTEXT ? 'plaintext' : 'mtls';
  if (transport === 'plaintext') {
    logger.warn('ADS streams are UNBOUND: with GATEHOUSE_INSECURE_PLAINTEXT no client certificate identifies the caller, so any client may open any node cluster and receive its Secrets. Local development only.');
  }
  addAdsService(ctx.grpc, {
    store,
    registry,
    transport,
    ...(ctx.config.XDS_PROXYLESS_CLIENTS ? { policy: { proxylessClients: ctx.config.XDS_PROXYLESS_CLIENTS } } : {}),
    onStreamRefused: (refusal) => {
      refused.add(1, { reason: refusal.reason });
      logger.warn({ nodeCluster: refusal.nodeCluster, identities: refusal.identities, reason: refusal.reason }, `ADS stream refused: ${refusal.message}`);
    },
    observer: {
      onNack: (record) => {
        nacks.add(1, { type: record.type });
        logger.warn({ node: record.node, type: typeLabel(record.typeUrl), version: record.version, error: record.errorMessage }, 'proxy rejected configuration (NACK)');
      },
    },
    onStreamError: (err) => logger.error({ err }, 'ADS stream failed'),
    onPush: ({ variant, typeUrl, resources }) => {
      const attributes = { variant, type: typeLabel(typeUrl) };
      pushes.add(1, attributes);
      pushedResources.add(resources, attributes);
    },
  });
  return registry;
}

/** The runner, paused until the inputs are loaded: one trace per change (translate, publish, apply). */
function buildPipeline(ctx: Context, store: SnapshotStore, sharedSecrets: () => readonly EnvoyResource[], trust: Trust): ConfigPipeline {
  const { config, logger } = ctx;
  const publisher = new SideEffectsPublisher({ redis: ctx.redis(), ...trust });
  ctx.onShutdown(() => publisher.close());
  const applies = ctx.meter.createHistogram('xds_snapshot_apply_duration_ms', { description: 'translate and set snapshots', unit: 'ms' });
  const translateOptions = deriveTranslateOptions(config);
  const configHealth = configHealthMetrics(ctx.meter, (key) => key.slice(0, key.indexOf('/')));
  return new ConfigPipeline({
    store,
    translate: (resources) => translateAll(resources, translateOptions),
    sharedSecrets,
    check: encodeSnapshot,
    // The publication's trace context rides in the messages to every authz and ratelimit replica.
    inSpan: (name, fn) =>
      ctx.tracer.startActiveSpan(name, (span) => {
        try {
          fn((attributes) => span.setAttributes(attributes));
        } finally {
          span.end();
        }
      }),
    publish: (effects) => withProducerSpan('xds.publish', async (span) => {
      const outcome = await publisher.publish(effects);
      span.setAttributes({ 'gatehouse.ratelimit.version': outcome.rateLimitVersion ?? 'unchanged', 'gatehouse.authz.version': outcome.authzVersion ?? 'unchanged', 'gatehouse.certificates.wanted': outcome.certificateJobs.length });
      return outcome;
    }),
    debounceMs: config.XDS_DEBOUNCE_MS,
    maxDelayMs: config.XDS_MAX_DELAY_MS,
    paused: true,
    onApplied: (report) => {
      applies.record(report.durationMs);
      for (const problem of report.problems) logger.error(problem, 'snapshot refused; the last good one keeps serving');
      for (const r of report.refused) logger.warn({ resource: r.key, generation: r.generation, servingGeneration: r.servingGeneration ?? null }, refusedMessage(r));
      if (report.changed.length + report.removed.length > 0) logger.info({ changed: report.changed, removed: report.removed }, 'snapshots updated');
    },
    onError: (err) => logger.error({ err }, 'config pipeline error'),
    onLastGood: (lastGood) => configHealth.observe(lastGood),
  });
}

interface Inputs {
  resources: AdminResourceStore;
  /** Each resolves when its source delivered once. */
  loads: Array<Promise<void>>;
}

/** Issued certificates, admin-API resources and the watched files, each feeding the pipeline. */
function buildInputs(ctx: Context, pipeline: ConfigPipeline, certificatesRef: { current?: CertificateSecrets }, trust: Trust): Inputs {
  const { config, logger } = ctx;
  // The pipeline and the certificates refer to each other: certificates feed secrets into every
  // snapshot, and a new certificate makes the pipeline run.
  const certificates = (certificatesRef.current = new CertificateSecrets({
    redis: ctx.redis(),
    subscriber: () => ctx.redis({ dedicated: true }),
    ...trust,
    ...(config.CERTS_ENCRYPTION_KEY ? { encryptionKey: config.CERTS_ENCRYPTION_KEY } : {}),
    allowPlaintextKeys: config.CERTS_ALLOW_PLAINTEXT_KEYS,
    onChange: () => pipeline.secretsChanged(),
    onError: (err) => logger.error({ err }, 'issued certificate not served'),
  }));
  const resources = new AdminResourceStore({ redis: ctx.redis(), subscriber: () => ctx.redis({ dedicated: true }), ...trust });
  ctx.onShutdown(() => resources.close());
  ctx.onShutdown(() => certificates.close());
  const loads = [
    certificates.start(),
    resources.watch(
      (list) => pipeline.setAdminResources(list),
      (err) => logger.error({ err }, 'admin resources reload failed'),
    ),
  ];
  return { resources, loads };
}

/**
 * Reads GATEWAY_CONFIG_PATH (a missing directory fails start-up, naming it), then translates once
 * everything is loaded, so the admin API's overrides are there from the first push. Ready once files,
 * admin-API resources and certificates are in, so a restarted replica never serves a partial config;
 * if Redis is slow to come, the files are served after a while and readiness keeps waiting.
 */
async function loadInitialConfig(ctx: Context, pipeline: ConfigPipeline, store: SnapshotStore, loads: ReadonlyArray<Promise<void>>): Promise<void> {
  const { config, logger } = ctx;
  ctx.ready.set('config', false);
  if (config.GATEWAY_CONFIG_PATH) {
    const watcher = new YamlSourceWatcher(config.GATEWAY_CONFIG_PATH, {
      onFiles: (files) => {
        pipeline.setFiles(files);
        for (const e of pipeline.state().fileErrors) logger.warn({ code: e.code, file: e.file, line: e.line }, formatConfigIssue(e));
      },
      onError: (err) => logger.error({ err }, 'watching GATEWAY_CONFIG_PATH failed'),
    });
    await watcher.start();
    ctx.onShutdown(() => watcher.close());
  }
  const redisGrace = setTimeout(() => {
    logger.warn('Redis not reachable yet: serving the files without admin-API resources and certificates for now');
    pipeline.resume();
  }, INITIAL_REDIS_GRACE_MS);
  ctx.onShutdown(() => clearTimeout(redisGrace));
  void Promise.all(loads).then(
    async () => {
      clearTimeout(redisGrace);
      pipeline.resume();
      await pipeline.flush();
      ctx.ready.set('config', true);
      logger.info({ nodeClusters: store.nodeClusters() }, 'configuration loaded');
    },
    (err: unknown) => logger.error({ err }, 'initial configuration load failed'),
  );
}

/** certs starts after xds: until it has answered once, a failed read is retried quietly (debug). */
function logCertsReadFailure(ctx: Context, err: unknown): void {
  if (err instanceof CertsNotReachableYet) ctx.logger.debug({ error: describeFailure(err.cause) }, err.message);
  else ctx.logger.warn({ error: describeFailure(err) }, 'console: the certs service could not be read');
}

function refusedMessage(refused: RefusedVersion): string {
  const issues = refused.issues.map(formatConfigIssue).join('; ');
  return refused.servingGeneration === undefined
    ? `${refused.key} is invalid and not served: ${issues}`
    : `${refused.key} generation ${refused.generation} refused, generation ${refused.servingGeneration} keeps serving: ${issues}`;
}
