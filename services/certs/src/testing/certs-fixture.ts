// Wires a CertificateManager to a real Redis and Pebble for integration tests and benches.
import { X509Certificate } from 'node:crypto';
import { FanoutChannels, open, SealedUses } from '@gatehouse/contracts';
import { testControlKeyring } from '@gatehouse/kit/testing';
import { formatConfigIssue } from '@gatehouse/schemas';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { parseAllDocuments } from 'yaml';
import { AcmeHttp, type AcmeHttpOptions } from '../adapters/acme-http.js';
import { CertStore } from '../adapters/cert-store.js';
import { dnsProviderFor } from '../adapters/dns/provider-for.js';
import { createHttp01Responder } from '../adapters/http01-responder.js';
import { IssuedPublisher } from '../adapters/issued-publisher.js';
import { OrderLock } from '../adapters/order-lock.js';
import { buildResourceSet } from '../core/resource-model.js';
import { splitPemChain } from '../core/verify-issued.js';
import { CertificateManager, type CertificateManagerOptions } from '../workflow/certificate-manager.js';
import { freePort, startPebble, startRedis, waitFor, type PebbleHandle, type RedisHandle, type StartPebbleOptions, type StartRedisOptions } from '@gatehouse/e2e';

export function redisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/**
 * An ACME HTTP layer trusting Pebble's TLS CA and its issuing root (what ACME_CA_CERTS holds in a
 * deployment), plus any extra CAs (an ACME stand-in's), and the roots issued chains must end at:
 * spread it into createManager's options.
 */
export function trustPebble(pebble: PebbleHandle, ...extraCaPems: string[]): { http: AcmeHttp; trustedRoots: X509Certificate[] } {
  return { http: pebbleHttp(pebble, {}, ...extraCaPems), trustedRoots: [new X509Certificate(pebble.issuingRootPem)] };
}

/** An AcmeHttp trusting Pebble (and `extraCaPems`), with `options` (a limiter, an observer). */
export function pebbleHttp(pebble: PebbleHandle, options: Omit<AcmeHttpOptions, 'extraCaPem'> = {}, ...extraCaPems: string[]): AcmeHttp {
  return new AcmeHttp({ ...options, extraCaPem: [pebble.caBundlePem, pebble.issuingRootPem, ...extraCaPems].join('\n') });
}

