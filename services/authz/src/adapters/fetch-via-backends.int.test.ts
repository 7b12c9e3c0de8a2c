// A remoteJWKS with several backendRefs against real servers: when the primary is down (refuses the
// connection) or answers 5xx, the fetch fails over to the fallback Backend, here an HTTPS server reached
// with its BackendTLSPolicy; backendSettings.retry repeats the whole walk.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeTestPki } from '@gatehouse/kit/testing';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeightedBackend } from '../core/policy/policy-model.js';
import { startJwksServer, type JwksServer } from '../testing/jwks-server.js';
import { RemoteJwks } from './remote-jwks.js';

let key: JWK;
let primary: JwksServer;
let fallback: Server;
let fallbackRequests = 0;
let fallbackPort: number;
let ca: string;

beforeAll(async () => {
  key = { ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'k' };
  primary = await startJwksServer([key]);
  const pki = makeTestPki();
  ca = pki.ca.toString('utf8');
  const leaf = pki.issue('idp', { kind: 'service', name: 'idp' });
  fallback = createServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => {
    fallbackRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key] }));
  });
  await new Promise<void>((resolve) => fallback.listen(0, '127.0.0.1', resolve));
  fallbackPort = (fallback.address() as AddressInfo).port;
});
afterAll(async () => {
  await primary.stop().catch(() => {});
  await new Promise<void>((resolve) => fallback.close(() => resolve()));
});

const primaryPort = () => Number(new URL(primary.uri).port);
const backends = (primaryAt: number): WeightedBackend[] => [
  { host: '127.0.0.1', port: fallbackPort, weight: 1, fallback: true, tls: { sni: 'localhost', subjectAltNames: [{ type: 'DNS', value: 'localhost' }], ca } },
  { host: '127.0.0.1', port: primaryAt, weight: 1, fallback: false },
];
// Nothing listens on localhost:1: only the Backends reach a server.
const URI = 'http://localhost:1/jwks.json';

describe('RemoteJwks over weighted backendRefs with a fallback', () => {
  it('asks the primary first and keeps the fallback idle while the primary answers', async () => {
    const before = { primary: primary.requests, fallback: fallbackRequests };
    const jwks = new RemoteJwks({ uri: URI, backends: backends(primaryPort()), timeoutMs: 5_000 });
    expect((await jwks.candidates('k', 'ES256')).map((k) => k.kid)).toEqual(['k']);
    expect([primary.requests - before.primary, fallbackRequests - before.fallback]).toEqual([1, 0]);
  });

  it('fails over to the fallback when the primary answers 503', async () => {
    primary.healthy = false;
    const before = { primary: primary.requests, fallback: fallbackRequests };
    const jwks = new RemoteJwks({ uri: URI, backends: backends(primaryPort()), timeoutMs: 5_000 });
    expect((await jwks.candidates('k', 'ES256')).map((k) => k.kid)).toEqual(['k']);
    expect([primary.requests - before.primary, fallbackRequests - before.fallback]).toEqual([1, 1]);

    // Every backend answering 503 (the primary listed twice): one walk, one retry (5xx) walking both
    // again, then the fetch fails.
    const retry = { numRetries: 1, triggers: ['5xx'], baseIntervalMs: 1, maxIntervalMs: 1 };
    const failing: WeightedBackend = { host: '127.0.0.1', port: primaryPort(), weight: 1, fallback: false };
    const allFailing = new RemoteJwks({ uri: URI, backends: [failing, { ...failing, fallback: true }], timeoutMs: 5_000, retry });
    const start = primary.requests;
    await expect(allFailing.candidates('k', 'ES256')).rejects.toMatchObject({ code: 'GH_AUTHZ_JWKS_UNAVAILABLE' });
    expect(primary.requests - start).toBe(4);
    primary.healthy = true;
  });

  it('fails over to the fallback when the primary is down', async () => {
    const downPort = primaryPort();
    await primary.stop();
    const before = fallbackRequests;
    const jwks = new RemoteJwks({ uri: URI, backends: backends(downPort), timeoutMs: 5_000 });
    expect((await jwks.candidates('k', 'ES256')).map((k) => k.kid)).toEqual(['k']);
    expect(fallbackRequests - before).toBe(1);
  });
});
