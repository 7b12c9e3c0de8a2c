// `pnpm start` as a newcomer runs it, on a machine without Docker: nothing set in the environment but
// the ports (all moved, so this run cannot collide with anything), a config folder of their own. It must
// bring up Redis and the four services, say what runs where, write an Envoy bootstrap for the Gateway,
// keep its generated secrets out of the repository, and stop everything on Ctrl-C.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  start = new ManagedProcess({
    name: 'pnpm start',
    command: process.execPath,
    args: [join(repoRoot, 'scripts', 'start.mjs'), work, '--state', join(work, 'state')],
    cwd: repoRoot,
    maxOutputChars: 4 * 1024 * 1024,
    // Only PATH and HOME (ManagedProcess passes them) plus the ports: no secret, no REDIS_URL.
    env: Object.fromEntries(NAMES.map((n) => [n, String(ports[n])])),
  });
  await start.waitForOutput(/\[start\] gatehouse is up/, 45_000);
}, 60_000);

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
    const file = join(work, 'state', 'envoy', 'team-edge.yaml');
    expect(start.recentOutput).toContain(`envoy -c ${file}`);
    const bootstrap = parse(await readFile(file, 'utf8'));
    expect(bootstrap.node.cluster).toBe('team/edge');
    const endpoint = bootstrap.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    expect(endpoint).toEqual({ address: '127.0.0.1', port_value: ports.XDS_GRPC_PORT });
  });

  it('generates the local secrets into the state folder, readable only by the user, and says where', async () => {
    const file = join(work, 'state', 'secrets.env');
    expect(start.recentOutput).toContain(`generated a local encryption key, admin token and cookie secret in ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    for (const name of ['CERTS_ENCRYPTION_KEY', 'ADMIN_TOKEN', 'AUTHZ_COOKIE_SECRET']) expect(text).toMatch(new RegExp(`^${name}=\\S{20,}$`, 'm'));
    // The generated token guards xds's admin API.
    const token = /^ADMIN_TOKEN=(\S+)$/m.exec(text)![1]!;
    const put = (auth: string) => fetch(`http://127.0.0.1:${ports.XDS_ADMIN_PORT}/resources`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/yaml' }, body: '' });
    expect((await put('Bearer wrong')).status).toBe(401);
    expect((await put(`Bearer ${token}`)).status).not.toBe(401);
  });

  it('stops every process on SIGTERM and exits 0', async () => {
    await start.stop(8_000);
    expect((await start.waitForExit()).code).toBe(0);
    for (const port of [ports.REDIS_PORT, ports.XDS_GRPC_PORT, ports.AUTHZ_ADMIN_PORT, ports.RATELIMIT_GRPC_PORT, ports.CERTS_HTTP_PORT]) expect(await portOpen(port), `port ${port}`).toBe(false);
  });
});
