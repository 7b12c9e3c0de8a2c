// OIDC flow decisions with in-memory ports and an injected clock; the real IdP and Redis are exercised
// in oidc-flow.int.test.ts.
import { describe, expect, it } from 'vitest';
import { compileSecurityPolicy } from '../policy/compile.js';
import { createCookieSealer } from './cookie-crypto.js';
import type { DenyDecision } from '../decide/decision.js';
import { AuthzError } from '../../errors.js';
import type { IdpClient, LoginState, Session, SessionStore, TokenSet } from './oidc-ports.js';
import { OidcFlow, sessionCookieName } from './oidc-flow.js';
import type { RequestView } from '../decide/request-view.js';

const oidc = compileSecurityPolicy(
  {
    kind: 'SecurityPolicy',
    metadata: { name: 'web', namespace: 'app' },
    spec: { oidc: { provider: { issuer: 'https://idp.example' }, clientID: 'gatehouse', clientSecret: { name: 's' }, denyRedirect: { headers: [{ name: 'x-requested-with', value: 'XMLHttpRequest' }] } } },
  },
  { lookup: () => ({ 'client-secret': Buffer.from('secret') }) },
).policy!.oidc!;

class MemoryStore implements SessionStore {
  sessions = new Map<string, Session>();
  logins = new Map<string, LoginState>();
  locked = new Set<string>();
  async putLoginState(state: string, data: LoginState) { this.logins.set(state, data); }
  async takeLoginState(state: string) { const v = this.logins.get(state); this.logins.delete(state); return v; }
  async putSession(id: string, s: Session) { this.sessions.set(id, s); }
  async getSession(id: string) { return this.sessions.get(id); }
  async deleteSession(id: string) { this.sessions.delete(id); }
  async acquireRefreshLock(id: string) { if (this.locked.has(id)) return false; this.locked.add(id); return true; }
  async releaseRefreshLock(id: string) { this.locked.delete(id); }
}

function setup(refresh: () => Promise<TokenSet> = async () => ({ access_token: 'new-access', expires_in: 600 })) {
  const clock = { t: 1_000_000 };
  const store = new MemoryStore();
  const sealer = createCookieSealer('k'.repeat(32));
  let refreshes = 0;
  const idp: IdpClient = {
    metadata: async () => ({ issuer: 'https://idp.example', authorization_endpoint: 'https://idp.example/auth', token_endpoint: 'https://idp.example/token', jwks_uri: 'https://idp.example/jwks' }),
    exchangeCode: async () => { throw new Error('unused'); },
    refresh: async () => (refreshes++, refresh()),
    introspect: async () => ({ active: false }),
    keys: () => ({ candidates: async () => [] }),
  };
  const sleeps: number[] = [];
  const flow = new OidcFlow({ idp, store, sealer, clockSkewSeconds: 0, now: () => clock.t, sleep: async (ms) => { sleeps.push(ms); clock.t += ms; } });
  const session = (over: Partial<Session> = {}): Session => ({ policy: oidc.id, sub: 'alice', claims: { sub: 'alice' }, accessToken: 'old-access', accessExpiresAtMs: clock.t + 600_000, refreshToken: 'r1', expiresAtMs: clock.t + 3_600_000, ...over });
  const cookieFor = (id: string) => `${sessionCookieName(oidc)}=${sealer.seal(sessionCookieName(oidc), id)}`;
  return { clock, store, flow, session, cookieFor, sleeps, refreshCount: () => refreshes };
}

const request = (over: Partial<RequestView> = {}, headers: Record<string, string> = {}): RequestView => ({
  method: 'GET', path: '/reports', query: 'q=1', host: 'app.example', scheme: 'https', clientIp: '10.0.0.1', policyKey: 'app/web',
  headers: { accept: 'text/html', ...headers }, ...over,
});

