// The certs service on the kit: start() calls the named builders below in order (the ACME HTTP
// layer, the certificate manager, the config, the republish of issued certificates, the
// CertificateWanted consumer, the HTTP-01 responder); the kit runs, probes and stops it.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { FanoutChannels, QueueNames } from '@gatehouse/contracts';
import { configHealthMetrics, ConfigError, controlKeyringOf, QUEUE_PREFIX, untrustedData, type ServiceContext, type ServiceDefinition, type UntrustedData } from '@gatehouse/kit';
import { validateResource } from '@gatehouse/schemas';
import type { Redis } from 'ioredis';
import { RedisAcmeCallLimiter } from './adapters/acme-call-limiter.js';
import { AcmeHttp } from './adapters/acme-http.js';
import { certificateAdminRoutes } from './adapters/admin-routes.js';
import { configStatus } from './workflow/config-status.js';
import { CertStore } from './adapters/cert-store.js';
import { ConfigSource } from './adapters/config-source.js';
import { dnsProviderFor } from './adapters/dns/provider-for.js';
import { createHttp01Responder } from './adapters/http01-responder.js';
import { IssuedPublisher } from './adapters/issued-publisher.js';
import { createCertsMetrics, type CertsMetrics } from './adapters/metrics.js';
import { OrderLock } from './adapters/order-lock.js';
import { startWantedConsumer } from './adapters/wanted-queue.js';
import { certsEnv, deriveCertsConfig, type CertsEnv, type DerivedCertsConfig } from './config.js';
import { splitPemChain } from './core/verify-issued.js';
import { CertificateManager } from './workflow/certificate-manager.js';
import { republishIssued } from './workflow/republish-issued.js';

type Ctx = ServiceContext<CertsEnv>;

async function startCerts(ctx: Ctx): Promise<void> {
  const derived = deriveCertsConfig(ctx.config);
  const metrics = createCertsMetrics(ctx.meter);
  const acme = buildAcmeHttp(ctx, metrics);
  // Jobs and the CertificateIssued fan-out are sealed with the control key; what does not open is refused.
  const untrusted = untrustedData(ctx.meter, ctx.logger);
  const { manager, store, publisher } = buildManager(ctx, derived, acme, metrics, untrusted);
  await loadConfig(ctx, manager);
  await announceIssued(ctx, manager, store, publisher, acme.trustedRoots);
  consumeCertificateWanted(ctx, manager, untrusted);
  await listenHttp01(ctx, store);
  await ctx.admin.register(certificateAdminRoutes, { admin: manager });
}

/** acme-client's HTTP layer: trusted CAs, the shared call limiter in Redis, request metrics. */
function buildAcmeHttp(ctx: Ctx, metrics: CertsMetrics): { http: AcmeHttp; trustedRoots: X509Certificate[] } {
  const { config, logger } = ctx;
  const extraCaPem = config.ACME_CA_CERTS ? readCaBundle(config.ACME_CA_CERTS) : undefined;
  const http = new AcmeHttp({
    ...(extraCaPem ? { extraCaPem } : {}),
    limiter: new RedisAcmeCallLimiter({ redis: ctx.redis() as Redis, prefix: config.CERTS_REDIS_PREFIX, limit: config.CERTS_ACME_CALLS_PER_WINDOW, windowMs: config.CERTS_ACME_CALLS_WINDOW_MS }),
    onCallSlot: (o) => metrics.acmeCallSlot(o.waitedMs, new URL(o.url).host),
    onRequest: (o) => {
      metrics.acmeRequest(o.durationMs, { ca: new URL(o.url).host, method: o.method, status: o.status });
      logger.debug({ method: o.method, url: o.url, status: o.status, ms: Math.round(o.durationMs) }, 'acme request');
    },
  });
  const trustedRoots = config.CERTS_REQUIRE_TRUSTED_ROOT
    ? [...rootCertificates, ...(extraCaPem ? splitPemChain(extraCaPem) : [])].map((pem) => new X509Certificate(pem))
    : [];
  return { http, trustedRoots };
}

