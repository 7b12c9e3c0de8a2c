// Fault drill: each service is SIGKILLed and restarted on the same ports (gw.restart). What the emulated
// Envoy sees while it is down, how long the restart takes, and what survives: an ADS client gets the same
// versions and no new push when it resumes with what it holds; rate-limit counters and OIDC sessions (in
// Redis) carry on; an ACME order in flight when certs dies is finished once by the next process.
// Measurements are printed with console.info; only behaviour is asserted (no timing assertions).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateIssuedCodec, FanoutChannels, SealedUses } from '@gatehouse/contracts';
import { testSealedCodec } from '@gatehouse/kit/testing';
import {
  envoy,
  fetchServedSnapshot,
  freePort,
  startGateway,
  startOidcProvider,
  startPebble,
  waitFor,
  type GatewayHandle,
  type GatewayServiceName,
  type OidcProviderHandle,
  type PebbleHandle,
  type ServedSnapshot,
} from '../harness/index.js';
import { openAdsStream } from '../harness/ads-stream.js';
import { AnswerTally, cookiesOf, createCountingPeers, envoyFilterTimeoutsMs, formatMeasurements, readRemaining, type CountingPeers } from '../harness/drill-peers.js';

const LISTENER = 8080;
const NODE_CLUSTER = 'default/edge';
const CALLBACK = 'http://localhost/app/oauth2/callback';
const STATE_KEY = 'gatehouse:certs:state:drill/survivor';

let oidc: OidcProviderHandle;
let pebble: PebbleHandle;
let gw: GatewayHandle;
let peers: CountingPeers;
let redisClient: Redis;
let configDir: string;
let certsDir: string;
let webhook: Server;
const held: ServerResponse[] = [];
let holdPresents = true;
let presented!: () => void;
const firstPresent = new Promise<void>((resolve) => (presented = resolve));

async function writeFixture(dir: string, name: string, replacements: Record<string, string>): Promise<void> {
  let text = await readFile(new URL(`./drill-service-kill/${name}`, import.meta.url), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.replaceAll(from, to);
  await writeFile(join(dir, name), text);
}

/** The DNS-01 webhook: holds the first `present` (the order stays in flight), forwards the rest to challtestsrv. */
async function startWebhook(): Promise<string> {
  webhook = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/present' && holdPresents) {
        held.push(res);
        presented();
        return;
      }
      void fetch(`${pebble.challtestsrvUrl}${req.url === '/present' ? '/set-txt' : '/clear-txt'}`, { method: 'POST', body }).then(
        () => res.end('ok'),
        (err: unknown) => res.writeHead(502).end(String(err)),
      );
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => webhook.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  oidc = await startOidcProvider({ client: { redirectUris: [CALLBACK] } });
  pebble = await startPebble();
  const webhookUrl = await startWebhook();
  configDir = await mkdtemp(join(tmpdir(), 'gh-drill-kill-gw-'));
  certsDir = await mkdtemp(join(tmpdir(), 'gh-drill-kill-certs-'));
  await writeFixture(configDir, 'gateway.yaml', {
    __OIDC_ISSUER__: oidc.issuer,
    __OIDC_CLIENT_SECRET_B64__: Buffer.from(oidc.client.clientSecret).toString('base64'),
  });
  await writeFixture(certsDir, 'certs.yaml', { __ACME_SERVER__: pebble.directoryUrl, __WEBHOOK__: webhookUrl });
  await writeFile(join(certsDir, 'ca.pem'), [pebble.caBundlePem, pebble.issuingRootPem].join('\n'));
  gw = await startGateway({
    configDir,
    nodeCluster: NODE_CLUSTER,
    // The drill's own ADS streams and counting peers dial the service ports in plaintext.
    transport: 'plaintext',
    env: {
      authz: { AUTHZ_COOKIE_SECRET: 'drill-cookie-secret-drill-cookie-secret-0123' },
      certs: {
        CERTS_CONFIG_PATH: join(certsDir, 'certs.yaml'),
        ACME_CA_CERTS: join(certsDir, 'ca.pem'),
        CERTS_DNS01_NAMESERVERS: `127.0.0.1:${pebble.dnsPort}`,
        // A dead process's lease runs out quickly, so the next one resumes the order soon.
        CERTS_ORDER_LEASE_MS: '3000',
      },
    },
  });
  peers = createCountingPeers({ authz: gw.service('authz').grpcAddress, ratelimit: gw.service('ratelimit').grpcAddress }, envoyFilterTimeoutsMs(await gw.snapshot(), LISTENER));
  redisClient = new Redis(gw.redis.url);
}, 90_000);