describe('OidcFlow', () => {
  it('redirects navigations to the IdP and remembers where to return', async () => {
    const { flow, store } = setup();
    const result = await flow.authenticate(request(), oidc);
    expect(result.kind).toBe('decision');
    const decision = (result as { decision: DenyDecision }).decision;
    expect(decision.httpStatus).toBe(302);
    const [login] = [...store.logins.values()];
    expect(login).toMatchObject({ returnTo: '/reports?q=1', redirectUri: 'https://app.example/oauth2/callback', policy: 'app/web' });
  });
  it('answers 401 instead of redirecting for non-GET requests, API clients and denyRedirect matches', async () => {
    const { flow } = setup();
    for (const r of [request({ method: 'POST' }), request({}, { accept: 'application/json' }), request({}, { 'x-requested-with': 'XMLHttpRequest' })]) {
      const result = await flow.authenticate(r, oidc);
      expect((result as { decision: DenyDecision }).decision).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_LOGIN_REQUIRED' });
    }
  });
  it('uses a live session without refreshing it', async () => {
    const { flow, store, session, cookieFor, refreshCount } = setup();
    store.sessions.set('s1', session());
    const result = await flow.authenticate(request({}, { cookie: cookieFor('s1') }), oidc);
    expect(result).toMatchObject({ kind: 'session', session: { accessToken: 'old-access' } });
    expect(refreshCount()).toBe(0);
  });
  it('refreshes shortly before expiry and keeps the refresh token when the IdP does not rotate it', async () => {
    const { flow, store, session, cookieFor, clock } = setup();
    store.sessions.set('s1', session({ accessExpiresAtMs: clock.t + 30_000 }));
    const result = await flow.authenticate(request({}, { cookie: cookieFor('s1') }), oidc);
    expect(result).toMatchObject({ kind: 'session', session: { accessToken: 'new-access', refreshToken: 'r1' } });
    expect(store.sessions.get('s1')!.accessToken).toBe('new-access');
    expect(store.locked.size).toBe(0);
  });
  it('while another replica refreshes, keeps a still-valid token, or waits for the new one', async () => {
    const { flow, store, session, cookieFor, clock, sleeps, refreshCount } = setup();
    store.sessions.set('s1', session({ accessExpiresAtMs: clock.t + 30_000 }));
    store.locked.add('s1'); // the other replica holds the lock
    expect(await flow.authenticate(request({}, { cookie: cookieFor('s1') }), oidc)).toMatchObject({ session: { accessToken: 'old-access' } });
    // Expired: wait, then pick up what the other replica stored.
    store.sessions.set('s1', session({ accessExpiresAtMs: clock.t - 1 }));
    const waiting = flow.authenticate(request({}, { cookie: cookieFor('s1') }), oidc);
    store.sessions.set('s1', session({ accessToken: 'from-other-replica', accessExpiresAtMs: clock.t + 600_000 }));
    expect(await waiting).toMatchObject({ session: { accessToken: 'from-other-replica' } });
    expect(sleeps.length).toBeGreaterThan(0);
    expect(refreshCount()).toBe(0);
  });
  it('ends the session when the IdP rejects the refresh token', async () => {
    const { flow, store, session, cookieFor, clock } = setup(async () => {
      throw new AuthzError('GH_AUTHZ_SESSION_INVALID');
    });
    store.sessions.set('s1', session({ accessExpiresAtMs: clock.t + 1_000 }));
    const result = await flow.authenticate(request({}, { cookie: cookieFor('s1') }), oidc);
    expect(result.kind).toBe('decision');
    expect(store.sessions.has('s1')).toBe(false);
  });
  it('ignores sessions of another policy, expired sessions and tampered cookies', async () => {
    const { flow, store, session, cookieFor, clock } = setup();
    store.sessions.set('other', session({ policy: 'app/other' }));
    store.sessions.set('old', session({ expiresAtMs: clock.t - 1 }));
    for (const cookie of [cookieFor('other'), cookieFor('old'), `${sessionCookieName(oidc)}=forged`]) {
      expect((await flow.authenticate(request({}, { cookie }), oidc)).kind).toBe('decision');
    }
  });
});
