// Journey: mTLS at the edge. A ClientTrafficPolicy makes an HTTPS listener require client
// certificates from one CA; the emulated Envoy plays the handshake from the served listener, so a
// client without a certificate or with one from another CA never gets a response, and the upstream
// learns the verified caller from x-forwarded-client-cert, never from the client.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, startGateway, waitFor, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';
import { createThrowawayCa } from '../harness/throwaway-ca.js';

const PORT = 8443;
const HOST = 'api.partners.example';

let config: ConfigFolderHandle;
let gw: GatewayHandle;
let certDirs: string[] = [];
/** A certificate the partners' CA signed (SAN DNS:localhost), and one from a CA nobody trusts. */
let partnerCert: string;
let strangerCert: string;

const indent = (pem: string) => pem.trim().split('\n').map((line) => `    ${line}`).join('\n');

beforeAll(async () => {
  certDirs = await Promise.all([1, 2].map(() => mkdtemp(join(tmpdir(), 'gatehouse-mtls-'))));
  const partners = createThrowawayCa(certDirs[0]!, 'Partners CA');
  const strangers = createThrowawayCa(certDirs[1]!, 'Someone else');
  partnerCert = await readFile(partners.serverCertPath, 'utf8');
  strangerCert = await readFile(strangers.serverCertPath, 'utf8');
  const serverKey = await readFile(partners.serverKeyPath, 'utf8');
  config = await copyConfigFolder(join(import.meta.dirname, 'edge-mtls'));
  await config.write(
    'secrets.yaml',
    [
      'apiVersion: v1\nkind: Secret\nmetadata: { name: partners-ca, namespace: partners }\nstringData:\n  ca.crt: |',
      indent(partners.caPem),
      '---\napiVersion: v1\nkind: Secret\nmetadata: { name: edge-cert, namespace: partners }\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |',
      indent(partnerCert),
      '  tls.key: |',
      indent(serverKey),
      '',
    ].join('\n'),
  );
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'partners/edge', services: ['xds', 'authz', 'ratelimit'] });
  await waitFor(async () => JSON.stringify((await gw.snapshot()).listeners).includes('require_client_certificate'), { timeoutMs: 20_000, description: 'the listener to require client certificates' });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await Promise.all(certDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const get = (clientCertificate?: string, headers: Record<string, string> = {}) =>
  gw.request(PORT, { path: '/orders', host: HOST, scheme: 'https', headers, ...(clientCertificate ? { clientCertificate } : {}) });

describe('mTLS at the edge', () => {
  it('refuses the handshake of a client without a certificate', async () => {
    await expect(get()).rejects.toThrow(/requires a client certificate/);
  });

  it('refuses a certificate from a CA the policy does not trust', async () => {
    await expect(get(strangerCert)).rejects.toThrow(/not signed by a trusted CA/);
  });

  it('forwards a partner, with the verified certificate (not the client-sent header) in x-forwarded-client-cert', async () => {
    const response = await get(partnerCert, { 'x-forwarded-client-cert': 'Subject="CN=admin"' });
    expect(response.status).toBe(200);
    const xfcc = response.upstream?.headers['x-forwarded-client-cert'] ?? '';
    expect(xfcc).toMatch(/^Hash=[0-9a-f]{64};Subject="CN=localhost";DNS=localhost$/);
  });
});
