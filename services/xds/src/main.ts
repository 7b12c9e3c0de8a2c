// Wires config, adapters and the core of the xds service; shared plumbing comes from the kit.
import { runService, withProducerSpan } from '@gatehouse/kit';
import { SnapshotStore, typeLabel } from './core/cache/index.js';
import { ProxyRegistry } from './core/server/index.js';
import { translateAll } from './core/index.js';
import { addAdsService } from './adapters/ads-server.js';
import { AdminResourceStore } from './adapters/admin-resource-store.js';
import { registerAdminRoutes } from './adapters/admin-routes.js';
import { CertificateSecrets } from './adapters/certificate-secrets.js';
import { ConfigPipeline } from './runner/config-pipeline.js';
import { encodeSnapshot } from './adapters/resource-encoder.js';
import { DirectoryWatcher } from './adapters/directory-watcher.js';
import { xdsEnv } from './adapters/env-specs.js';
import { SideEffectsPublisher } from './adapters/side-effects-publisher.js';
import { warmProtoRoot } from './adapters/to-proto-any.js';

/** How long a starting replica waits for Redis before serving the files alone. */
const INITIAL_REDIS_GRACE_MS = 5000;

await runService({
  name: 'xds',
  env: xdsEnv,
  defaults: { grpcPort: 18000, adminPort: 19000 },
  async start(ctx) {
    const { config, logger, meter } = ctx;
    warmProtoRoot();
    const store = new SnapshotStore();
    const registry = new ProxyRegistry();
    const nacks = meter.createCounter('xds_nacks_total', { description: 'configuration rejected by a proxy' });
    const pushes = meter.createCounter('xds_pushes_total', { description: 'discovery responses sent' });
    const pushedResources = meter.createCounter('xds_pushed_resources_total', { description: 'resources carried by discovery responses' });
    const applies = meter.createHistogram('xds_snapshot_apply_duration_ms', { description: 'translate and set snapshots', unit: 'ms' });
    meter
      .createObservableGauge('xds_connected_streams', { description: 'open ADS streams' })
      .addCallback((result) => result.observe(registry.size));

    addAdsService(ctx.grpc, {
      store,
      registry,
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

    const publisher = new SideEffectsPublisher({ redis: ctx.redis() });
    ctx.onShutdown(() => publisher.close());
    const translateOptions = {
      controllerName: config.GATEWAY_CONTROLLER_NAME,
      authz: config.AUTHZ_ADDRESS,
      rateLimit: { ...config.RATELIMIT_ADDRESS, timeoutMs: config.RATELIMIT_TIMEOUT_MS },
      certs: config.CERTS_HTTP01_ADDRESS,
    };
    // The pipeline and the certificates refer to each other: certificates feed secrets into every
    // snapshot, and a new certificate makes the pipeline run.
    const certificatesRef: { current?: CertificateSecrets } = {};
    const pipeline = new ConfigPipeline({
      store,
      translate: (resources) => translateAll(resources, translateOptions),
      sharedSecrets: () => certificatesRef.current?.secrets() ?? [],
      check: encodeSnapshot,
      // One trace per change: xds.translate, then xds.publish, whose context rides in the published
      // messages to every authz and ratelimit replica applying them.
      inSpan: (name, fn) =>
        ctx.tracer.startActiveSpan(name, (span) => {
          try {
            fn((attributes) => span.setAttributes(attributes));
          } finally {
            span.end();
          }
        }),
      publish: (effects) =>
        withProducerSpan('xds.publish', async (span) => {
          const outcome = await publisher.publish(effects);
          span.setAttributes({
            'gatehouse.ratelimit.version': outcome.rateLimitVersion ?? 'unchanged',
            'gatehouse.authz.version': outcome.authzVersion ?? 'unchanged',
            'gatehouse.certificates.wanted': outcome.certificateJobs.length,
          });
          return outcome;
        }),
      debounceMs: config.XDS_DEBOUNCE_MS,
      maxDelayMs: config.XDS_MAX_DELAY_MS,
      paused: true,
      onApplied: (report) => {
        applies.record(report.durationMs);
        for (const problem of report.problems) logger.error(problem, 'snapshot refused; the last good one keeps serving');
        if (report.changed.length + report.removed.length > 0) logger.info({ changed: report.changed, removed: report.removed }, 'snapshots updated');
      },
      onError: (err) => logger.error({ err }, 'config pipeline error'),
    });

    const certificates = (certificatesRef.current = new CertificateSecrets({
      redis: ctx.redis(),
      subscriber: () => ctx.redis({ dedicated: true }),
      ...(config.CERTS_ENCRYPTION_KEY ? { encryptionKey: config.CERTS_ENCRYPTION_KEY } : {}),
      allowPlaintextKeys: config.CERTS_ALLOW_PLAINTEXT_KEYS,
      onChange: () => pipeline.secretsChanged(),
      onError: (err) => logger.error({ err }, 'issued certificate not served'),
    }));
    const resources = new AdminResourceStore({ redis: ctx.redis(), subscriber: () => ctx.redis({ dedicated: true }) });
    ctx.onShutdown(() => resources.close());
    ctx.onShutdown(() => certificates.close());
    await registerAdminRoutes(ctx.admin, { store, registry, pipeline, resources });

    // Ready once files, admin-API resources and certificates are loaded and translated once, so
    // a restarted replica never serves a partial config.
    ctx.ready.set('config', false);
    const loads: Array<Promise<void>> = [
      certificates.start(),
      resources.watch(
        (list) => pipeline.setAdminResources(list),
        (err) => logger.error({ err }, 'admin resources reload failed'),
      ),
    ];
    if (config.GATEWAY_CONFIG_PATH) {
      const watcher = new DirectoryWatcher({
        dir: config.GATEWAY_CONFIG_PATH,
        onFiles: (files) => {
          pipeline.setFiles(files);
          for (const e of pipeline.state().fileErrors) logger.warn(e, 'gateway config file problem');
        },
        onError: (err) => logger.error({ err }, 'watching GATEWAY_CONFIG_PATH failed'),
      });
      // A missing or unreadable directory fails start-up, naming it.
      await watcher.start();
      ctx.onShutdown(() => watcher.stop());
    }
    // Translate once everything is loaded, so the admin API's overrides are there from the first
    // push. If Redis is slow to come, serve the files after a while; readiness keeps waiting.
    const redisGrace = setTimeout(() => {
      logger.warn('Redis not reachable yet: serving the files without admin-API resources and certificates for now');
      pipeline.resume();
    }, INITIAL_REDIS_GRACE_MS);
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
    ctx.onShutdown(() => clearTimeout(redisGrace));
  },
});
