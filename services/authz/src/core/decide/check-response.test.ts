import { lookupMessage, toObjectOptions } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { buildCheckResponse } from './check-response.js';
import { redirect, unauthorized } from './decision.js';

const roundTrip = (value: object) => {
  const type = lookupMessage('envoy.service.auth.v3.CheckResponse');
  return type.toObject(type.decode(type.encode(type.fromObject(value)).finish()), toObjectOptions);
};

describe('buildCheckResponse', () => {
  it('allows with overwritten identity headers, removals and dynamic metadata', () => {
    const response = roundTrip(
      buildCheckResponse({ kind: 'allow', via: 'jwt', upstreamHeaders: [['x-user', 'alice']], headersToRemove: ['x_user'], metadata: { sub: 'alice', roles: ['a'], n: 2 } }),
    );
    expect(response).toMatchObject({
      status: { code: 0 },
      ok_response: { headers: [{ header: { key: 'x-user', value: 'alice' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }], headers_to_remove: ['x_user'] },
      dynamic_metadata: { fields: { sub: { stringValue: 'alice' }, n: { numberValue: 2 }, roles: { listValue: { values: [{ stringValue: 'a' }] } } } },
    });
  });
  it('denies in the answer with a status, an HTTP status, a challenge and a coded body', () => {
    const response = roundTrip(buildCheckResponse(unauthorized('GH_AUTHZ_JWT_EXPIRED')));
    expect(response).toMatchObject({
      status: { code: 16 },
      denied_response: { status: { code: 'Unauthorized' }, body: '{"error":"GH_AUTHZ_JWT_EXPIRED"}' },
    });
    expect(JSON.stringify(response)).toContain('Bearer error=\\"invalid_token\\"');
  });
  it('redirects with a location and appends every set-cookie', () => {
    const response = roundTrip(buildCheckResponse(redirect('/login', ['a=1', 'b=2'])));
    expect(response.denied_response.status.code).toBe('Found');
    const cookies = response.denied_response.headers.filter((h: { header: { key: string } }) => h.header.key === 'set-cookie');
    expect(cookies.map((h: { append_action: string }) => h.append_action)).toEqual(['APPEND_IF_EXISTS_OR_ADD', 'APPEND_IF_EXISTS_OR_ADD']);
  });
});
