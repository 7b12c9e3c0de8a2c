import { describe, expect, it } from 'vitest';
import { compileSecurityPolicy } from './compile.js';
import { parseRedirectUrl } from './compile-oidc.js';

const secret = { 'client-secret': Buffer.from('s3cret') };
const compile = (spec: object, lookup: Parameters<typeof compileSecurityPolicy>[1]['lookup'] = () => secret) =>
  compileSecurityPolicy({ kind: 'SecurityPolicy', metadata: { name: 'p', namespace: 'ns' }, spec }, { lookup });
const oidc = (extra: object = {}) => ({ oidc: { provider: { issuer: 'https://idp.example' }, clientID: 'app', clientSecret: { name: 'idp' }, ...extra } });

describe('compileSecurityPolicy', () => {
  it('compiles OIDC with Envoy Gateway defaults and always requests openid', () => {
    const { policy, issues } = compile(oidc({ scopes: ['email'] }));
    expect(issues).toEqual([]);
    expect(policy!.oidc).toMatchObject({ callbackPath: '/oauth2/callback', logoutPath: '/logout', scopes: ['openid', 'email'], sameSite: 'Lax', refreshToken: true, clientSecret: 's3cret' });
  });
  it('takes the callback path from redirectURL, in absolute or request-template form', () => {
    expect(compile(oidc({ redirectURL: 'https://app.example/auth/cb' })).policy!.oidc!.callbackPath).toBe('/auth/cb');
    expect(compile(oidc({ redirectURL: '%REQ(x-forwarded-proto)%://%REQ(:authority)%/cb' })).policy!.oidc!.callbackPath).toBe('/cb');
    expect(parseRedirectUrl('http://app.example/cb')).toBeUndefined();
    expect(parseRedirectUrl('https://app.example/cb?x=1')).toBeUndefined();
  });
  it('refuses SameSite=None session cookies, plain-http issuers and a missing client secret', () => {
    const paths = (spec: object, lookup?: Parameters<typeof compile>[1]) => compile(spec, lookup).issues.map((i) => `${i.path} ${i.code}`);
    expect(paths(oidc({ cookieConfig: { sameSite: 'None' } }))).toEqual(['/spec/oidc/cookieConfig/sameSite GH_AUTHZ_CONFIG_INVALID']);
    expect(paths({ oidc: { ...oidc().oidc, provider: { issuer: 'http://idp.example' } } })).toEqual(['/spec/oidc/provider/issuer GH_AUTHZ_CONFIG_INVALID']);
    expect(paths(oidc(), () => undefined)).toEqual(['/spec/oidc/clientSecret GH_AUTHZ_CONFIG_MISSING_SECRET']);
    expect(paths(oidc({ disableTokenEncryption: true }))).toEqual(['/spec/oidc/disableTokenEncryption GH_AUTHZ_CONFIG_UNSUPPORTED_FIELD']);
    expect(paths(oidc({ disableTokenEncryption: false, cookieDomain: 'example.com' }))).toEqual([]);
  });
  it('names every unsupported field instead of ignoring it', () => {
    const { issues } = compile({
      jwt: { failOpen: true, providers: [{ name: 'a', issuer: 'https://i', audiences: ['x'], remoteJWKS: { uri: 'https://i/j', backendSettings: { circuitBreaker: {} } }, recomputeRoute: true }] },
      authorization: { rules: [{ action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'US' }] } }] },
      extAuth: { grpc: {} },
      oidc: { ...oidc().oidc, cookieNames: { accessToken: 'at' } },
    });
    expect(issues.filter((i) => i.code === 'GH_AUTHZ_CONFIG_UNSUPPORTED_FIELD').map((i) => i.path).sort()).toEqual(
      [
        '/spec/extAuth',
        '/spec/jwt/providers/0/remoteJWKS/backendSettings/circuitBreaker',
        '/spec/oidc/cookieNames',
      ].sort(),
    );
  });
  it('compiles clientIPGeoLocations (codes upper-cased, names lower-cased) and refuses entries that name nothing', () => {
    const rule = (entries: object[]) => ({ authorization: { rules: [{ action: 'Allow', principal: { clientIPGeoLocations: entries } }] } });
    const { policy, issues } = compile(rule([{ country: 'es', region: 'md', city: 'Madrid' }, { asn: 3352, isp: 'Telefonica de Espana' }, { anonymous: { isVPN: false, isTor: true } }]));
    expect(issues).toEqual([]);
    expect(policy!.authorization!.rules[0]!.geoLocations).toEqual([
      { country: 'ES', region: 'MD', city: 'madrid' },
      { asn: 3352, isp: 'telefonica de espana' },
      { anonymous: { isVPN: false, isTor: true } },
    ]);
    const refused = compile(rule([{}, { anonymous: {} }]));
    expect(refused.issues.map((i) => `${i.path} ${i.code}`)).toEqual([
      '/spec/authorization/rules/0/principal/clientIPGeoLocations/0 GH_AUTHZ_CONFIG_INVALID',
      '/spec/authorization/rules/0/principal/clientIPGeoLocations/1/anonymous GH_AUTHZ_CONFIG_INVALID',
    ]);
  });
  it('resolves a remoteJWKS backendRef to its Backend address, and refuses an unknown Backend', () => {
    const provider = (backendRefs: object[]) => ({ jwt: { providers: [{ name: 'a', issuer: 'https://i', audiences: ['x'], remoteJWKS: { uri: 'https://i.example/jwks', backendRefs } }] } });
    const ref = { group: 'gateway.envoyproxy.io', kind: 'Backend', name: 'idp', port: 443 };
    const known = compile(provider([ref]), (kind, _ns, name) => (kind === 'Backend' && name === 'idp' ? { address: Buffer.from('10.0.0.7:8443') } : undefined));
    expect(known.issues).toEqual([]);
    expect(known.policy!.jwt!.providers[0]!.jwks).toMatchObject({ kind: 'remote', uri: 'https://i.example/jwks', backends: [{ host: '10.0.0.7', port: 8443, weight: 1, fallback: false }] });
    expect(compile(provider([ref]), () => undefined).issues.map((i) => i.path)).toEqual(['/spec/jwt/providers/0/remoteJWKS/backendRefs/0']);
  });
  it("carries a Backend's BackendTLSPolicy (key tls) to the fetch, and refuses one that does not parse", () => {
    const provider = { jwt: { providers: [{ name: 'a', issuer: 'https://i', audiences: ['x'], remoteJWKS: { uri: 'https://i.example/jwks', backendRefs: [{ group: 'gateway.envoyproxy.io', kind: 'Backend', name: 'idp' }] } }] } };
    const tls = { sni: 'idp.internal', subjectAltNames: [{ type: 'DNS', value: 'idp.internal' }], ca: '-----BEGIN CERTIFICATE-----\n' };
    const backend = (raw: string) => () => ({ address: Buffer.from('10.0.0.7:8443'), tls: Buffer.from(raw) });
    const known = compile(provider, backend(JSON.stringify(tls)));
    expect(known.issues).toEqual([]);
    expect(known.policy!.jwt!.providers[0]!.jwks).toMatchObject({ backends: [{ host: '10.0.0.7', port: 8443, tls }] });
    for (const bad of ['{', JSON.stringify({ ...tls, sni: '' }), JSON.stringify({ ...tls, subjectAltNames: [{ type: 'IP', value: '1.2.3.4' }] })]) {
      expect(compile(provider, backend(bad)).issues.map((i) => i.path)).toEqual(['/spec/jwt/providers/0/remoteJWKS/backendRefs/0']);
    }
  });
  it('keeps every backendRef with its weight (default 1) and fallback, and refuses a list whose weights are all 0', () => {
    const provider = (backendRefs: object[]) => ({ jwt: { providers: [{ name: 'a', issuer: 'https://i', audiences: ['x'], remoteJWKS: { uri: 'https://i.example/jwks', backendRefs } }] } });
    const backends = (_kind: string, _ns: string, name: string) => ({ address: Buffer.from(name === 'one' ? '10.0.0.1:443' : '10.0.0.2:443') });
    const ref = (name: string, extra: object = {}) => ({ group: 'gateway.envoyproxy.io', kind: 'Backend', name, ...extra });
    const known = compile(provider([ref('one', { weight: 3 }), ref('two', { fallback: true })]), backends);
    expect(known.issues).toEqual([]);
    expect(known.policy!.jwt!.providers[0]!.jwks).toMatchObject({
      backends: [
        { host: '10.0.0.1', port: 443, weight: 3, fallback: false },
        { host: '10.0.0.2', port: 443, weight: 1, fallback: true },
      ],
    });
    expect(compile(provider([ref('one', { weight: 0 }), ref('two', { weight: 0, fallback: true })]), backends).issues.map((i) => i.path)).toEqual(['/spec/jwt/providers/0/remoteJWKS/backendRefs']);
    expect(compile(provider([ref('one'), ref('missing')]), (k, n, name) => (name === 'one' ? backends(k, n, name) : undefined)).issues.map((i) => i.path)).toEqual(['/spec/jwt/providers/0/remoteJWKS/backendRefs/1']);
  });
  it('accepts routing and gateway-side fields it does not evaluate', () => {
    const { issues } = compile({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' }], cors: { allowOrigins: ['*'] }, ...oidc() });
    expect(issues).toEqual([]);
  });
  it('refuses to write identity into routing, framing or hop-by-hop headers', () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] });
    const provider = { name: 'a', issuer: 'https://i', audiences: ['x'], localJWKS: { type: 'Inline', inline: jwks } };
    const { issues } = compile({ jwt: { providers: [{ ...provider, claimToHeaders: [{ claim: 'sub', header: 'Host' }, { claim: 'x', header: 'x-envoy-upstream-rq-timeout-ms' }, { claim: 'y', header: 'x-user' }] }] } });
    expect(issues.map((i) => i.path)).toEqual(['/spec/jwt/providers/0/claimToHeaders/0/header', '/spec/jwt/providers/0/claimToHeaders/1/header']);
  });
  it('rejects short API keys and unknown rule providers', () => {
    const keys = compile({ apiKeyAuth: { credentialRefs: [{ name: 'k' }], extractFrom: [{ headers: ['x-api-key'] }] } }, () => ({ c: Buffer.from('short') }));
    expect(keys.issues.map((i) => i.message)).toEqual([expect.stringContaining('shorter than 16 bytes')]);
    const rules = compile({ authorization: { rules: [{ action: 'Allow', principal: { jwt: { provider: 'ghost' } } }] } });
    expect(rules.issues.map((i) => i.path)).toEqual(['/spec/authorization/rules/0/principal/jwt/provider']);
  });
});

