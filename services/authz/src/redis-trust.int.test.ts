// Security regressions: a process that can read and write Redis but lacks GATEHOUSE_CONTROL_KEY can neither
// change what authz enforces, nor impersonate a session, nor learn a secret. Real redis-server, a real
// OpenID Provider (oidc-provider), the service started in-process; policies arrive only over Redis, sealed
// the way xds seals them.
import { authzPoliciesPublishedCodec, FanoutChannels, SealedUses } from '@gatehouse/contracts';
import { startOidcProvider, startRedis, waitFor, type OidcProviderHandle, type RedisHandle } from '@gatehouse/e2e';
import { FanoutChannel } from '@gatehouse/kit';
import { testSealedCodec } from '@gatehouse/kit/testing';
import bcrypt from 'bcryptjs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthz, type AuthzUnderTest } from './testing/authz-service.js';
import { deniedHeaders, upstreamHeaders, type CheckAnswer } from './testing/check-client.js';
import { CookieJar } from './testing/cookie-jar.js';
import { sessionIdOf, sessionKey } from './testing/session-records.js';

const HOST = 'app.example.test';
const CALLBACK = `https://${HOST}/oauth2/callback`;
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const COOKIE_SECRET = 'k'.repeat(32);
const CLIENT_SECRET = 'client-secret-trust-0123456789';
const API_KEY = 'partner-0123456789abcdef';
const HTPASSWD_HASH = bcrypt.hashSync('builder', 4);

const oidcPolicy = (issuer: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: web, namespace: app }
spec:
  oidc:
    provider: { issuer: "${issuer}" }
    clientID: gatehouse
    clientSecret: { name: idp-client }
    scopes: [openid, email]
    redirectURL: "${CALLBACK}"
    forwardAccessToken: true
    refreshToken: true
`;
const apiKeyPolicy = (secret: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: keys, namespace: ns }
spec:
  apiKeyAuth:
    credentialRefs: [{ name: ${secret} }]
    extractFrom: [{ headers: [x-api-key] }]
`;
const basicPolicy = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: basic, namespace: ns }
spec:
  basicAuth: { users: { name: users } }
`;

let redis: RedisHandle;
let idp: OidcProviderHandle;
let authz: AuthzUnderTest;
const connections: Redis[] = [];
const others: AuthzUnderTest[] = [];

const connect = (): Redis => {
  const c = new Redis(redis.url);
  connections.push(c);
  return c;
};

/** The publication as xds makes it: policies with their Secrets, sealed (AES-256-GCM) with the control key. */
function publication(version: string, issuer: string) {
  return {
    version,
    policies: [
      { namespace: 'app', name: 'web', yaml: oidcPolicy(issuer) },
      { namespace: 'ns', name: 'keys', yaml: apiKeyPolicy('partner-keys') },
      { namespace: 'ns', name: 'basic', yaml: basicPolicy },
    ],
    secrets: {
      'app/idp-client': { data: { 'client-secret': Buffer.from(CLIENT_SECRET) } },
      'ns/partner-keys': { data: { partner: Buffer.from(API_KEY) } },
      'ns/users': { data: { '.htpasswd': Buffer.from(`bob:${HTPASSWD_HASH}`) } },
    },
  };
}

beforeAll(async () => {
  redis = await startRedis();
  idp = await startOidcProvider({
    client: { clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUris: [CALLBACK] },
    account: { sub: 'alice', claims: { email: 'alice@example.test' } },
    refreshTokens: 'always',
    accessTokenTtlSeconds: 600,
  });
  await new FanoutChannel({ name: FanoutChannels.authzPolicies, codec: testSealedCodec(authzPoliciesPublishedCodec, SealedUses.authzPolicies()), redis: connect() }).publish(publication('sealed-1', idp.issuer));
  authz = await startAuthz({ REDIS_URL: redis.url, AUTHZ_COOKIE_SECRET: COOKIE_SECRET });
  await waitFor(async () => (await authz.status()).policies.length === 3, { description: 'the sealed policies to apply' });
});

afterAll(async () => {
  for (const s of others) await s.stop();
  await authz?.stop();
  for (const c of connections) c.disconnect();
  await idp?.stop();
  await redis?.stop();
});

const check = (jar: CookieJar, path: string, service = authz): Promise<CheckAnswer> =>
  service.client.check({ policy: 'app/web', host: HOST, path, headers: { ...BROWSER, ...(jar.cookies.size > 0 && { cookie: jar.header() }) } });
const setCookies = (answer: CheckAnswer): string[] => deniedHeaders(answer).filter(([k]) => k === 'set-cookie').map(([, v]) => v);
const location = (answer: CheckAnswer): string => deniedHeaders(answer).find(([k]) => k === 'location')![1];
const apiKeyAllowed = async (key: string, service = authz): Promise<boolean> => (await service.client.check({ policy: 'ns/keys', headers: { 'x-api-key': key } })).status.code === 0;

async function login(): Promise<CookieJar> {
  const jar = new CookieJar();
  const start = await check(jar, '/');
  jar.store(setCookies(start));
  const callback = new URL((await idp.login(location(start))).href);
  jar.store(setCookies(await check(jar, `${callback.pathname}${callback.search}`)));
  expect((await check(jar, '/')).status.code).toBe(0);
  return jar;
}

async function untrusted(service: AuthzUnderTest, source: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${service.running.adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('gatehouse_redis_untrusted_total') && l.includes(`source="${source}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Every value Redis holds, whatever its type, as raw bytes (latin1, so binary survives the search). */
async function everyRedisValue(r: Redis): Promise<string> {
  const out: string[] = [];
  for (const key of await r.keys('*')) {
    const type = await r.type(key);
    if (type === 'string') out.push((await r.getBuffer(key))!.toString('latin1'));
    else if (type === 'hash') out.push(...Object.entries(await r.hgetallBuffer(key)).map(([f, v]) => `${f}=${v.toString('latin1')}`));
    else if (type === 'list') out.push(...(await r.lrangeBuffer(key, 0, -1)).map((v) => v.toString('latin1')));
    else if (type === 'set') out.push(...(await r.smembersBuffer(key)).map((v) => v.toString('latin1')));
    else if (type === 'zset') out.push(...(await r.zrangeBuffer(key, 0, -1)).map((v) => v.toString('latin1')));
    else if (type === 'stream') out.push(JSON.stringify(await r.xrange(key, '-', '+')));
    out.push(key);
  }
  return out.join('\n');
}

