// certs service: wires config, adapters and the certificate manager.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { configureAcmeHttp } from './adapters/acme-http.js';
import { certificateAdminRoutes } from './adapters/admin-routes.js';
import { CertStore } from './adapters/cert-store.js';
import { ConfigSource } from './adapters/config-source.js';
import { dnsProviderFor } from './adapters/dns/provider-for.js';
import { createHttp01Responder } from './adapters/http01-responder.js';
import { IssuedPublisher } from './adapters/issued-publisher.js';
import { createCertsMetrics } from './adapters/metrics.js';
import { OrderLock } from './adapters/order-lock.js';
import { startWantedConsumer } from './adapters/wanted-queue.js';
import { ConfigError, readCertsConfig, type CertsConfig } from './config.js';
import { splitPemChain } from './core/verify-issued.js';
import { CertificateManager } from './workflow/certificate-manager.js';

const LEVELS: Record<string, number> = { debug: 20, info: 30, warn: 40, error: 50 };

function createLogger(level: string) {
  const min = LEVELS[level] ?? 30;
  const write = (lvl: string) => (msg: string, fields: Record<string, unknown> = {}) => {
    if ((LEVELS[lvl] ?? 30) >= min) process.stdout.write(`${JSON.stringify({ level: lvl, time: new Date().toISOString(), service: 'certs', msg, ...fields })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function readCaBundle(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

export async function startCertsService(config: CertsConfig) {
  const log = createLogger(config.logLevel);
  const metrics = createCertsMetrics();
  let extraCaPem: string | undefined;
  try {
    extraCaPem = config.acmeCaCerts ? readCaBundle(config.acmeCaCerts) : undefined;
  } catch (err) {
    throw new ConfigError('ACME_CA_CERTS', `cannot read the CA bundle: ${String(err)}`);
  }
  configureAcmeHttp({
    ...(extraCaPem ? { extraCaPem } : {}),
    onRequest: (o) => {
      const ca = new URL(o.url).host;
      metrics.acmeRequest(o.durationMs, { ca, method: o.method, status: o.status });
      log.debug('acme request', { method: o.method, url: o.url, status: o.status, ms: Math.round(o.durationMs) });
    },
  });
  const trustedRoots = config.requireTrustedRoot
    ? [...rootCertificates, ...(extraCaPem ? splitPemChain(extraCaPem) : [])].map((pem) => new X509Certificate(pem))
    : [];
  if (!config.encryptionKey) log.warn('CERTS_ALLOW_PLAINTEXT_KEYS=true: private keys are stored in Redis in plaintext');

  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const store = new CertStore({ redis, prefix: config.redisPrefix, encryptionKey: config.encryptionKey });
  const manager = new CertificateManager({
    connection: redis,
    store,
    lock: new OrderLock({ redis, prefix: config.redisPrefix }),
    publisher: new IssuedPublisher(redis),
    metrics,
    dnsProviderFor: (solver, issuer, secrets) => dnsProviderFor(solver, issuer, secrets, config.clusterResourceNamespace),
    propagation: { nameservers: config.dns01Nameservers },
    trustedRoots,
    ordersPerWindow: config.ordersPerWindow,
    windowMs: config.windowMs,
    concurrency: config.orderConcurrency,
    clusterResourceNamespace: config.clusterResourceNamespace,
    queuePrefix: config.queuePrefix,
    log: (msg, fields) => log.info(msg, fields),
  });

  await manager.loadWanted();
  let configSource: ConfigSource | undefined;
  if (config.configPath) {
    configSource = new ConfigSource({
      path: config.configPath,
      onIssue: (message) => log.warn(message),
      onChange: async (set) => {
        manager.setConfig(set);
        await manager.reconcile();
        log.info('config applied', { issuers: set.issuers.size, certificates: set.certificates.size });
      },
    });
    await configSource.load();
    configSource.watch();
  } else {
    await manager.reconcile();
  }
  const wanted = startWantedConsumer({ connection: redis, prefix: config.queuePrefix, onWanted: (cert) => manager.acceptWanted(cert) });
  wanted.worker.on('failed', (job, err) => log.warn('CertificateWanted rejected', { job: job?.id, error: err.message }));

  const responder = createHttp01Responder(store);
  await new Promise<void>((resolve) => responder.listen(config.httpPort, config.bindHost, resolve));
  const admin = Fastify();
  admin.get('/healthz', async () => ({ status: 'ok' }));
  admin.get('/readyz', async () => ({ status: redis.status === 'ready' ? 'ready' : 'not ready' }));
  await admin.register(certificateAdminRoutes, { admin: manager, ...(config.adminToken ? { adminToken: config.adminToken } : {}) });
  await admin.listen({ port: config.adminPort, host: config.bindHost });
  log.info('certs service started', { httpPort: config.httpPort, adminPort: config.adminPort });

  return {
    async stop() {
      configSource?.close();
      await wanted.close();
      await manager.close();
      await admin.close();
      await new Promise((resolve) => responder.close(resolve));
      redis.disconnect();
    },
  };
}

async function main(): Promise<void> {
  let config: CertsConfig;
  try {
    config = readCertsConfig(process.env);
  } catch (err) {
    process.stderr.write(`certs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  let service: Awaited<ReturnType<typeof startCertsService>>;
  try {
    service = await startCertsService(config);
  } catch (err) {
    process.stderr.write(`certs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
  const shutdown = () => {
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
