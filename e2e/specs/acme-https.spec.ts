// Journey: HTTPS with an ACME certificate. A Gateway annotated cert-manager.io/cluster-issuer asks
// (xds -> BullMQ) the certs service for its HTTPS listener's certificate; the certs service orders it
// from Pebble with HTTP-01, and Pebble validates through the gateway: it connects to a port where this
// test plays Envoy's port-80 listener, routing with what xds serves (the challenge route must win over
// the https redirect) and forwarding to the cluster's endpoint, the certs HTTP-01 responder. xds then
// serves the certificate over SDS; a forced renewal pushes a new Secret version and no listener change.
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TypeUrls } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGateway, startPebble, waitFor, type GatewayHandle, type PebbleHandle } from '../harness/index.js';
import { watchListenersAndSecrets, type AdsWatch, type ServedSecret } from '../harness/envoy/sds.js';
import { upstreamAddress } from '../harness/envoy/upstream-address.js';

const NODE_CLUSTER = 'default/public';
const HOST = 'www.example.test';
const SECRET = 'default/www-tls';
const CERTIFICATE = 'default/www-tls';
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
/** Pebble's certificate lifetime; without ARI the certs service renews at half of it for short certificates. */
const CERTIFICATE_LIFETIME_SECONDS = 40;

let pebble: PebbleHandle;
let gw: GatewayHandle;
let port80: Server;
let workDir: string;
let watch: AdsWatch;
/** Every request the emulated port-80 listener handled: path, route chosen, status answered. */
const port80Log: Array<{ path: string; route: string | undefined; status: number }> = [];

/**
 * Envoy's port-80 listener, played from the served snapshot: route selection (and filters) by the
 * emulator, then the router's hop to the chosen cluster's endpoint, or the emulator's local reply.
 */
async function handlePort80(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const snapshot = await gw.snapshot();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  const emulated = await gw.request(80, { method: req.method ?? 'GET', path: req.url ?? '/', host: req.headers.host ?? '', headers, clientAddress: req.socket.remoteAddress ?? '127.0.0.1' }, snapshot);
  if (!emulated.upstream) {
    port80Log.push({ path: req.url ?? '/', route: emulated.routeName, status: emulated.status });
    res.writeHead(emulated.status, emulated.headers).end(emulated.body);
    return;
  }
  const target = upstreamAddress(snapshot, emulated.upstream.cluster);
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const forward = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers: emulated.upstream!.headers }, resolve);
    forward.on('error', reject);
    forward.end();
  });
  port80Log.push({ path: req.url ?? '/', route: emulated.routeName, status: upstream.statusCode ?? 502 });
  res.writeHead(upstream.statusCode ?? 502, upstream.headers);
  upstream.pipe(res);
}