describe('Redis is not a root of trust (authz)', () => {
  it('attack: publish forged authz policies and overwrite the latest-kept value to let an attacker key in → refused, the sealed policies keep enforcing', async () => {
    const attacker = connect();
    expect(await apiKeyAllowed(API_KEY)).toBe(true);
    expect(await apiKeyAllowed('attacker-key-0123456789')).toBe(false);
    const forgedPolicies = {
      ...publication('forged', idp.issuer),
      secrets: { 'ns/partner-keys': { data: { attacker: Buffer.from('attacker-key-0123456789') } } },
    };
    const forged = authzPoliciesPublishedCodec.encode(forgedPolicies);
    await attacker.publish(FanoutChannels.authzPolicies, forged);
    await attacker.set(`${FanoutChannels.authzPolicies}:latest`, forged);
    await waitFor(async () => (await untrusted(authz, 'authz-policies')) >= 1, { description: 'the forged publication to be refused and counted' });
    expect(await apiKeyAllowed('attacker-key-0123456789')).toBe(false);
    expect(await apiKeyAllowed(API_KEY)).toBe(true);

    // A replica that starts now finds only the forged latest value, and refuses it (no policy: denied).
    const late = await startAuthz({ REDIS_URL: redis.url, AUTHZ_COOKIE_SECRET: COOKIE_SECRET });
    others.push(late);
    await waitFor(async () => (await untrusted(late, 'authz-policies')) >= 1, { description: 'the late replica to refuse the forged latest value' });
    expect(await apiKeyAllowed('attacker-key-0123456789', late)).toBe(false);
    expect((await late.status()).policies).toEqual([]);
  });

  it('attack: edit a victim\'s session record in Redis → the victim\'s unchanged cookie no longer authenticates', async () => {
    const victim = await login();
    const key = sessionKey(sessionIdOf(victim, COOKIE_SECRET));
    const attacker = connect();
    const before = await untrusted(authz, 'session');
    // A plaintext record as the store wrote it before sealing, naming someone else...
    await attacker.set(key, JSON.stringify({ sub: 'mallory', claims: { sub: 'mallory' }, expiresAtMs: Date.now() + 3_600_000 }), 'KEEPTTL');
    expect((await check(victim, '/')).denied_response?.status?.code).toBe('Found');
    // ...and the sealed record with one byte flipped.
    const other = await login();
    const otherKey = sessionKey(sessionIdOf(other, COOKIE_SECRET));
    const sealed = (await attacker.getBuffer(otherKey))!;
    sealed[sealed.length - 20] = sealed[sealed.length - 20]! ^ 0x01;
    await attacker.set(otherKey, sealed, 'KEEPTTL');
    expect((await check(other, '/')).denied_response?.status?.code).toBe('Found');
    expect(await untrusted(authz, 'session')).toBeGreaterThanOrEqual(before + 2);
  });

  it('attack: copy a victim\'s session record under the attacker\'s session id → the attacker\'s cookie no longer authenticates', async () => {
    const victim = await login();
    const attackerJar = await login();
    const attacker = connect();
    const victimRecord = (await attacker.getBuffer(sessionKey(sessionIdOf(victim, COOKIE_SECRET))))!;
    await attacker.set(sessionKey(sessionIdOf(attackerJar, COOKIE_SECRET)), victimRecord, 'KEEPTTL');
    const answer = await check(attackerJar, '/');
    expect(answer.status.code).not.toBe(0);
    expect(answer.denied_response?.status?.code).toBe('Found');
    // The victim's own session is untouched.
    expect(upstreamHeaders(await check(victim, '/'))['x-gatehouse-subject']).toBe('alice');
  });

  it('attack: read every Redis value after an OIDC login, API-key and basic-auth checks → no client secret, API key, htpasswd entry or token', async () => {
    const jar = await login();
    const accessToken = upstreamHeaders(await check(jar, '/')).authorization!.slice('Bearer '.length);
    expect(await apiKeyAllowed(API_KEY)).toBe(true);
    const basic = await authz.client.check({ policy: 'ns/basic', headers: { authorization: `Basic ${Buffer.from('bob:builder').toString('base64')}` } });
    expect(basic.status.code).toBe(0);

    const dump = await everyRedisValue(connect());
    expect(dump.length).toBeGreaterThan(0);
    for (const [what, secret] of [
      ['the OIDC client secret', CLIENT_SECRET],
      ['the API key', API_KEY],
      ['the htpasswd hash', HTPASSWD_HASH],
      ['the access token', accessToken],
      ['any JWT (ID token)', 'eyJ'],
    ] as const) {
      expect(dump.includes(secret), `${what} is readable in Redis`).toBe(false);
    }
  });
});
