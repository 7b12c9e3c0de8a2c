// The authz service started in-process on the kit (startService(authzService, env)) against a real
// Redis and a JWKS server: Check over gRPC, JWKS rotation and outage, hot reload of files, and the
// xds publication over Redis on every replica.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authzPoliciesPublishedCodec, FanoutChannels, SealedUses } from '@gatehouse/contracts';
import { FanoutChannel } from '@gatehouse/kit';
import { testSealedCodec } from '@gatehouse/kit/testing';
import { Redis } from 'ioredis';
import { CompactSign, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAuthz, type AuthzUnderTest } from './testing/authz-service.js';
import { upstreamHeaders, type CheckClient } from './testing/check-client.js';
import { startJwksServer, type JwksServer } from './testing/jwks-server.js';
import { startRedis, type RedisHandle as RedisServer } from '@gatehouse/e2e';

const ISSUER = 'https://issuer.example.test';
let dir: string;
let jwksServer: JwksServer;
let redisServer: RedisServer;
let service: AuthzUnderTest;
let client: CheckClient;
let signer: Awaited<ReturnType<typeof generateKeyPair>>;

const jwtPolicy = (name: string, uri: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }]
  jwt:
    providers:
      - name: issuer
        issuer: ${ISSUER}
        audiences: [shop]
        remoteJWKS: { uri: "${uri}" }
        claimToHeaders: [{ claim: sub, header: x-user-id }]
