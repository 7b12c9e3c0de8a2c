// Journey: a TLS passthrough listener routes by SNI to backends that terminate TLS themselves. The
// emulated Envoy reads the ClientHello's SNI (tls_inspector), picks the served filter chain by
// server_names and pipes the untouched bytes to that chain's backend; the client's handshake is with the
// backend (its certificate, verified against the throwaway CA), never with the gateway.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, createThrowawayCa, startGateway, type ConfigFolderHandle, type GatewayHandle, type ThrowawayCa } from '../harness/index.js';
import { startTcpListener, type EmulatedTcpListener } from '../harness/envoy/tcp-proxy.js';

let dir: string;
let ca: ThrowawayCa;
const backends: Server[] = [];
let config: ConfigFolderHandle;
let gw: GatewayHandle;
let listener: EmulatedTcpListener;

/** A TLS server that answers each connection with its name and the SNI it was asked for. */
async function startBackend(name: string): Promise<number> {
  const server = createServer({ cert: await readFile(ca.serverCertPath), key: await readFile(ca.serverKeyPath) }, (socket) => {
    socket.end(`${name} ${socket.servername || '-'}\n`);
  });
  backends.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A TLS client through the emulated listener: what the backend said, and the certificate it presented. */
function ask(servername: string): Promise<{ said: string; subject: string }> {
  return new Promise((resolve, reject) => {
    // The backends' certificate names localhost: other names are checked against the CA only.
    const socket = connect({ host: '127.0.0.1', port: listener.port, servername, ca: ca.caPem, checkServerIdentity: () => undefined });
    let said = '';
    let subject: string | undefined;
    socket.on('secureConnect', () => (subject = String(socket.getPeerCertificate().subject?.CN ?? '')));
    socket.on('data', (chunk: Buffer) => (said += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => (subject === undefined ? reject(new Error('closed before the TLS handshake')) : resolve({ said: said.trim(), subject })));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-tls-passthrough-'));
  ca = createThrowawayCa(dir);
  const ports = { FIRST_PORT: String(await startBackend('first')), TENANTS_PORT: String(await startBackend('tenants')) };
  config = await copyConfigFolder(join(import.meta.dirname, 'tls-passthrough'), ports);
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', services: ['xds'] });
  listener = await startTcpListener(await gw.snapshot(), 8443);
}, 90_000);

afterAll(async () => {
  await listener?.close();
  await gw?.stop();
  await config?.remove();
  await Promise.all(backends.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a TLS passthrough listener', () => {
  it('routes each connection by its SNI, and the backend terminates the TLS', async () => {
    expect(await ask('localhost')).toEqual({ said: 'first localhost', subject: 'localhost' });
    expect(await ask('shop.example.test')).toEqual({ said: 'tenants shop.example.test', subject: 'localhost' });
  });

  it('closes a connection whose SNI no route names', async () => {
    await expect(ask('unknown.example.org')).rejects.toThrow();
  });
});