/** The store, the order lease, the fan-out to xds and the manager that uses them. */
function buildManager(ctx: Ctx, derived: DerivedCertsConfig, acme: ReturnType<typeof buildAcmeHttp>, metrics: CertsMetrics, untrusted: UntrustedData): { manager: CertificateManager; store: CertStore; publisher: IssuedPublisher } {
  const { config, logger } = ctx;
  // Standalone and sentinel connections are ioredis Redis instances; the store needs MULTI across
  // its own keys, so Redis Cluster needs a hash-tagged CERTS_REDIS_PREFIX (see the README).
  const redis = ctx.redis() as Redis;
  if (!derived.encryptionKey) logger.warn('CERTS_ALLOW_PLAINTEXT_KEYS=true: private keys are stored in Redis in plaintext');
  const store = new CertStore({
    redis,
    prefix: config.CERTS_REDIS_PREFIX,
    encryptionKey: derived.encryptionKey,
    keyring: controlKeyringOf(config),
    onUntrusted: (key, err) => untrusted.report(key.includes('http01:') ? 'certs-http01' : 'certs-wanted', key, err),
  });
  const publisher = new IssuedPublisher(redis, controlKeyringOf(config), FanoutChannels.certificateIssued);
  const manager = new CertificateManager({
    http: acme.http,
    connection: redis,
    keyring: controlKeyringOf(config),
    untrusted,
    workerConnection: () => ctx.redis({ blocking: true }) as Redis,
    store,
    lock: new OrderLock({ redis, prefix: config.CERTS_REDIS_PREFIX, leaseMs: config.CERTS_ORDER_LEASE_MS }),
    publisher,
    metrics,
    dnsProviderFor: (solver, issuer, secrets) => dnsProviderFor(solver, issuer, secrets, config.CERTS_CLUSTER_RESOURCE_NAMESPACE),
    propagation: { nameservers: derived.dns01Nameservers },
    trustedRoots: acme.trustedRoots,
    ordersPerWindow: config.CERTS_ACME_ORDERS_PER_WINDOW,
    windowMs: config.CERTS_ACME_ORDERS_WINDOW_MS,
    concurrency: config.CERTS_ORDER_CONCURRENCY,
    clusterResourceNamespace: config.CERTS_CLUSTER_RESOURCE_NAMESPACE,
    log: (msg, fields) => logger.info(fields ?? {}, msg),
  });
  ctx.onShutdown(() => manager.close());
  return { manager, store, publisher };
}

/**
 * Announces every stored certificate again, sealed: after an upgrade from a version that published them
 * unsealed (which xds refuses), or after the latest hash was emptied, xds serves them without waiting
 * for a renewal. A failure is logged; start goes on (the certificates are announced at renewal anyway).
 */
async function announceIssued(ctx: Ctx, manager: CertificateManager, store: CertStore, publisher: IssuedPublisher, trustedRoots: readonly X509Certificate[]): Promise<void> {
  try {
    const report = await republishIssued({ store, publisher, certificates: manager.catalog.certificates(), trustedRoots, now: Date.now() });
    for (const { id, reason } of report.skipped) ctx.logger.warn({ certificate: id, reason }, 'stored certificate not announced again at start');
    ctx.logger.info({ certificates: report.republished.length }, 'issued certificates announced again (sealed)');
  } catch (err) {
    ctx.logger.error({ err }, 'issued certificates could not be announced again at start');
  }
}

/** The certificates other replicas accepted, then CERTS_CONFIG_PATH (watched); every one gets its job. */
async function loadConfig(ctx: Ctx, manager: CertificateManager): Promise<void> {
  const { config, logger } = ctx;
  await manager.catalog.loadWanted();
  if (config.CERTS_CONFIG_PATH) {
    const source = new ConfigSource({
      path: config.CERTS_CONFIG_PATH,
      validateSchema: validateResource,
      health: configHealthMetrics(ctx.meter),
      onIssue: (message) => logger.warn(message),
      onChange: async (set) => {
        manager.setConfig(set);
        await manager.reconcile();
        logger.info({ issuers: set.issuers.size, certificates: set.certificates.size }, 'config applied');
      },
    });
    ctx.onShutdown(() => source.close());
    await source.start();
    // What the files hold against what serves: the stale and refused resources, with file, line and path.
    ctx.admin.get('/status', async () => configStatus(source.intake));
  } else {
    await manager.reconcile();
  }
  ctx.ready.set('config', true);
}

/** CertificateWanted jobs from xds (Gateways annotated for cert-manager). */
function consumeCertificateWanted(ctx: Ctx, manager: CertificateManager, untrusted: UntrustedData): void {
  const wanted = startWantedConsumer({
    connection: ctx.redis({ blocking: true }) as Redis,
    queueName: QueueNames.certificateWanted,
    prefix: QUEUE_PREFIX,
    keyring: controlKeyringOf(ctx.config),
    untrusted,
    onWanted: (cert) => manager.acceptWanted(cert),
  });
  wanted.worker.on('failed', (job, err) => ctx.logger.warn({ job: job?.id, err: err.message }, 'CertificateWanted rejected'));
  ctx.onShutdown(() => wanted.close());
}

/** The HTTP-01 responder Envoy routes /.well-known/acme-challenge/ to. */
async function listenHttp01(ctx: Ctx, store: CertStore): Promise<void> {
  const { config, logger } = ctx;
  const responder = createHttp01Responder(store, undefined, ctx.internalTls);
  await new Promise<void>((resolve, reject) => {
    responder.once('error', reject);
    responder.listen(config.HTTP_PORT, config.BIND_HOST, () => resolve());
  });
  ctx.onShutdown(() => new Promise<void>((resolve) => responder.close(() => resolve())));
  const address = responder.address();
  logger.info({ httpPort: typeof address === 'object' && address ? address.port : config.HTTP_PORT }, 'HTTP-01 responder listening');
}

function readCaBundle(value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    throw new ConfigError('ACME_CA_CERTS', `cannot read ${value}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const certsService: ServiceDefinition<typeof certsEnv> = {
  name: 'certs',
  env: certsEnv,
  defaults: { grpcPort: 9101, adminPort: 9102 },
  start: startCerts,
};
