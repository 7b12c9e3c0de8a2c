// `pnpm start` as a newcomer runs it, on a machine without Docker: nothing set in the environment but
// the ports (all moved, so this run cannot collide with anything), a config folder of their own. It must
// bring up Redis and the four services, say what runs where, write an Envoy bootstrap for the Gateway,
// keep its generated secrets out of the repository, run every gRPC plane with mutual TLS from a PKI of
// its own, and stop everything on Ctrl-C.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, X509Certificate } from 'node:crypto';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePorts, ManagedProcess, repoRoot, waitFor } from '../harness/index.js';

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: team }
spec:
  gatewayClassName: gatehouse
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;

const NAMES = ['XDS_GRPC_PORT', 'XDS_ADMIN_PORT', 'CERTS_GRPC_PORT', 'CERTS_ADMIN_PORT', 'CERTS_HTTP_PORT', 'AUTHZ_GRPC_PORT', 'AUTHZ_ADMIN_PORT', 'RATELIMIT_GRPC_PORT', 'RATELIMIT_ADMIN_PORT', 'REDIS_PORT'] as const;

let work: string;
let ports: Record<(typeof NAMES)[number], number>;
let start: ManagedProcess;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gh-pnpm-start-'));
  await writeFile(join(work, 'gateway.yaml'), GATEWAY);
  const picked = await freePorts(NAMES.length);
  ports = Object.fromEntries(NAMES.map((n, i) => [n, picked[i]!])) as typeof ports;
  const started = performance.now();
  start = new ManagedProcess({
    name: 'pnpm start',
    command: process.execPath,
    args: [join(repoRoot, 'scripts', 'start.mjs'), work, '--state', join(work, 'state')],
    cwd: repoRoot,
    maxOutputChars: 4 * 1024 * 1024,
    // Only PATH and HOME (ManagedProcess passes them) plus the ports: no secret, no REDIS_URL.
    env: Object.fromEntries(NAMES.map((n) => [n, String(ports[n])])),
  });
  // Generous: four Node.js processes loading at once on a shared 2-core machine (start.mjs itself waits up to 180 s).
  await start.waitForOutput(/\[start\] gatehouse is up/, 150_000);
  // Printed, not asserted (the machine is shared): a fresh state folder, so PKI and secrets are created too.
  console.log(`pnpm start: "gatehouse is up" ${((performance.now() - started) / 1000).toFixed(1)} s after the start (fresh state folder)`);
}, 180_000);

afterAll(async () => {
  await start?.stop(8_000);
  await rm(work, { recursive: true, force: true });
});

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });

const Health = grpc.makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.health), 'Health');

/** grpc.health.v1 Check on 127.0.0.1:port with the given credentials: the status, or the error code. */
async function healthCheck(port: number, credentials: grpc.ChannelCredentials): Promise<string> {
  // The name the certificates carry besides 127.0.0.1 (an IP as TLS server name is not allowed by RFC 6066).
  const client = new Health(`127.0.0.1:${port}`, credentials, { 'grpc.ssl_target_name_override': 'localhost' });
  try {
    const check = client.Check as (req: object, options: grpc.CallOptions, cb: grpc.requestCallback<{ status: string }>) => void;
    return await new Promise<string>((resolve) =>
      check.call(client, { service: '' }, { deadline: Date.now() + 5_000 }, (err, value) => resolve(err ? `error ${grpc.status[err.code]}` : String(value?.status))),
    );
  } finally {
    client.close();
  }
}