afterAll(async () => {
  peers?.close();
  redisClient?.disconnect();
  for (const res of held) res.destroy();
  webhook?.close();
  await gw?.stop();
  await pebble?.stop();
  await oidc?.stop();
  for (const dir of [configDir, certsDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

function request(snapshot: ServedSnapshot, path: string, headers: Record<string, string> = {}) {
  return envoy.emulateRequest(snapshot, LISTENER, { method: 'GET', host: 'localhost', path, headers, clientAddress: '192.0.2.10' }, peers);
}

const browser = { accept: 'text/html' };

async function login(snapshot: ServedSnapshot): Promise<string> {
  const start = await request(snapshot, '/app/orders', browser);
  expect(start.status, start.body).toBe(302);
  const callback = await oidc.login(start.headers.location!);
  const back = await request(snapshot, `${callback.pathname}${callback.search}`, { ...browser, cookie: cookiesOf(start.headers['set-cookie']) });
  expect(back.status, back.body).toBe(302);
  return cookiesOf(back.headers['set-cookie']);
}

async function servedReady(): Promise<ServedSnapshot> {
  return waitFor(
    async () => {
      const s = await gw.snapshot();
      const answer = await request(s, '/limited');
      return answer.status === 200 && peers.lastRateLimit?.statuses?.[0]?.current_limit ? s : undefined;
    },
    { timeoutMs: 20_000, description: 'the rate limit of /limited to be applied' },
  );
}

/** SIGKILLs one service, sends `during` while it is down, restarts it on the same ports; returns the tally. */
async function killAndRestart(name: GatewayServiceName, during?: (tally: AnswerTally) => Promise<void>): Promise<{ tally: AnswerTally; restartMs: number }> {
  const tally = new AnswerTally();
  await gw.service(name).process.kill();
  await during?.(tally);
  const started = performance.now();
  await gw.restart(name);
  return { tally, restartMs: Math.round(performance.now() - started) };
}

describe('each service SIGKILLed and restarted on the same ports', () => {
  it('xds: a connected ADS client reconnects to the same versions and gets no push of identical content', async () => {
    const xdsAddress = gw.service('xds').grpcAddress;
    const before = await fetchServedSnapshot(xdsAddress, NODE_CLUSTER);
    const client = openAdsStream({ address: xdsAddress, nodeCluster: NODE_CLUSTER });
    await waitFor(() => Object.keys(client.held).length === 4, { timeoutMs: 10_000, description: 'the ADS client to hold CDS, EDS, LDS and RDS' });
    const holding = structuredClone(client.held);

    const { restartMs } = await killAndRestart('xds');
    await waitFor(() => client.ended !== undefined, { timeoutMs: 10_000, description: 'the old stream to end' });
    const streamEnd = client.ended?.message ?? '';
    client.close();

    const after = await fetchServedSnapshot(xdsAddress, NODE_CLUSTER);
    // Envoy reconnecting with what it holds: the same content needs no push.
    const resumed = openAdsStream({ address: xdsAddress, nodeCluster: NODE_CLUSTER, resumeFrom: holding });
    // A fresh client on the same server, as the control: it is pushed everything.
    const fresh = openAdsStream({ address: xdsAddress, nodeCluster: NODE_CLUSTER, nodeId: 'drill-fresh-envoy' });
    await waitFor(() => Object.keys(fresh.held).length === 4, { timeoutMs: 10_000, description: 'a fresh client to be served' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const resumedPushes = resumed.responses.length;
    resumed.close();
    fresh.close();

    console.info(
      formatMeasurements('drill-service-kill xds', {
        'restart (spawn to /readyz)': `${restartMs} ms`,
        'old stream ended with': streamEnd,
        'versions before': JSON.stringify(Object.values(before.versions)),
        'versions after': JSON.stringify(Object.values(after.versions)),
        'pushes to the resumed client (1.5 s)': resumedPushes,
        'pushes to a fresh client': fresh.responses.length,
      }),
    );
    expect(after.versions).toEqual(before.versions);
    expect(Object.fromEntries(Object.entries(fresh.held).map(([t, h]) => [t, h.version]))).toEqual(Object.fromEntries(Object.entries(holding).map(([t, h]) => [t, h.version])));
    expect(resumed.responses).toEqual([]);
    expect(resumed.ended).toBeUndefined();
  }, 60_000);

  it('ratelimit: Envoy fails open while it is down (failure_mode_deny unset), then the counter continues', async () => {
    const snapshot = await servedReady();
    const first = await request(snapshot, '/limited');
    // 1000 hits at once, so a counter reset to a fresh window could not pass for "continued".
    const remainingBefore = await readRemaining(peers, { ...first.sent.rateLimit, hits_addend: 1000 });
    peers.resetCounts();
    const { tally, restartMs } = await killAndRestart('ratelimit', async (t) => {
      for (let i = 0; i < 10; i++) t.add('/limited while ratelimit is down', (await request(snapshot, '/limited')).status);
    });
    const callsDown = structuredClone(peers.calls.shouldRateLimit);
    const recovered = await waitFor(async () => (await request(snapshot, '/limited')).status === 200 && peers.calls.shouldRateLimit.ok > callsDown.ok, {
      timeoutMs: 20_000,
      description: 'ratelimit to answer again',
    });
    const remainingAfter = await readRemaining(peers, first.sent.rateLimit);
    console.info(
      [
        tally.format('drill-service-kill ratelimit: answers while down'),
        formatMeasurements('drill-service-kill ratelimit', {
          'gRPC calls while down (failed)': JSON.stringify(callsDown.failed),
          'restart (spawn to /readyz)': `${restartMs} ms`,
          'remaining before -> after': `${remainingBefore} -> ${remainingAfter}`,
        }),
      ].join('\n'),
    );
    expect(recovered).toBe(true);
    expect(tally.count('/limited while ratelimit is down', 200)).toBe(10);
    expect(remainingAfter).toBeLessThan(remainingBefore);
    expect(remainingAfter).toBeGreaterThan(remainingBefore - 1000);
  }, 60_000);

  it('authz: Envoy fails closed while it is down (503), and the OIDC session stays valid after the restart', async () => {
    const snapshot = await servedReady();
    const session = await login(snapshot);
    expect((await request(snapshot, '/app/orders', { ...browser, cookie: session })).status).toBe(200);
    const { tally, restartMs } = await killAndRestart('authz', async (t) => {
      for (let i = 0; i < 10; i++) t.add('/app with session while authz is down', (await request(snapshot, '/app/orders', { ...browser, cookie: session })).status);
    });
    await waitFor(async () => (await request(snapshot, '/app/orders', { ...browser, cookie: session })).status === 200, {
      timeoutMs: 20_000,
      description: 'the session to be accepted by the restarted authz',
    });
    console.info(
      [tally.format('drill-service-kill authz: answers while down'), formatMeasurements('drill-service-kill authz', { 'restart (spawn to /readyz)': `${restartMs} ms`, 'session valid after restart': 'yes' })].join('\n'),
    );
    expect(tally.count('/app with session while authz is down', 503)).toBe(10);
  }, 60_000);

  it('certs: an ACME order in flight when certs dies is finished once by the restarted process', async () => {
    const issuedMessages: Array<{ name: string; revision: number }> = [];
    const subscriber = new Redis(gw.redis.url);
    try {
      subscriber.on('messageBuffer', (_channel: Buffer, payload: Buffer) => {
        const issued = testSealedCodec(certificateIssuedCodec, SealedUses.certificateIssued()).decode(payload);
        issuedMessages.push({ name: `${issued.namespace}/${issued.name}`, revision: Number(issued.revision) });
      });
      await subscriber.subscribe(FanoutChannels.certificateIssued);
      await firstPresent;
      const pending = await redisClient.hget(STATE_KEY, 'pendingOrderUrl');
      expect(pending).toMatch(/^https:\/\//);
      const { restartMs } = await killAndRestart('certs', async () => {
        holdPresents = false;
      });
      const started = performance.now();
      const orderUrl = await waitFor(
        async () => ((await redisClient.hget(STATE_KEY, 'revision')) === '1' ? redisClient.hget(STATE_KEY, 'orderUrl') : undefined),
        // Two correct paths: the restarted process reschedules the certificate at once (usually ~12 s),
        // or its job id is the dead worker's, which BullMQ hands back only once that job is found
        // stalled (lock 30 s + stalled check 30 s), and the order then resumes at the call limit.
        { timeoutMs: 100_000, intervalMs: 250, description: 'the restarted certs to finish the order' },
      );
      const finishedMs = Math.round(performance.now() - started);
      await waitFor(() => issuedMessages.some((m) => m.name === 'drill/survivor'), { timeoutMs: 10_000, description: 'CertificateIssued to be published' });
      // Anything a second order would do happens well within this.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const state = await redisClient.hgetall(STATE_KEY);
      const metrics = await (await fetch(`${gw.service('certs').adminUrl}/metrics`)).text();
      const ordersIssued = metrics.match(/^gatehouse_certs_orders_total\{[^}]*outcome="issued"[^}]*\} (\d+)/m)?.[1] ?? '0';
      console.info(
        formatMeasurements('drill-service-kill certs', {
          'restart (spawn to /readyz)': `${restartMs} ms`,
          'order finished after restart': `${finishedMs} ms`,
          'order URL before kill == finished order': String(orderUrl === pending),
          'CertificateIssued messages for drill/survivor': issuedMessages.filter((m) => m.name === 'drill/survivor').length,
          'state revision': state.revision ?? '',
          'orders issued (restarted process metric)': ordersIssued,
        }),
      );
      expect(orderUrl).toBe(pending);
      expect(issuedMessages.filter((m) => m.name === 'drill/survivor')).toEqual([{ name: 'drill/survivor', revision: 1 }]);
      expect(state.revision).toBe('1');
      expect(state.pendingOrderUrl ?? '').toBe('');
    } finally {
      subscriber.disconnect();
    }
  }, 120_000);
});
