import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthzError } from '../errors.js';
import { startJwksServer, type JwksServer } from '../testing/jwks-server.js';
import { RemoteJwks } from './remote-jwks.js';

let keyA: JWK;
let keyB: JWK;
let server: JwksServer | undefined;

beforeAll(async () => {
  keyA = { ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'a' };
  keyB = { ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'b' };
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A controllable clock, so cache and cooldown behaviour is tested without waiting. */
function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

const kids = (keys: readonly JWK[]) => keys.map((k) => k.kid);

describe('RemoteJwks against a real HTTP endpoint', () => {
  it('connects to the Backend address of a backendRef while the uri keeps naming the host', async () => {
    server = await startJwksServer([keyA]);
    const port = Number(new URL(server.uri).port);
    // Nothing listens on localhost:1: only the Backend address (backends) reaches the server.
    const jwks = new RemoteJwks({ uri: 'http://localhost:1/jwks.json', backends: [{ host: '127.0.0.1', port, weight: 1, fallback: false }] });
    expect(kids(await jwks.candidates('a', 'ES256'))).toEqual(['a']);
    expect(server.requests).toBe(1);
    const direct = new RemoteJwks({ uri: 'http://localhost:1/jwks.json', timeoutMs: 2_000 });
    await expect(direct.candidates('a', 'ES256')).rejects.toMatchObject({ code: 'GH_AUTHZ_JWKS_UNAVAILABLE' });
  });

  it('follows a key rotation: an unknown kid refetches once, and made-up kids wait for the cooldown', async () => {
    server = await startJwksServer([keyA]);
    const c = clock();
    const jwks = new RemoteJwks({ uri: server.uri, cacheDurationMs: 60_000, cooldownMs: 10_000, now: c.now });
    expect(kids(await jwks.candidates('a', 'ES256'))).toEqual(['a']);
    expect(server.requests).toBe(1);
    server.keys = [keyA, keyB]; // the IdP rotates in a new key
    c.t += 1_000;
    expect(kids(await jwks.candidates('b', 'ES256'))).toEqual(['b']);
    expect(server.requests).toBe(2);
    // Attackers inventing kids cannot make us refetch more than once per cooldown.
    for (let i = 0; i < 5; i++) expect(await jwks.candidates(`bogus-${i}`, 'ES256')).toEqual([]);
    expect(server.requests).toBe(2);
    c.t += 10_000;
    expect(await jwks.candidates('bogus-late', 'ES256')).toEqual([]);
    expect(server.requests).toBe(3);
  });

  it('keeps serving cached keys while the endpoint is down, for a bounded time', async () => {
    server = await startJwksServer([keyA]);
    const c = clock();
    const jwks = new RemoteJwks({ uri: server.uri, cacheDurationMs: 60_000, cooldownMs: 5_000, maxStaleMs: 3_600_000, now: c.now });
    await jwks.candidates('a', 'ES256');
    server.healthy = false;
    c.t += 120_000; // past freshness: a background refresh fails, the stale keys still verify
    expect(kids(await jwks.candidates('a', 'ES256'))).toEqual(['a']);
    await vi.waitFor(() => expect(server!.requests).toBe(2));
    c.t += 3_600_000; // past the stale bound: fail closed
    await expect(jwks.candidates('a', 'ES256')).rejects.toMatchObject({ code: 'GH_AUTHZ_JWKS_UNAVAILABLE' });
    server.healthy = true; // recovery: the background refresh brings fresh keys back
    c.t += 5_000;
    await jwks.candidates('a', 'ES256').catch(() => {});
    await vi.waitFor(async () => expect(kids(await jwks.candidates('a', 'ES256'))).toEqual(['a']));
  });

  it('fails closed with a stable code when the endpoint was never reachable', async () => {
    server = await startJwksServer([keyA]);
    server.healthy = false;
    const jwks = new RemoteJwks({ uri: server.uri });
    const err = await jwks.candidates('a', 'ES256').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthzError);
    expect((err as AuthzError).code).toBe('GH_AUTHZ_JWKS_UNAVAILABLE');
  });

  it('shares one fetch between concurrent misses', async () => {
    server = await startJwksServer([keyA, keyB]);
    server.delayMs = 100;
    const jwks = new RemoteJwks({ uri: server.uri });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => jwks.candidates(i % 2 ? 'a' : 'b', 'ES256')));
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(server.requests).toBe(1);
  });

  it('skips symmetric and private keys served by the endpoint', async () => {
    const privateKey = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: 'p' };
    server = await startJwksServer([keyA, { kty: 'oct', k: 'c2VjcmV0', kid: 'h' }, privateKey]);
    const jwks = new RemoteJwks({ uri: server.uri });
    expect(await jwks.candidates('h', 'HS256')).toEqual([]);
    expect(await jwks.candidates('p', 'ES256')).toEqual([]);
    expect(kids(await jwks.candidates('a', 'ES256'))).toEqual(['a']);
  });
});