/** SHA-256 of the certificate a TLS 1.3 handshake with 127.0.0.1:port presents (with a client certificate). */
function servedCertificate(port: number, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: ['h2'], minVersion: 'TLSv1.3', ...tls }, () => {
      resolve(createHash('sha256').update(socket.getPeerCertificate().raw).digest('hex'));
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('pnpm start', () => {
  it('brings up all four services on the ports it was given, each ready', async () => {
    for (const service of ['XDS', 'CERTS', 'AUTHZ', 'RATELIMIT'] as const) {
      const ready = await fetch(`http://127.0.0.1:${ports[`${service}_ADMIN_PORT`]}/readyz`);
      expect(ready.status, service).toBe(200);
      expect(await portOpen(ports[`${service}_GRPC_PORT`]), `${service} gRPC`).toBe(true);
    }
    expect(await portOpen(ports.CERTS_HTTP_PORT)).toBe(true);
    expect(await portOpen(ports.REDIS_PORT)).toBe(true);
    expect(start.recentOutput).toContain(`xds        gRPC 127.0.0.1:${ports.XDS_GRPC_PORT}   admin http://127.0.0.1:${ports.XDS_ADMIN_PORT}`);
    expect(start.recentOutput).toContain(`console    http://127.0.0.1:${ports.XDS_ADMIN_PORT}/console/`);
  });

  it('serves the config folder it was given, and follows edits to it', async () => {
    const status = async () => (await (await fetch(`http://127.0.0.1:${ports.XDS_ADMIN_PORT}/status`)).json()) as { nodeClusters: Record<string, string> };
    expect(Object.keys((await status()).nodeClusters)).toEqual(['team/edge']);
    await writeFile(join(work, 'gateway.yaml'), GATEWAY.replace('name: edge', 'name: edge-2'));
    await waitFor(async () => Object.keys((await status()).nodeClusters).join() === 'team/edge-2', { timeoutMs: 10_000, description: 'the renamed Gateway served' });
  });

  it('writes an Envoy bootstrap for the Gateway, pointing at the moved xds port', async () => {
    // <state>/envoy/team-edge.yaml, or a folder of its own with the file-based SDS files beside it.
    const file = new RegExp(`envoy -c (${join(work, 'state', 'envoy').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\/team-edge\\S*\\.yaml) +\\(Gateway team\\/edge\\)`).exec(start.recentOutput)?.[1];
    expect(file, start.recentOutput.slice(-2000)).toBeDefined();
    const bootstrap = parse(await readFile(file!, 'utf8'));
    expect(bootstrap.node.cluster).toBe('team/edge');
    const endpoint = bootstrap.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    expect(endpoint).toEqual({ address: '127.0.0.1', port_value: ports.XDS_GRPC_PORT });
  });

  it('generates the local secrets into the state folder, readable only by the user, and says where', async () => {
    const file = join(work, 'state', 'secrets.env');
    expect(start.recentOutput).toContain(`generated a local encryption key, admin token, cookie secret and control key in ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    for (const name of ['CERTS_ENCRYPTION_KEY', 'ADMIN_TOKEN', 'AUTHZ_COOKIE_SECRET', 'GATEHOUSE_CONTROL_KEY']) expect(text).toMatch(new RegExp(`^${name}=\\S{20,}$`, 'm'));
    // The generated token guards xds's admin API.
    const token = /^ADMIN_TOKEN=(\S+)$/m.exec(text)![1]!;
    const put = (auth: string) => fetch(`http://127.0.0.1:${ports.XDS_ADMIN_PORT}/resources`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/yaml' }, body: '' });
    expect((await put('Bearer wrong')).status).toBe(401);
    expect((await put(`Bearer ${token}`)).status).not.toBe(401);
  });

  it('creates the PKI in the state folder: the CA, a certificate per service and for the Gateway, keys 0600', async () => {
    const dir = join(work, 'state', 'pki');
    const files = await readdir(dir);
    for (const base of ['ca', 'xds', 'authz', 'ratelimit', 'certs', 'envoy-team-edge']) {
      expect(files, base).toContain(`${base}.crt`);
      expect((await stat(join(dir, `${base}.key`))).mode & 0o777, base).toBe(0o600);
    }
    expect(start.recentOutput).toContain(`mtls       on: CA and certificates in ${dir}`);
  });

  it('serves gRPC with mutual TLS only: plaintext and certificate-less calls fail, a client certificate from the PKI passes', async () => {
    const dir = join(work, 'state', 'pki');
    // A tool's certificate, the way a user adds one.
    await promisify(execFile)(process.execPath, [join(repoRoot, 'packages', 'cli', 'dist', 'main.js'), 'pki', 'issue', '--client', 'e2e', '--dir', dir]);
    const [ca, key, cert] = await Promise.all(['ca.crt', 'client-e2e.key', 'client-e2e.crt'].map((f) => readFile(join(dir, f))));
    for (const service of ['XDS', 'CERTS', 'AUTHZ', 'RATELIMIT'] as const) {
      const port = ports[`${service}_GRPC_PORT`];
      expect(await healthCheck(port, grpc.credentials.createInsecure()), `${service} plaintext`).toMatch(/^error /);
      expect(await healthCheck(port, grpc.credentials.createSsl(ca!)), `${service} without a client certificate`).toMatch(/^error /);
      expect(await healthCheck(port, grpc.credentials.createSsl(ca!, key!, cert!)), `${service} mutual TLS`).toBe('SERVING');
    }
  });

  it('rotates a certificate without a restart: `gatehouse pki issue authz` and authz serves the new one', async () => {
    const dir = join(work, 'state', 'pki');
    const tls = { ca: await readFile(join(dir, 'ca.crt')), key: await readFile(join(dir, 'client-e2e.key')), cert: await readFile(join(dir, 'client-e2e.crt')) };
    const before = await servedCertificate(ports.AUTHZ_GRPC_PORT, tls);
    await promisify(execFile)(process.execPath, [join(repoRoot, 'packages', 'cli', 'dist', 'main.js'), 'pki', 'issue', 'authz', '--dir', dir]);
    const issued = createHash('sha256').update(new X509Certificate(await readFile(join(dir, 'authz.crt'))).raw).digest('hex');
    expect(issued).not.toBe(before);
    await waitFor(async () => (await servedCertificate(ports.AUTHZ_GRPC_PORT, tls)) === issued, { timeoutMs: 15_000, description: 'authz serving the rotated certificate' });
    expect(await healthCheck(ports.AUTHZ_GRPC_PORT, grpc.credentials.createSsl(tls.ca, tls.key, tls.cert))).toBe('SERVING');
  });

  it('stops every process on SIGTERM and exits 0', async () => {
    await start.stop(8_000);
    expect((await start.waitForExit()).code).toBe(0);
    for (const port of [ports.REDIS_PORT, ports.XDS_GRPC_PORT, ports.AUTHZ_ADMIN_PORT, ports.RATELIMIT_GRPC_PORT, ports.CERTS_HTTP_PORT]) expect(await portOpen(port), `port ${port}`).toBe(false);
  });
});