/** Polls `probe` until it returns a value (harness waitFor, with the description first). */
export function eventually<T>(description: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<Exclude<T, false | undefined | null>> {
  return waitFor(probe, { description, timeoutMs, intervalMs: 100 });
}

/** A ClusterIssuer "pebble" at `server` that proves names with HTTP-01 (optionally asking for an ACME profile). */
export function pebbleIssuerYaml(server: string, account = 'pebble-account', profile?: string): string {
  return `
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble }
spec:
  acme:
    server: ${server}
    privateKeySecretRef: { name: ${account} }${profile ? `\n    profile: ${profile}` : ''}
    solvers: [{ http01: {} }]
`;
}

/** A Certificate default/<name> for <name>.example.test from the ClusterIssuer "pebble" (a document to append). */
export function certificateYaml(name: string): string {
  return `
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: ${name}, namespace: default }
spec:
  secretName: ${name}-tls
  dnsNames: [${name}.example.test]
  issuerRef: { name: pebble, kind: ClusterIssuer }
`;
}

export function parseConfig(yamlText: string) {
  const set = buildResourceSet(parseAllDocuments(yamlText).map((d) => ({ file: 'test.yaml', doc: d.toJS() })));
  if (set.issues.length > 0) throw new Error(set.issues.map(formatConfigIssue).join('\n'));
  return set;
}

/** The manager with a crash switch (tests only). */
export class TestCertificateManager extends CertificateManager {
  /** Simulates a crash: workers stop at once, leases and active jobs are left behind. */
  async abandon(): Promise<void> {
    await this.scheduler.close({ force: true });
  }
}

export interface ManagerFixture {
  readonly manager: TestCertificateManager;
  readonly store: CertStore;
  readonly redis: Redis;
  close(): Promise<void>;
  /** Stops without cleanup, as a crash would. */
  crash(): Promise<void>;
}

export function createManager(
  redisUrl: string,
  yamlText: string,
  extra: Partial<CertificateManagerOptions> & { prefix?: string; encryptionKey?: Buffer } = {},
): ManagerFixture {
  const redis = redisClient(redisUrl);
  const store = new CertStore({ redis, prefix: extra.prefix ?? 'test:certs:', encryptionKey: extra.encryptionKey, keyring: testControlKeyring });
  const manager = new TestCertificateManager({
    http: new AcmeHttp(),
    connection: redis,
    keyring: testControlKeyring,
    store,
    lock: new OrderLock({ redis, prefix: extra.prefix ?? 'test:certs:', leaseMs: 6000 }),
    publisher: new IssuedPublisher(redis, testControlKeyring),
    dnsProviderFor: (solver, issuer, secrets) => dnsProviderFor(solver, issuer, secrets),
    poll: { minMs: 250, maxMs: 2000, attempts: 30 },
    queuePrefix: `${extra.prefix ?? 'test:certs:'}bull`,
    ...extra,
  });
  manager.setConfig(parseConfig(yamlText));
  return {
    manager,
    store,
    redis,
    close: async () => {
      await manager.close();
      redis.disconnect();
    },
    crash: async () => {
      await manager.abandon();
      redis.disconnect();
    },
  };
}

export async function listen(server: Server, port: number): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export function startResponder(store: CertStore, port: number): Promise<Server> {
  return listen(createHttp01Responder(store), port);
}

/** A real Redis and Pebble, a manager on them, and the HTTP-01 responder Pebble validates against. */
export interface IssuanceWorld {
  readonly redis: RedisHandle;
  readonly pebble: PebbleHandle;
  readonly fixture: ManagerFixture;
  /** The roots issued chains must end at. */
  readonly roots: X509Certificate[];
  stop(): Promise<void>;
}

/** The set-up most issuance tests share; `yaml` gets Pebble's directory URL. */
export async function startIssuanceWorld(options: {
  readonly yaml: (directoryUrl: string) => string;
  readonly redis?: StartRedisOptions;
  readonly pebble?: Omit<StartPebbleOptions, 'httpPort'>;
  readonly manager?: Parameters<typeof createManager>[2];
}): Promise<IssuanceWorld> {
  const redis = await startRedis(options.redis);
  const httpPort = await freePort();
  const pebble = await startPebble({ ...options.pebble, httpPort });
  const trusted = trustPebble(pebble);
  const roots = trusted.trustedRoots;
  const fixture = createManager(redis.url, options.yaml(pebble.directoryUrl), { ...trusted, ...options.manager });
  const responder = await startResponder(fixture.store, httpPort);
  return {
    redis,
    pebble,
    fixture,
    roots,
    async stop() {
      await fixture.close();
      responder.close();
      await pebble.stop();
      await redis.stop();
    },
  };
}

/** Resolves with each CertificateIssued message body as it is published. */
export async function subscribeIssued(redisUrl: string): Promise<{ next(): Promise<Buffer>; close(): void }> {
  const sub = redisClient(redisUrl);
  const queue: Buffer[] = [];
  const waiters: ((b: Buffer) => void)[] = [];
  sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
    // Opened as xds opens it: what the caller decodes is what a key holder sealed.
    const payload = open(testControlKeyring, SealedUses.certificateIssued(), message);
    const waiter = waiters.shift();
    if (waiter) waiter(payload);
    else queue.push(payload);
  });
  await sub.subscribe(FanoutChannels.certificateIssued);
  return {
    next: () => {
      const ready = queue.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve));
    },
    close: () => sub.disconnect(),
  };
}

/** Verifies a PEM chain up to `root` with node:crypto. */
export function chainVerifies(chainPem: string, root: X509Certificate): boolean {
  const chain = splitPemChain(chainPem).map((p) => new X509Certificate(p));
  for (let i = 0; i < chain.length; i++) {
    const parent = chain[i + 1] ?? root;
    if (!chain[i]?.checkIssued(parent) || !chain[i]?.verify(parent.publicKey)) return false;
  }
  return chain.length > 0;
}
