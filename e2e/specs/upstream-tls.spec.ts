// Journey: an upstream that requires TLS is reached with the right SNI and CA. A real TLS server (a
// throwaway CA's certificate for localhost) sits behind a Backend with tls; the emulated Envoy speaks TLS
// exactly as the served UpstreamTlsContext says (SNI, only the inline CA, the SAN matchers). The same
// upstream behind a Backend whose SNI the certificate does not carry is not trusted.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, createThrowawayCa, startGateway, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';
import { forwardToUpstream } from '../harness/envoy/forward-upstream.js';

let dir: string;
let upstream: Server;
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-upstream-tls-'));
  const ca = createThrowawayCa(dir);
  upstream = createServer({ cert: await readFile(ca.serverCertPath), key: await readFile(ca.serverKeyPath) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, sni: (req.socket as TLSSocket).servername }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as { port: number }).port;
  config = await copyConfigFolder(join(import.meta.dirname, 'upstream-tls'), { CA_PEM: JSON.stringify(ca.caPem), UPSTREAM_PORT: String(port) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', services: ['xds'] });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a Backend with tls', () => {
  it('reaches the TLS upstream with its SNI, trusting only its CA', async () => {
    const snapshot = await gw.snapshot();
    const request = { path: '/ledger/balance', host: 'bank.example.com' };
    const response = await gw.request(8080, request, snapshot);
    expect(response.upstream?.cluster).toBe('backend/default/ledger');
    const answer = await forwardToUpstream(snapshot, response, request);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ path: '/ledger/balance', sni: 'localhost' });
  });

  it('does not trust the upstream when its certificate does not carry the SNI name', async () => {
    const snapshot = await gw.snapshot();
    const request = { path: '/wrong', host: 'bank.example.com' };
    const response = await gw.request(8080, request, snapshot);
    expect(response.upstream?.cluster).toBe('backend/default/wrong-name');
    await expect(forwardToUpstream(snapshot, response, request)).rejects.toThrow(/match none of ledger\.internal/);
  });
});