`;

beforeAll(async () => {
  signer = await generateKeyPair('RS256');
  jwksServer = await startJwksServer([{ ...(await exportJWK(signer.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }]);
  redisServer = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'gh-authz-config-'));
  writeFileSync(join(dir, 'api.yaml'), jwtPolicy('api', jwksServer.uri));
  service = await startAuthz({ AUTHZ_CONFIG_PATH: dir, REDIS_URL: redisServer.url });
  client = service.client;
});

afterAll(async () => {
  await service?.stop();
  await jwksServer?.stop();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const token = (claims: object = {}) =>
  new SignJWT({ sub: 'alice', ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISSUER).setAudience('shop').setExpirationTime('5m').sign(signer.privateKey);

describe('authz service over gRPC', () => {
  it('allows a valid token, forwards claims and strips spoofed identity headers', async () => {
    const answer = await client.check({ policy: 'shop/api', headers: { authorization: `Bearer ${await token()}`, 'x-user-id': 'admin', x_user_id: 'admin' } });
    expect(answer.status.code).toBe(0);
    expect(upstreamHeaders(answer)['x-user-id']).toBe('alice');
    // Envoy sets the answer's headers first and removes headers_to_remove after: a spoofed variant is
    // removed, the canonical name is overwritten (and must not be listed for removal).
    expect(answer.ok_response.headers_to_remove).toContain('x_user_id');
    expect(answer.ok_response.headers_to_remove).not.toContain('x-user-id');
    expect(answer.dynamic_metadata.fields.issuer.structValue.fields.sub.stringValue).toBe('alice');
  });

  it('denies in the answer, never by failing the RPC, and always sets status', async () => {
    const missing = await client.check({ policy: 'shop/api' });
    expect(missing.status.code).toBe(16);
    expect(missing.denied_response.status.code).toBe('Unauthorized');
    expect(JSON.parse(missing.denied_response.body)).toEqual({ error: 'GH_AUTHZ_JWT_MISSING' });
    const nopolicy = await client.check({});
    expect(nopolicy.status.code).toBe(7);
    expect(JSON.parse(nopolicy.denied_response.body)).toEqual({ error: 'GH_AUTHZ_NO_POLICY' });
  });

  it('answers a token with claims nested 5 000 deep 401 GH_AUTHZ_JWT_CLAIMS_TOO_LARGE, not 500 GH_AUTHZ_INTERNAL', async () => {
    const depth = 5_000;
    const payload = `{"iss":"${ISSUER}","aud":"shop","sub":"alice","exp":${Math.floor(Date.now() / 1000) + 300},"x":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
    const deep = await new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(signer.privateKey);
    const answer = await client.check({ policy: 'shop/api', headers: { authorization: `Bearer ${deep}` } });
    expect(answer.denied_response.status.code).toBe('Unauthorized');
    expect(JSON.parse(answer.denied_response.body)).toEqual({ error: 'GH_AUTHZ_JWT_CLAIMS_TOO_LARGE' });
  });

  it('follows a JWKS key rotation and keeps verifying with cached keys while the JWKS endpoint is down', async () => {
    const rotated = await generateKeyPair('ES256');
    jwksServer.keys = [...jwksServer.keys, { ...(await exportJWK(rotated.publicKey)), kid: 'k2', alg: 'ES256' }];
    const newToken = await new SignJWT({ sub: 'bob' }).setProtectedHeader({ alg: 'ES256', kid: 'k2' }).setIssuer(ISSUER).setAudience('shop').setExpirationTime('5m').sign(rotated.privateKey);
    const afterRotation = await client.check({ policy: 'shop/api', headers: { authorization: `Bearer ${newToken}` } });
    expect(upstreamHeaders(afterRotation)['x-user-id']).toBe('bob');
    jwksServer.healthy = false;
    try {
      // A token never seen before still verifies: the keys are cached, the outage is invisible.
      const fresh = await client.check({ policy: 'shop/api', headers: { authorization: `Bearer ${await token({ jti: 'during-outage' })}` } });
      expect(fresh.status.code).toBe(0);
      const requestsBefore = jwksServer.requests;
      const unknownKid = await new SignJWT({ sub: 'eve' }).setProtectedHeader({ alg: 'ES256', kid: 'k3' }).setIssuer(ISSUER).setAudience('shop').setExpirationTime('5m').sign(rotated.privateKey);
      for (let i = 0; i < 3; i++) {
        const answer = await client.check({ policy: 'shop/api', headers: { authorization: `Bearer ${unknownKid}` } });
        expect(JSON.parse(answer.denied_response.body)).toEqual({ error: 'GH_AUTHZ_JWT_NO_MATCHING_KEY' });
      }
      // Unknown kids refetch at most once per cooldown.
      expect(jwksServer.requests - requestsBefore).toBeLessThanOrEqual(1);
    } finally {
      jwksServer.healthy = true;
    }
  });

  it('hot-reloads the config directory and keeps the last good version of a policy when a change is invalid', async () => {
    writeFileSync(join(dir, 'second.yaml'), jwtPolicy('second', jwksServer.uri));
    await vi.waitFor(async () => expect((await client.check({ policy: 'shop/second', headers: { authorization: `Bearer ${await token()}` } })).status.code).toBe(0), { timeout: 5_000 });
    // An OIDC cookieNames (no token cookies exist here to rename) is a field authz refuses.
    writeFileSync(join(dir, 'second.yaml'), `${jwtPolicy('second', jwksServer.uri)}  oidc: { provider: { issuer: "${ISSUER}" }, clientID: c, clientSecret: { name: s }, cookieNames: { accessToken: at } }\n`);
    const problems = await vi.waitFor(async () => {
      const files = (await service.status()).sources.files!;
      expect(files.serving.find((e) => e.policy === 'shop/second')).toMatchObject({ stale: true, generation: 2, servingGeneration: 1 });
      return files.problems;
    }, { timeout: 5_000 });
    expect(problems).toContain(`${join(dir, 'second.yaml')}:13: SecurityPolicy shop/second: /spec/oidc/cookieNames: GH_AUTHZ_CONFIG_UNSUPPORTED_FIELD: is not supported by the Gatehouse authz service`);
    expect((await client.check({ policy: 'shop/second', headers: { authorization: `Bearer ${await token()}` } })).status.code).toBe(0);
  });

  it('evaluates authorization rules with CEL over the attributes of the real CheckRequest', async () => {
    writeFileSync(
      join(dir, 'cel.yaml'),
      `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: cel, namespace: shop }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }]
  authorization:
    defaultAction: Deny
    rules:
      - name: tenant-writes
        action: Allow
        cel: "request.method == 'POST' && request.headers['x-tenant'] == 'acme' && source.port == 50000 && source.address.startsWith('192.0.2.')"
`,
    );
    const allowed = { policy: 'shop/cel', method: 'POST', clientIp: '192.0.2.7', headers: { 'x-tenant': 'acme' } };
    await vi.waitFor(async () => expect((await client.check(allowed)).status.code).toBe(0), { timeout: 5_000 });
    for (const denied of [{ ...allowed, method: 'GET' }, { ...allowed, headers: { 'x-tenant': 'other' } }, { ...allowed, clientIp: '198.51.100.1' }]) {
      expect(JSON.parse((await client.check(denied)).denied_response.body)).toEqual({ error: 'GH_AUTHZ_FORBIDDEN' });
    }
  });

  it('watches a single config file, including atomic replacement by rename', async () => {
    const fileDir = mkdtempSync(join(tmpdir(), 'gh-authz-file-'));
    const file = join(fileDir, 'policies.yaml');
    writeFileSync(file, jwtPolicy('one', jwksServer.uri));
    const single = await startAuthz({ AUTHZ_CONFIG_PATH: file, REDIS_URL: redisServer.url });
    const singleClient = single.client;
    try {
      const bearer = { authorization: `Bearer ${await token()}` };
      expect((await singleClient.check({ policy: 'shop/one', headers: bearer })).status.code).toBe(0);
      writeFileSync(join(fileDir, '.policies.yaml.tmp'), jwtPolicy('two', jwksServer.uri));
      renameSync(join(fileDir, '.policies.yaml.tmp'), file);
      await vi.waitFor(async () => expect((await singleClient.check({ policy: 'shop/two', headers: bearer })).status.code).toBe(0), { timeout: 5_000 });
      expect(JSON.parse((await singleClient.check({ policy: 'shop/one', headers: bearer })).denied_response.body)).toEqual({ error: 'GH_AUTHZ_UNKNOWN_POLICY' });
    } finally {
      await single.stop();
      rmSync(fileDir, { recursive: true, force: true });
    }
  });

  it('applies policies the xds service publishes over Redis, on every replica', async () => {
    const second = await startAuthz({ REDIS_URL: redisServer.url });
    const secondClient = second.client;
    const redis = new Redis(redisServer.url);
    try {
      const publication = {
        version: 'v7',
        policies: [{ namespace: 'partners', name: 'keys', yaml: `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: keys, namespace: partners }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: partner-api }]
  apiKeyAuth:
    credentialRefs: [{ name: partner-keys }]
    extractFrom: [{ headers: [x-api-key] }]
    forwardClientIDHeader: x-partner
` }],
        secrets: { 'partners/partner-keys': { data: { acme: Buffer.from('acme-0123456789abcdef') } } },
      };
      // Published exactly as the xds service does it.
      await new FanoutChannel({ name: FanoutChannels.authzPolicies, codec: testSealedCodec(authzPoliciesPublishedCodec, SealedUses.authzPolicies()), redis }).publish(publication);
      for (const c of [client, secondClient]) {
        await vi.waitFor(async () => {
          const answer = await c.check({ policy: 'partners/keys', headers: { 'x-api-key': 'acme-0123456789abcdef' } });
          expect(upstreamHeaders(answer)['x-partner']).toBe('acme');
        });
      }
      // One broken policy does not hold back the rest: "keys" breaks (secret gone) and keeps its last
      // good version, "new-keys" is new and broken (absent: denied), "other" is new and valid.
      const keysYaml = publication.policies[0]!.yaml;
      await new FanoutChannel({ name: FanoutChannels.authzPolicies, codec: testSealedCodec(authzPoliciesPublishedCodec, SealedUses.authzPolicies()), redis }).publish({
        version: 'v8',
        policies: [
          { namespace: 'partners', name: 'keys', yaml: keysYaml.replace('name: partner-keys', 'name: gone') },
          { namespace: 'partners', name: 'new-keys', yaml: keysYaml.replace('name: keys, namespace', 'name: new-keys, namespace').replace('name: partner-keys', 'name: gone') },
          { namespace: 'partners', name: 'other', yaml: keysYaml.replace('name: keys, namespace', 'name: other, namespace') },
        ],
        secrets: { 'partners/partner-keys': { data: { acme: Buffer.from('acme-0123456789abcdef') } } },
      });
      await vi.waitFor(async () => {
        expect((await client.check({ policy: 'partners/other', headers: { 'x-api-key': 'acme-0123456789abcdef' } })).status.code).toBe(0);
      });
      expect((await client.check({ policy: 'partners/keys', headers: { 'x-api-key': 'acme-0123456789abcdef' } })).status.code).toBe(0);
      expect(JSON.parse((await client.check({ policy: 'partners/new-keys', headers: { 'x-api-key': 'acme-0123456789abcdef' } })).denied_response.body)).toEqual({ error: 'GH_AUTHZ_UNKNOWN_POLICY' });
      const redisSource = (await service.status()).sources.redis!;
      expect(redisSource.problems.some((l) => l.includes('SecurityPolicy partners/new-keys') && l.includes('GH_AUTHZ_CONFIG_MISSING_SECRET'))).toBe(true);
      expect(redisSource.refused.map((r) => r.policy)).toEqual(['partners/new-keys']);
      // A replica started later loads the stored publication.
      const late = await startAuthz({ REDIS_URL: redisServer.url });
      try {
        expect((await late.client.check({ policy: 'partners/other', headers: { 'x-api-key': 'acme-0123456789abcdef' } })).status.code).toBe(0);
      } finally {
        await late.stop();
      }
    } finally {
      redis.disconnect();
      await second.stop();
    }
  });
});