function startPort80(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handlePort80(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`emulated port 80 failed: ${String(err)}`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function splitPem(chain: string): X509Certificate[] {
  return (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

/** The served secret's certificates, after checking it chains to Pebble's issuing root and matches its key. */
function verifyServedSecret(secret: ServedSecret): X509Certificate[] {
  const chainPem = secret.tls_certificate?.certificate_chain?.inline_string ?? '';
  const keyPem = secret.tls_certificate?.private_key?.inline_string ?? '';
  const chain = splitPem(chainPem);
  expect(chain.length).toBeGreaterThanOrEqual(2);
  const [leaf] = chain as [X509Certificate, ...X509Certificate[]];
  expect(leaf.subjectAltName).toContain(`DNS:${HOST}`);
  expect(leaf.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
  for (let i = 0; i + 1 < chain.length; i++) expect(chain[i]!.verify(chain[i + 1]!.publicKey)).toBe(true);
  const root = new X509Certificate(pebble.issuingRootPem);
  expect(chain.at(-1)!.verify(root.publicKey)).toBe(true);
  expect(chain.at(-1)!.checkIssued(root)).toBe(true);
  return chain;
}

function secretsPushes(): number {
  return watch.pushes.filter((p) => p.typeUrl === TypeUrls.secret && p.resources.length > 0).length;
}

function listenerPushes(): number {
  return watch.pushes.filter((p) => p.typeUrl === TypeUrls.listener).length;
}

beforeAll(async () => {
  const http01Port = await freePort();
  // Short-lived certificates, so the certs service's own schedule renews them within the test too.
  pebble = await startPebble({ httpPort: http01Port, certificateValidityPeriod: CERTIFICATE_LIFETIME_SECONDS, chaos: false });
  workDir = mkdtempSync(join(tmpdir(), 'gh-e2e-acme-'));
  const gatewayDir = join(workDir, 'gateway');
  const certsDir = join(workDir, 'certs');
  mkdirSync(gatewayDir);
  mkdirSync(certsDir);
  writeFileSync(join(gatewayDir, 'gateway.yaml'), readFileSync(new URL('./acme-https/gateway.yaml', import.meta.url), 'utf8'));
  writeFileSync(join(certsDir, 'issuer.yaml'), readFileSync(new URL('./acme-https/issuer.yaml', import.meta.url), 'utf8').replaceAll('{{DIRECTORY_URL}}', pebble.directoryUrl));
  gw = await startGateway({
    configDir: gatewayDir,
    nodeCluster: NODE_CLUSTER,
    // The SDS watch dials xds in plaintext.
    transport: 'plaintext',
    services: ['xds', 'certs'],
    env: {
      certs: {
        CERTS_CONFIG_PATH: certsDir,
        // Pebble's throwaway TLS CA (for its API) and its issuing root (for the issued chain).
        ACME_CA_CERTS: `${pebble.caBundlePem}\n${pebble.issuingRootPem}`,
        CERTS_ENCRYPTION_KEY: ENCRYPTION_KEY,
        CERTS_ALLOW_PLAINTEXT_KEYS: 'false',
      },
      xds: { CERTS_ENCRYPTION_KEY: ENCRYPTION_KEY },
    },
  });
  port80 = await startPort80(http01Port);
  watch = watchListenersAndSecrets(gw.service('xds').grpcAddress, NODE_CLUSTER, [SECRET]);
}, 90_000);

afterAll(async () => {
  watch?.close();
  await new Promise<void>((resolve) => (port80 ? port80.close(() => resolve()) : resolve()));
  port80?.closeAllConnections();
  await gw?.stop();
  await pebble?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('HTTPS with an ACME certificate', () => {
  let firstVersion = '';
  let firstSerial = '';
  let listenerVersion = '';
  let listenersAtStart = 0;
  let renewedVersion = '';
  let renewedSerial = '';
  let renewedValidTo = 0;

  it('routes /.well-known/acme-challenge/ on port 80 to the certs responder, ahead of the https redirect', async () => {
    const snapshot = await gw.snapshot();
    const challenge = await gw.request(80, { host: HOST, path: '/.well-known/acme-challenge/some-token' }, snapshot);
    expect(challenge.upstream?.cluster).toBeDefined();
    expect(upstreamAddress(snapshot, challenge.upstream!.cluster)).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    const other = await gw.request(80, { host: HOST, path: '/index.html' }, snapshot);
    expect(other.status).toBe(301);
    expect(other.headers.location).toBe(`https://${HOST}/index.html`);
    // The HTTPS listener takes its certificate by SDS name, not inline.
    const https = snapshot.listeners.find((l) => l.address?.socket_address?.port_value === 443);
    expect(JSON.stringify(https)).toContain(`"tls_certificate_sds_secret_configs":[{"name":"${SECRET}"`);
  });

  it('issues the certificate through HTTP-01 answered via the gateway, and serves it over SDS', async () => {
    const served = await waitFor(async () => watch.latestSecrets()?.secrets.find((s) => s.name === SECRET), {
      timeoutMs: 60_000,
      intervalMs: 200,
      description: `xds to serve the SDS secret ${SECRET}`,
    });
    const [leaf] = verifyServedSecret(served);
    firstSerial = leaf!.serialNumber;
    firstVersion = watch.latestSecrets()!.version;
    // Pebble's validation came through the emulated port-80 listener's challenge route and was answered.
    const challenges = port80Log.filter((r) => r.path.startsWith('/.well-known/acme-challenge/'));
    expect(challenges.length).toBeGreaterThanOrEqual(1);
    expect(challenges.every((r) => r.route === 'acme-http01-challenge' && r.status === 200)).toBe(true);
    const status = (await (await fetch(`${gw.service('certs').adminUrl}/certificates`)).json()) as { items: Array<{ metadata: { namespace: string; name: string }; status: { conditions: Array<{ type: string; status: string }> } }> };
    const item = status.items.find((i) => `${i.metadata.namespace}/${i.metadata.name}` === CERTIFICATE);
    expect(item?.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    listenerVersion = (await gw.snapshot()).versions[TypeUrls.listener]!;
    listenersAtStart = listenerPushes();
  });

  it('rotates the certificate on renewal: a new Secret version, the same listeners', async () => {
    const listenersBefore = listenerPushes();
    const secretsBefore = secretsPushes();
    const challengesBefore = port80Log.length;
    const renew = await fetch(`${gw.service('certs').adminUrl}/certificates/${CERTIFICATE}/renew`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.service('certs').adminToken}` },
    });
    expect(renew.status).toBe(202);
    // Wait for the renewal's own events, not the clock: Pebble validating again through the gateway (no
    // authorization reuse) and then a new SDS version. On a loaded machine the 40 s certificate's scheduled
    // renewal can push a new version before this order's challenge is answered, so both are awaited together.
    const renewedChallenge = () => port80Log.slice(challengesBefore).some((r) => r.route === 'acme-http01-challenge' && r.status === 200);
    const served = await waitFor(
      async () => {
        const latest = watch.latestSecrets();
        return renewedChallenge() && latest && latest.version !== firstVersion && latest.secrets.find((s) => s.name === SECRET);
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'a challenge answered through the gateway and a new version of the SDS secret' },
    );
    const [leaf] = verifyServedSecret(served);
    expect(leaf!.serialNumber).not.toBe(firstSerial);
    expect(secretsPushes()).toBeGreaterThan(secretsBefore);
    // No listener was pushed on the stream, and a fresh fetch sees the same listener version.
    expect(listenerPushes()).toBe(listenersBefore);
    expect((await gw.snapshot()).versions[TypeUrls.listener]).toBe(listenerVersion);
    renewedVersion = watch.latestSecrets()!.version;
    renewedSerial = leaf!.serialNumber;
    renewedValidTo = new Date(leaf!.validTo).getTime();
  });

  it('renews a short-lived certificate on its own schedule, before it expires', async () => {
    const served = await waitFor(
      async () => {
        const latest = watch.latestSecrets();
        return latest && latest.version !== renewedVersion && latest.secrets.find((s) => s.name === SECRET);
      },
      { timeoutMs: (CERTIFICATE_LIFETIME_SECONDS + 20) * 1000, intervalMs: 250, description: 'a scheduled renewal to push a new SDS secret' },
    );
    const [leaf] = verifyServedSecret(served);
    expect(leaf!.serialNumber).not.toBe(renewedSerial);
    // The renewed certificate arrived while the previous one was still valid (validity dates, not timers).
    expect(new Date(leaf!.validFrom).getTime()).toBeLessThan(renewedValidTo);
    expect(listenerPushes()).toBe(listenersAtStart);
    expect((await gw.snapshot()).versions[TypeUrls.listener]).toBe(listenerVersion);
  }, 90_000);
});
