// The headers Gatehouse owns: every SecurityPolicy's identity headers (any Gateway, any state) plus
// the reserved ones, and never a header authz refuses to write.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GatewayResource } from '../provider/resource-types.js';
import { collectIdentityHeaders, RESERVED_IDENTITY_HEADERS } from './identity-headers.js';
import { ResourceIndex } from './resource-index.js';

const policy = (name: string, spec: unknown): GatewayResource =>
  ({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name, namespace: 'default' }, spec }) as GatewayResource;

describe('collectIdentityHeaders', () => {
  it('unites claimToHeaders targets and forwarded headers of every SecurityPolicy with the reserved ones, lower-case and sorted', () => {
    const index = new ResourceIndex([
      policy('jwt', { jwt: { providers: [{ claimToHeaders: [{ claim: 'sub', header: 'X-User-Id' }, { claim: 'team', header: 'x-team' }] }, { claimToHeaders: 'junk' }] } }),
      policy('key', { apiKeyAuth: { forwardClientIDHeader: 'x-client' } }),
      policy('basic', { basicAuth: { forwardUsernameHeader: 'x-username' } }),
      policy('oidc', { oidc: { forwardIDToken: { header: 'x-id-token' } } }),
      policy('broken', 'not a mapping'),
    ]);
    expect(collectIdentityHeaders(index)).toEqual(['x-client', 'x-gatehouse-auth-method', 'x-gatehouse-client-id', 'x-gatehouse-subject', 'x-id-token', 'x-team', 'x-user-id', 'x-username']);
  });

  it('leaves out names authz refuses as identity headers, which other routes need', () => {
    const names = ['cookie', 'Content-Type', 'host', 'x-envoy-retry-on', 'proxy-authorization', 'not a header', ':path'];
    const index = new ResourceIndex([policy('bad', { jwt: { providers: [{ claimToHeaders: names.map((header) => ({ claim: 'sub', header })) }] } })]);
    expect(collectIdentityHeaders(index)).toEqual([...RESERVED_IDENTITY_HEADERS]);
  });

  it('reserves the same x-gatehouse-* headers authz writes', () => {
    const source = readFileSync(join(import.meta.dirname, '../../../../authz/src/core/policy/policy-set.ts'), 'utf8');
    const list = /RESERVED_IDENTITY_HEADERS = \[([^\]]*)\]/.exec(source)?.[1] ?? '';
    expect([...list.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort()).toEqual([...RESERVED_IDENTITY_HEADERS]);
  });
});
