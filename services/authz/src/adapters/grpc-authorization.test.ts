// The Check handler: answers synchronously when the authorizer did, and turns every failure (an
// outage reported by the authorizer, an exception around it) into a deny with a metric and a log line.
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import { describe, expect, it } from 'vitest';
import { Authorizer, type AuthorizeOutcome } from '../core/authorize.js';
import { compileSecurityPolicy } from '../core/policy/compile.js';
import { deny } from '../core/decide/decision.js';
import { AuthzError, ErrorCodes } from '../errors.js';
import { createPolicySet } from '../core/policy/policy-set.js';
import { BcryptPool } from './bcrypt-pool.js';
import { createCheckHandler } from './grpc-authorization.js';
import type { AuthzMetrics } from './metrics.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

function request(policy: string, headers: Record<string, string> = {}): CheckRequest__Output {
  return {
    attributes: {
      request: { http: { method: 'GET', path: '/', host: 'api.example', headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`, ...headers } } },
      context_extensions: { policy },
    },
  } as unknown as CheckRequest__Output;
}

function harness(authorize: Authorizer['authorize']) {
  const counted: string[] = [];
  const errors: string[] = [];
  const logged: Record<string, unknown>[] = [];
  const metrics: AuthzMetrics = {
    checked: (policy, outcome, reason) => void counted.push(`${policy} ${outcome} ${reason}`),
    error: (policy, code) => void errors.push(`${policy} ${code}`),
    jwksFetch: () => undefined,
    cache: () => undefined,
    configReload: () => undefined,
  };
  const logger = { info: () => undefined, warn: () => undefined, error: (o: object) => void logged.push(o as Record<string, unknown>) };
  const check = createCheckHandler({ authorizer: { authorize } as Authorizer, metrics, logger });
  return { check, counted, errors, logged };
}

describe('Check handler', () => {
  it('answers an API-key check synchronously, and counts it for its policy', () => {
    const compiled = compileSecurityPolicy(
      { kind: 'SecurityPolicy', metadata: { name: 'keys', namespace: 'ns' }, spec: { apiKeyAuth: { credentialRefs: [{ name: 'keys' }], extractFrom: [{ headers: ['x-api-key'] }] } } },
      { lookup: () => ({ client: Buffer.from('key-0123456789abcdef') }) },
    );
    const authorizer = new Authorizer(createPolicySet('v1', [compiled.policy!]), { clockSkewSeconds: 0, bcrypt: new BcryptPool(), keySourceFor: () => ({ candidates: () => Promise.resolve([]) }) });
    const { check, counted } = harness((view) => authorizer.authorize(view));
    const answer = check(request('ns/keys', { 'x-api-key': 'key-0123456789abcdef' }));
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toMatchObject({ response: { status: { code: 0 } } });
    expect(counted).toEqual(['ns/keys allowed api-key']);
  });

  it('denies 503 when the authorizer reports an outage, with an error metric and a log line carrying the trace id', async () => {
    const outage: AuthorizeOutcome = { decision: deny(503, ErrorCodes.redisUnavailable), policy: 'ns/app', error: new AuthzError(ErrorCodes.redisUnavailable, 'connection refused') };
    const { check, counted, errors, logged } = harness(() => Promise.resolve(outage));
    const answer = await check(request('ns/app'));
    expect(answer.response.status?.code).toBe(14);
    expect(answer.response.denied_response?.status?.code).toBe(503);
    expect(counted).toEqual([`ns/app denied ${ErrorCodes.redisUnavailable}`]);
    expect(errors).toEqual([`ns/app ${ErrorCodes.redisUnavailable}`]);
    expect(logged).toEqual([expect.objectContaining({ policy: 'ns/app', code: ErrorCodes.redisUnavailable, trace_id: TRACE_ID, err: expect.stringContaining('connection refused') })]);
  });

  it.each([
    ['throws', (): never => { throw new TypeError('boom'); }],
    ['rejects', () => Promise.reject(new TypeError('boom'))],
  ])('denies 500, never fails the RPC, when the authorizer unexpectedly %s', async (_how, authorize) => {
    const { check, errors, logged } = harness(authorize as Authorizer['authorize']);
    const answer = await check(request('ns/app'));
    expect(answer.response.status?.code).toBe(14);
    expect(answer.response.denied_response?.status?.code).toBe(500);
    expect(errors).toEqual([`none ${ErrorCodes.internal}`]);
    expect(logged).toEqual([expect.objectContaining({ code: ErrorCodes.internal, trace_id: TRACE_ID, err: 'TypeError: boom' })]);
  });
});
