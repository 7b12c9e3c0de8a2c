import { lookupMessage, toObjectOptions } from '@gatehouse/contracts';
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import { describe, expect, it } from 'vitest';
import { buildCheckAnswer, buildCheckResponse } from '../core/decide/check-response.js';
import { unauthorized, type AllowDecision } from '../core/decide/decision.js';
import { toRequestView } from '../core/decide/request-view.js';
import { authorizationServiceDefinition, createCheckAnswerEncoder } from './check-response-encoding.js';

const responseType = lookupMessage('envoy.service.auth.v3.CheckResponse');
const requestType = lookupMessage('envoy.service.auth.v3.CheckRequest');
const decodeResponse = (bytes: Uint8Array) => responseType.toObject(responseType.decode(bytes), toObjectOptions);
/** What encoding the whole message with protobufjs gives. */
const reference = (decision: AllowDecision) => decodeResponse(responseType.encode(responseType.fromObject(buildCheckResponse(decision))).finish());

const allow = (metadata?: Record<string, unknown>): AllowDecision => ({
  kind: 'allow',
  via: 'jwt',
  upstreamHeaders: [['x-gatehouse-subject', 'alice']],
  headersToRemove: ['x_gatehouse_subject'],
  ...(metadata && { metadata }),
});

describe('createCheckAnswerEncoder', () => {
  const payload = Object.freeze({ sub: 'alice', aud: ['a', 'b'], exp: 1_790_000_000, nested: { deep: [{ x: null, ok: true }] } });

  it('encodes to the same message as protobufjs would, for every kind of metadata value', () => {
    const encode = createCheckAnswerEncoder();
    for (const metadata of [undefined, {}, { provider: payload }, { a: payload, b: 'text', c: 3, d: null, e: [1, 'x'], f: undefined }, { big: { blob: 'x'.repeat(300) } }]) {
      const decision = allow(metadata);
      expect(decodeResponse(encode(buildCheckAnswer(decision)))).toEqual(reference(decision));
    }
  });

  it('encodes denials unchanged', () => {
    const encode = createCheckAnswerEncoder();
    const decision = unauthorized('GH_AUTHZ_JWT_EXPIRED');
    expect(decodeResponse(encode(buildCheckAnswer(decision)))).toEqual(decodeResponse(responseType.encode(responseType.fromObject(buildCheckResponse(decision))).finish()));
  });

  it('reuses the encoding of a frozen object it has seen under the same key, and only then', () => {
    const encode = createCheckAnswerEncoder();
    const first = encode(buildCheckAnswer(allow({ provider: payload })));
    const again = encode(buildCheckAnswer(allow({ provider: payload })));
    expect(again.equals(first)).toBe(true);
    const underOtherKey = decodeResponse(encode(buildCheckAnswer(allow({ other: payload }))));
    expect(Object.keys((underOtherKey.dynamic_metadata as { fields: object }).fields)).toEqual(['other']);
    const otherObject = decodeResponse(encode(buildCheckAnswer(allow({ provider: { ...payload, sub: 'bob' } }))));
    expect(JSON.stringify(otherObject)).toContain('bob');
  });

  it('keeps the head of each distinct allowed answer apart (headers to set and to remove)', () => {
    const encode = createCheckAnswerEncoder();
    const variants: AllowDecision[] = [
      allow(),
      { ...allow(), upstreamHeaders: [['x-gatehouse-subject', 'bob']] },
      { ...allow(), headersToRemove: [] },
      { ...allow(), headersToRemove: ['x_gatehouse_subject', 'x-user-id'] },
      { ...allow(), upstreamHeaders: [['x-gatehouse-subject', 'alice'], ['x-user-id', 'alice']] },
    ];
    for (let round = 0; round < 2; round++) {
      for (const decision of variants) expect(decodeResponse(encode(buildCheckAnswer(decision)))).toEqual(reference(decision));
    }
  });

  it('encodes an object that is not frozen afresh every time (it may have changed)', () => {
    const encode = createCheckAnswerEncoder();
    const mutable: Record<string, unknown> = { sub: 'alice' };
    encode(buildCheckAnswer(allow({ provider: mutable })));
    mutable.sub = 'mallory';
    expect(JSON.stringify(decodeResponse(encode(buildCheckAnswer(allow({ provider: mutable })))))).toContain('mallory');
  });
});

describe('authorizationServiceDefinition', () => {
  it('decodes requests into values the request view reads exactly as from the toObject form', () => {
    const request = {
      attributes: {
        source: { address: { socket_address: { address: '10.1.2.3', port_value: 4000 } } },
        request: {
          http: {
            id: 'r1',
            method: 'post',
            path: '/a?b=c',
            host: 'API.example',
            headers: { Authorization: 'Bearer t', accept: 'text/html' },
            header_map: { headers: [{ key: 'x-raw', raw_value: Buffer.from('caf\xe9', 'latin1') }, { key: 'accept', value: 'application/json' }] },
          },
        },
        context_extensions: { policy: 'ns/p' },
      },
    };
    const bytes = Buffer.from(requestType.encode(requestType.fromObject(request)).finish());
    const fast = authorizationServiceDefinition().Check!.requestDeserialize(bytes) as CheckRequest__Output;
    const slow = requestType.toObject(requestType.decode(bytes), toObjectOptions) as CheckRequest__Output;
    expect(toRequestView(fast)).toEqual(toRequestView(slow));
    expect(toRequestView(fast)).toMatchObject({ headers: { 'x-raw': 'café', accept: 'text/html,application/json' }, clientIp: '10.1.2.3', policyKey: 'ns/p' });
    const empty = authorizationServiceDefinition().Check!.requestDeserialize(Buffer.alloc(0)) as CheckRequest__Output;
    expect(toRequestView(empty)).toEqual(toRequestView({} as CheckRequest__Output));
  });
});
