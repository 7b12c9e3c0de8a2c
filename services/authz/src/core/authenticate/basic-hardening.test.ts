// basicAuth against password guessing and user enumeration (issue 13), through the Authorizer with the
// real bcrypt thread pool: bcrypt runs off the event loop, work beyond the pool's cap is refused (503),
// a name that spent its failure budget is refused before hashing (429), and an unknown name is
// checked against a dummy hash of the same cost.
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BcryptPool } from '../../adapters/bcrypt-pool.js';
import { Authorizer, type AuthorizerOptions } from '../authorize.js';
import type { RequestView } from '../decide/request-view.js';
import { compileSecurityPolicy } from '../policy/compile.js';
import { createPolicySet, type PolicySet } from '../policy/policy-set.js';
import { bcryptCost } from './htpasswd.js';
import type { BcryptVerifier } from './step.js';

const COST = 10;
let bobHash: string;
let policies: PolicySet;
const pools: BcryptPool[] = [];

beforeAll(() => {
  bobHash = bcrypt.hashSync('builder', COST);
  const alice = `{SHA}${createHash('sha1').update('wonderland').digest('base64')}`;
  const secrets: Record<string, Record<string, Buffer>> = { 'ns/users': { '.htpasswd': Buffer.from(`bob:${bobHash}\ncarol:${bobHash}\nalice:${alice}\n`) } };
  const result = compileSecurityPolicy({ kind: 'SecurityPolicy', metadata: { name: 'basic', namespace: 'ns' }, spec: { basicAuth: { users: { name: 'users' } } } }, { lookup: (_k, ns, n) => secrets[`${ns}/${n}`] });
  policies = createPolicySet('v1', [result.policy!]);
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

function pool(options: ConstructorParameters<typeof BcryptPool>[0] = {}): BcryptPool {
  const created = new BcryptPool(options);
  pools.push(created);
  return created;
}

function authorizer(bcryptVerifier: BcryptVerifier, options: Partial<AuthorizerOptions> = {}): Authorizer {
  return new Authorizer(policies, { clockSkewSeconds: 0, keySourceFor: () => ({ candidates: async () => [] }), bcrypt: bcryptVerifier, ...options });
}

const basic = (credential: string): RequestView => ({
  method: 'GET', path: '/', query: '', host: 'app.example', scheme: 'https', clientIp: '10.0.0.1', policyKey: 'ns/basic',
  headers: { authorization: `Basic ${Buffer.from(credential).toString('base64')}` },
});

async function answer(a: Authorizer, credential: string): Promise<{ status: number; code?: string }> {
  const { decision } = await a.authorize(basic(credential));
  return decision.kind === 'allow' ? { status: 200 } : { status: decision.httpStatus, code: decision.code };
}

describe('basicAuth hardening', () => {
  it('bcrypt is verified off the event loop: the check is asynchronous, a worker hashes, and the loop keeps turning meanwhile', async () => {
    const hashing = pool({ threads: 1 });
    const a = authorizer(hashing);
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      if (!spinning) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const pending = a.authorize(basic('bob:wrong'));
    // The old synchronous bcrypt returned the decision from this very call, having blocked the loop.
    expect(pending).toBeInstanceOf(Promise);
    const turnsBefore = turns;
    expect((await pending).decision).toMatchObject({ httpStatus: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    spinning = false;
    expect(hashing.completed).toBe(1);
    // A cost-10 bcrypt takes tens of milliseconds; the loop turns thousands of times meanwhile. Three is generous.
    expect(turns - turnsBefore).toBeGreaterThanOrEqual(3);
    expect(await answer(a, 'bob:builder')).toEqual({ status: 200 });
    expect(hashing.completed).toBe(2);
  });

  it('checks beyond the pool cap are refused at once with 503 GH_AUTHZ_BASIC_BUSY, nothing queued behind them', async () => {
    const hashing = pool({ threads: 1, maxQueued: 1 });
    const a = authorizer(hashing);
    const answers = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((name) => answer(a, `${name}:guess`)));
    expect(answers).toEqual([
      { status: 401, code: 'GH_AUTHZ_BASIC_INVALID' },
      { status: 401, code: 'GH_AUTHZ_BASIC_INVALID' },
      { status: 503, code: 'GH_AUTHZ_BASIC_BUSY' },
      { status: 503, code: 'GH_AUTHZ_BASIC_BUSY' },
    ]);
    expect(hashing.completed).toBe(2);
    expect(hashing.pending).toBe(0);
    // Capacity is back once the hashes finished.
    expect(await answer(a, 'bob:builder')).toEqual({ status: 200 });
  });

  it('a name past its failure budget is refused with 429 GH_AUTHZ_BASIC_LOCKED before any hashing, unknown names alike, until the window ends', async () => {
    const hashing = pool({ threads: 1 });
    let clock = 1_000_000;
    const a = authorizer(hashing, { basicFailures: { maxFailures: 3, windowMs: 60_000 }, now: () => clock });
    for (let i = 0; i < 3; i++) expect(await answer(a, 'bob:wrong')).toEqual({ status: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    const hashed = hashing.completed;
    // Even the right password: the name is refused without hashing.
    expect(await answer(a, 'bob:builder')).toEqual({ status: 429, code: 'GH_AUTHZ_BASIC_LOCKED' });
    expect(hashing.completed).toBe(hashed);
    // An unknown name is budgeted exactly like a known one (the budget does not reveal who exists).
    for (let i = 0; i < 3; i++) expect(await answer(a, 'mallory:guess')).toEqual({ status: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(await answer(a, 'mallory:guess')).toEqual({ status: 429, code: 'GH_AUTHZ_BASIC_LOCKED' });
    // Other names are unaffected; a policy reload keeps the counts.
    expect(await answer(a, 'carol:builder')).toEqual({ status: 200 });
    a.setPolicies(policies);
    expect(await answer(a, 'bob:builder')).toEqual({ status: 429, code: 'GH_AUTHZ_BASIC_LOCKED' });
    clock += 60_001;
    expect(await answer(a, 'bob:builder')).toEqual({ status: 200 });
  });

  it('a credential verified before a lockout keeps passing (remembered), while guesses at the same name are refused', async () => {
    const hashing = pool({ threads: 1 });
    const a = authorizer(hashing, { basicFailures: { maxFailures: 2, windowMs: 60_000 } });
    expect(await answer(a, 'bob:builder')).toEqual({ status: 200 });
    expect(await answer(a, 'bob:x')).toEqual({ status: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(await answer(a, 'bob:y')).toEqual({ status: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(await answer(a, 'bob:z')).toEqual({ status: 429, code: 'GH_AUTHZ_BASIC_LOCKED' });
    expect(await answer(a, 'bob:builder')).toEqual({ status: 200 });
  });

  it('an unknown user costs the same bcrypt verification as a known one: a dummy hash of the same cost, in the pool', async () => {
    const hashing = pool({ threads: 1 });
    const verified: string[] = [];
    const recording: BcryptVerifier = { verify: (password, hash) => (verified.push(hash), hashing.verify(password, hash)) };
    const a = authorizer(recording);
    expect(await answer(a, 'bob:wrong')).toEqual({ status: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(await answer(a, 'mallory:builder')).toEqual({ status: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(verified).toHaveLength(2);
    expect(verified[0]).toBe(bobHash);
    expect(verified[1]).not.toBe(bobHash);
    expect(bcryptCost(verified[1]!)).toBe(COST);
    expect(hashing.completed).toBe(2);
  });

  it('{SHA} entries still verify, inline (no thread), wrong passwords and budgets alike', async () => {
    const hashing = pool({ threads: 1 });
    const a = authorizer(hashing);
    const allowed = a.authorize(basic('alice:wonderland'));
    expect(allowed).not.toBeInstanceOf(Promise);
    expect((await allowed).decision.kind).toBe('allow');
    expect(await answer(a, 'alice:Wonderland')).toEqual({ status: 401, code: 'GH_AUTHZ_BASIC_INVALID' });
    expect(hashing.completed).toBe(0);
  });
});
