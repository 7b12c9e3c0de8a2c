// fetchTextVia with a Backend's BackendTLSPolicy, against a real HTTPS server: the policy's CA, SNI and
// SANs decide, whatever the URL's scheme; a certificate the policy does not vouch for is never trusted.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeTestPki, type TestLeaf, type TestPki } from '@gatehouse/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTextVia, type ConnectTo } from './fetch-via-backend.js';

let pki: TestPki;
let server: Server;
let port: number;
let leaf: TestLeaf;
const sniSeen: string[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  leaf = pki.issue('idp', { kind: 'service', name: 'idp' });
  server = createServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => res.end('{"keys":[]}'));
  server.on('secureConnection', (socket) => sniSeen.push(String((socket as unknown as { servername?: string }).servername)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const via = (tls: ConnectTo['tls']): ConnectTo => ({ host: '127.0.0.1', port, ...(tls && { tls }) });
const options = { timeoutMs: 5_000, maxBytes: 1024 };

describe('fetchTextVia with a BackendTLSPolicy', () => {
  it('speaks TLS with the policy SNI, trusting its CA and a DNS SAN, even for an http:// URL', async () => {
    const answer = await fetchTextVia('http://idp.example.com/jwks.json', via({ sni: 'localhost', subjectAltNames: [{ type: 'DNS', value: 'localhost' }], ca: pki.ca.toString('utf8') }), options);
    expect(answer).toEqual({ status: 200, text: '{"keys":[]}' });
    expect(sniSeen.at(-1)).toBe('localhost');
  });

  it('matches a URI SAN exactly', async () => {
    const uri = /URI:([^,]+)/.exec(new (await import('node:crypto')).X509Certificate(leaf.cert).subjectAltName ?? '')![1]!;
    const answer = await fetchTextVia('https://idp.example.com/jwks.json', via({ sni: 'idp.example.com', subjectAltNames: [{ type: 'URI', value: uri }], ca: pki.ca.toString('utf8') }), options);
    expect(answer.status).toBe(200);
  });

  it('refuses a certificate carrying none of the SANs, one the CA did not sign, and (no CA) one the default roots do not know', async () => {
    const ca = pki.ca.toString('utf8');
    await expect(fetchTextVia('https://idp.example.com/', via({ sni: 'localhost', subjectAltNames: [{ type: 'DNS', value: 'idp.internal' }], ca }), options)).rejects.toThrow(/carries none of idp\.internal/);
    const foreign = makeTestPki();
    await expect(fetchTextVia('https://idp.example.com/', via({ sni: 'localhost', subjectAltNames: [{ type: 'DNS', value: 'localhost' }], ca: foreign.ca.toString('utf8') }), options)).rejects.toThrow();
    await expect(fetchTextVia('https://idp.example.com/', via({ sni: 'localhost', subjectAltNames: [{ type: 'DNS', value: 'localhost' }] }), options)).rejects.toThrow();
  });
});
