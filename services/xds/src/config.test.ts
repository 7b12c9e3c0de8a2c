// The trust settings: how Envoy reaches authz and ratelimit follows how xds itself runs unless
// XDS_INTERNAL_TLS says otherwise, and XDS_PROXYLESS_CLIENTS is read strictly.
import { ConfigError, loadConfig as loadKitConfig } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { describe, expect, it } from 'vitest';
import { deriveTranslateOptions, xdsEnv } from './config.js';

/** xds's own variables, with the control key every service needs. */
const loadConfig = (spec: typeof xdsEnv, env: Record<string, string>) => loadKitConfig(spec, { GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY, ...env });

const options = (env: Record<string, string>, plaintext: boolean) => deriveTranslateOptions({ ...loadConfig(xdsEnv, env), GATEHOUSE_INSECURE_PLAINTEXT: plaintext });

describe('xds trust settings', () => {
  it("by default Envoy reaches authz, ratelimit and certs' HTTP-01 responder over mTLS, checking each service identity, with the SDS files in /etc/envoy", () => {
    const o = options({}, false);
    expect(o.authz.tls).toEqual({ sdsDir: '/etc/envoy', serverIdentity: 'spiffe://gatehouse/service/authz' });
    expect(o.rateLimit.tls).toEqual({ sdsDir: '/etc/envoy', serverIdentity: 'spiffe://gatehouse/service/ratelimit' });
    expect(o.certs.tls).toEqual({ sdsDir: '/etc/envoy', serverIdentity: 'spiffe://gatehouse/service/certs' });
  });

  it('plaintext when xds itself runs with GATEHOUSE_INSECURE_PLAINTEXT, or when XDS_INTERNAL_TLS says so', () => {
    expect(options({}, true).authz.tls).toBeUndefined();
    expect(options({}, true).certs.tls).toBeUndefined();
    expect(options({ XDS_INTERNAL_TLS: 'plaintext' }, false).rateLimit.tls).toBeUndefined();
  });

  it('XDS_INTERNAL_TLS=mtls keeps the services on mTLS even for a plaintext xds; XDS_ENVOY_SDS_DIR moves the files', () => {
    expect(options({ XDS_INTERNAL_TLS: 'mtls', XDS_ENVOY_SDS_DIR: '/sds' }, true).authz.tls).toEqual({ sdsDir: '/sds', serverIdentity: 'spiffe://gatehouse/service/authz' });
  });

  it('XDS_PROXYLESS_CLIENTS: unset allows any client identity; a bad entry fails start-up naming it', () => {
    expect(loadConfig(xdsEnv, {}).XDS_PROXYLESS_CLIENTS).toBeUndefined();
    expect(loadConfig(xdsEnv, { XDS_PROXYLESS_CLIENTS: 'billing=default/mesh' }).XDS_PROXYLESS_CLIENTS).toEqual(new Map([['billing', new Set(['default/mesh'])]]));
    expect(() => loadConfig(xdsEnv, { XDS_PROXYLESS_CLIENTS: 'billing=Mesh' })).toThrow(ConfigError);
    expect(() => loadConfig(xdsEnv, { XDS_INTERNAL_TLS: 'maybe' })).toThrow(/XDS_INTERNAL_TLS/);
  });
});

describe('rate limit failure mode', () => {
  it('fails open by default as Envoy Gateway does; RATELIMIT_FAIL_CLOSED=true makes Envoy deny while the service cannot answer', () => {
    expect(options({}, false).rateLimit.failClosed).toBe(false);
    expect(options({ RATELIMIT_FAIL_CLOSED: 'true' }, false).rateLimit.failClosed).toBe(true);
  });
});