describe('compileSecurityPolicy localJWKS from a ConfigMap', () => {
  const jwks = '{"keys":[{"kty":"EC","x":"7X1kkEBIW4Lk2sq-z1j8olBLTsEF8nJL93ZVfVg7zdA","y":"xXCD4-PJ90zG5qpTRTGFpQpUu-J1aWvA4YHs-GjFxPM","crv":"P-256","kid":"k1"}]}';
  const spec = { jwt: { providers: [{ name: 'a', issuer: 'https://i', audiences: ['x'], localJWKS: { type: 'ValueRef', valueRef: { kind: 'ConfigMap', name: 'keys' } } }] } };
  const withData = (data: Record<string, string>) => compile(spec, (kind, namespace, name) => (kind === 'ConfigMap' && namespace === 'ns' && name === 'keys' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)])) : undefined));

  it('reads key "jwks", else the only value, as Envoy Gateway does', () => {
    expect(withData({ jwks, other: 'x' }).policy?.jwt?.providers[0]?.jwks.kind).toBe('local');
    expect(withData({ 'public.json': jwks }).policy?.jwt?.providers[0]?.jwks.kind).toBe('local');
  });

  it('refuses a ConfigMap with neither key "jwks" nor a single value', () => {
    expect(withData({ a: jwks, b: jwks }).issues.map((i) => `${i.path} ${i.code}`)).toEqual(['/spec/jwt/providers/0/localJWKS/valueRef GH_AUTHZ_CONFIG_MISSING_SECRET']);
  });
});
