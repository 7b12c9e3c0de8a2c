// The whole gateway for e2e journeys: Redis and the four services as separate processes, wired the way
// docker-compose wires them, plus an emulated Envoy that fetches its config over ADS and calls the real
// authz and ratelimit services exactly as Envoy's filters would. By default every gRPC port runs mutual TLS
// as deployed (a test PKI per gateway): the emulated Envoy presents its Gateway's certificate to xds, authz
// and ratelimit, and checks each service's identity as the clusters xds serves say.
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type Client } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { formatIdentity, grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { makeTestPki, type TestLeaf, type TestPki } from '@gatehouse/kit/testing';
import { emulateRequest, type CheckResponseLike, type EmulatedResponse, type EnvoyPeers, type RateLimitResponseLike } from './envoy/emulate-request.js';
import { fetchServedSnapshot, type ServedSnapshot } from './envoy/ads-snapshot.js';
import { httpForward } from './envoy/upstream-forward.js';
import { watchAds, type AdsWatcher } from './envoy/ads-watcher.js';
import type { EmulatedRequest } from './envoy/route-matching.js';
import { freePort } from './free-port.js';
import { startRedis, type RedisHandle } from './redis.js';
import { startService, type ServiceHandle } from './service.js';

export type GatewayServiceName = 'xds' | 'authz' | 'ratelimit' | 'certs';

export interface StartGatewayOptions {
  /** Folder of Gateway API YAML for GATEWAY_CONFIG_PATH. */
  readonly configDir: string;
  /** node.cluster of the emulated Envoy: "<namespace>/<gateway name>". */
  readonly nodeCluster: string;
  /** An existing Redis (e.g. one a drill will kill); started otherwise. */
  readonly redis?: RedisHandle;
  /** Extra environment per service. */
  readonly env?: Partial<Record<GatewayServiceName, Record<string, string>>>;
  /** Which services to run; default all four. */
  readonly services?: readonly GatewayServiceName[];
  /**
   * 'mtls' (default): the services serve gRPC with mutual TLS from a test PKI and the emulated Envoy uses
   * its Gateway's certificate, as deployed. 'plaintext': GATEHOUSE_INSECURE_PLAINTEXT, for specs that talk
   * to the service ports with clients of their own.
   */
  readonly transport?: 'mtls' | 'plaintext';
}

export interface GatewayHandle {
  readonly redis: RedisHandle;
  readonly services: Partial<Record<GatewayServiceName, ServiceHandle>>;
  service(name: GatewayServiceName): ServiceHandle;
  /** What xds currently serves this Envoy, over ADS. */
  snapshot(): Promise<ServedSnapshot>;
  /** A long-lived ADS stream following the config as Envoy would; pass `current()` to `request`. Close it. */
  watch(): Promise<AdsWatcher>;
  /** Plays Envoy for one request on the listener with this port, against a fresh snapshot (or the given one). */
  request(listenerPort: number, request: Partial<EmulatedRequest> & Pick<EmulatedRequest, 'path'>, snapshot?: ServedSnapshot): Promise<EmulatedResponse>;
  /** As `request`, and the router then sends it to the upstream endpoint over HTTP, retrying as the route says. */
  requestUpstream(listenerPort: number, request: Partial<EmulatedRequest> & Pick<EmulatedRequest, 'path'>, snapshot?: ServedSnapshot): Promise<EmulatedResponse>;
  readonly peers: EnvoyPeers;
  /** The test PKI with mTLS (undefined with plaintext). */
  readonly pki?: TestPki;
  /** Channel credentials of the emulated Envoy (its Gateway certificate with mTLS; insecure with plaintext). */
  envoyCredentials(expectedService?: GatewayServiceName): ChannelCredentials;
  /** Restarts one service with the same ports and environment (after a kill, for drills). */
  restart(name: GatewayServiceName): Promise<ServiceHandle>;
  stop(): Promise<void>;
}

type Unary = (request: object, callback: (err: Error | null, response?: object) => void) => void;

function unaryClient(address: string, serviceName: string, method: string, creds: ChannelCredentials): { call(request: object): Promise<object>; close(): void } {
  const Constructor = makeGenericClientConstructor(grpcServiceDefinition(serviceName), serviceName);
  const client = new Constructor(address, creds) as unknown as Client & Record<string, Unary>;
  return {
    call: (request) =>
      new Promise((resolve, reject) =>
        client[method]!.call(client, request, (err, response) => (err ? reject(err) : resolve(response ?? {}))),
      ),
    close: () => client.close(),
  };
}

export async function startGateway(options: StartGatewayOptions): Promise<GatewayHandle> {
  const redis = options.redis ?? (await startRedis({ appendOnly: true }));
  const wanted = options.services ?? ['xds', 'authz', 'ratelimit', 'certs'];
  const ports = Object.fromEntries(await Promise.all(wanted.map(async (n) => [n, { grpc: await freePort(), admin: await freePort() }] as const))) as Record<
    GatewayServiceName,
    { grpc: number; admin: number }
  >;
  const http01Port = await freePort();
  const common = { REDIS_URL: redis.url, LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn' };
  const tls = mutualTls(options);
  const environment: Record<GatewayServiceName, Record<string, string>> = {
    ratelimit: { ...common, ...tls.env('ratelimit'), ...options.env?.ratelimit },
    authz: { ...common, ...tls.env('authz'), ...options.env?.authz },
    certs: { ...common, ...tls.env('certs'), HTTP_PORT: String(http01Port), CERTS_ALLOW_PLAINTEXT_KEYS: 'true', ...options.env?.certs },
    xds: {
      ...common,
      ...tls.env('xds'),
      GATEWAY_CONFIG_PATH: options.configDir,
      XDS_DEBOUNCE_MS: '20',
      AUTHZ_ADDRESS: `127.0.0.1:${ports.authz?.grpc ?? 9001}`,
      RATELIMIT_ADDRESS: `127.0.0.1:${ports.ratelimit?.grpc ?? 8081}`,
      CERTS_HTTP01_ADDRESS: `127.0.0.1:${http01Port}`,
      CONSOLE_METRICS_URLS: (['authz', 'ratelimit'] as const).filter((n) => ports[n]).map((n) => `${n}=http://127.0.0.1:${ports[n].admin}/metrics`).join(','),
      ...(ports.certs ? { CONSOLE_CERTS_URL: `http://127.0.0.1:${ports.certs.admin}` } : {}),
      ...options.env?.xds,
    },
  };
  const services: Partial<Record<GatewayServiceName, ServiceHandle>> = {};
  const start = async (name: GatewayServiceName): Promise<ServiceHandle> =>
    (services[name] = await startService(name, { ...environment[name], GRPC_PORT: String(ports[name].grpc), ADMIN_PORT: String(ports[name].admin) }));
  try {
    // Consumers first, so they are subscribed when xds publishes.
    for (const name of (['ratelimit', 'authz', 'certs', 'xds'] as const).filter((n) => wanted.includes(n))) await start(name);
  } catch (err) {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    if (!options.redis) await redis.stop();
    throw err;
  }
  const service = (name: GatewayServiceName): ServiceHandle => {
    const handle = services[name];
    if (!handle) throw new Error(`${name} is not running in this gateway`);
    return handle;
  };
  const authz = ports.authz ? unaryClient(`127.0.0.1:${ports.authz.grpc}`, ServiceNames.authorization, 'Check', tls.credentials('authz')) : undefined;
  const ratelimit = ports.ratelimit ? unaryClient(`127.0.0.1:${ports.ratelimit.grpc}`, ServiceNames.rateLimit, 'ShouldRateLimit', tls.credentials('ratelimit')) : undefined;
  const peers: EnvoyPeers = {
    check: async (request) => {
      if (!authz) throw new Error('authz is not running');
      return (await authz.call(request)) as CheckResponseLike;
    },
    shouldRateLimit: async (request) => {
      if (!ratelimit) throw new Error('ratelimit is not running');
      return (await ratelimit.call(request)) as RateLimitResponseLike;
    },
  };
  const snapshot = (): Promise<ServedSnapshot> => fetchServedSnapshot(service('xds').grpcAddress, options.nodeCluster, undefined, tls.credentials('xds'));
  return {
    redis,
    services,
    service,
    snapshot,
    watch: () => watchAds(service('xds').grpcAddress, options.nodeCluster, undefined, tls.credentials('xds')),
    peers,
    ...(tls.pki ? { pki: tls.pki } : {}),
    envoyCredentials: (expected) => tls.credentials(expected),
    async request(listenerPort, partial, served) {
      const request: EmulatedRequest = { method: 'GET', host: 'localhost', headers: {}, clientAddress: '192.0.2.10', ...partial };
      return emulateRequest(served ?? (await snapshot()), listenerPort, request, peers);
    },
    async requestUpstream(listenerPort, partial, served) {
      const request: EmulatedRequest = { method: 'GET', host: 'localhost', headers: {}, clientAddress: '192.0.2.10', ...partial };
      return emulateRequest(served ?? (await snapshot()), listenerPort, request, { ...peers, forward: httpForward });
    },
    async restart(name) {
      await services[name]?.stop();
      return start(name);
    },
    async stop() {
      authz?.close();
      ratelimit?.close();
      await Promise.all(Object.values(services).map((s) => s.stop()));
      if (!options.redis) await redis.stop();
    },
  };
}

/**
 * The gateway's transport: with mTLS a test PKI, a certificate per service (TLS_* variables) and the
 * emulated Envoy's Gateway certificate; its credentials check the service's identity as Envoy's
 * match_typed_subject_alt_names does.
 */
function mutualTls(options: StartGatewayOptions): {
  pki?: TestPki;
  env(service: GatewayServiceName): Record<string, string>;
  credentials(expected?: GatewayServiceName): ChannelCredentials;
} {
  if (options.transport === 'plaintext') return { env: () => ({}), credentials: () => credentials.createInsecure() };
  const [namespace, name] = options.nodeCluster.split('/') as [string, string];
  const pki = makeTestPki();
  const envoy: TestLeaf = pki.issue(`envoy-${namespace}-${name}`, { kind: 'gateway', namespace, name });
  return {
    pki,
    env: (service) => pki.envFor(pki.issue(service, { kind: 'service', name: service })),
    credentials: (expected) =>
      credentials.createSsl(pki.ca, envoy.key, envoy.cert, {
        checkServerIdentity: (_host: string, cert: PeerCertificate) => {
          if (!expected) return undefined;
          const want = formatIdentity({ kind: 'service', name: expected });
          const uris = (cert.subjectaltname ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
          return uris.includes(want) ? undefined : new Error(`${expected} presents ${uris.join(', ') || 'no URI SAN'}, not ${want}`);
        },
      }),
  };
}
