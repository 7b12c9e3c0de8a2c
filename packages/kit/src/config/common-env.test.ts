import { describe, expect, it } from 'vitest';
import { commonEnv, serviceEnvironment } from './common-env.js';
import { ConfigError } from './config-error.js';
import { env, loadConfig } from './env-spec.js';

const load = (service: string, environment: NodeJS.ProcessEnv) => loadConfig(commonEnv({ grpcPort: 1, adminPort: 2 }), serviceEnvironment(service, environment));

describe('per-service ports', () => {
  it('takes <SERVICE>_GRPC_PORT and <SERVICE>_ADMIN_PORT before GRPC_PORT and ADMIN_PORT', () => {
    const environment = { GRPC_PORT: '5000', ADMIN_PORT: '5001', XDS_GRPC_PORT: '18100', RATELIMIT_ADMIN_PORT: '6170' };
    expect(load('xds', environment)).toMatchObject({ GRPC_PORT: 18100, ADMIN_PORT: 5001 });
    expect(load('ratelimit', environment)).toMatchObject({ GRPC_PORT: 5000, ADMIN_PORT: 6170 });
    expect(load('authz', {})).toMatchObject({ GRPC_PORT: 1, ADMIN_PORT: 2 });
  });

  it('names the variable the user set when its value is bad', () => {
    expect(() => load('certs', { CERTS_ADMIN_PORT: 'eighty' })).toThrow(/invalid CERTS_ADMIN_PORT: "eighty" is not an integer/);
  });
});

describe('env.encryptionKey', () => {
  const spec = { KEY: env.encryptionKey() };
  it('parses base64 and hex 32-byte keys, and is undefined when unset', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig(spec, { KEY: key.toString('base64') }).KEY).toEqual(key);
    expect(loadConfig(spec, { KEY: key.toString('hex') }).KEY).toEqual(key);
    expect(loadConfig(spec, {}).KEY).toBeUndefined();
  });

  it('refuses a key of the wrong length with an error naming the variable', () => {
    expect(() => loadConfig(spec, { KEY: Buffer.alloc(16).toString('base64') })).toThrow(ConfigError);
    expect(() => loadConfig(spec, { KEY: 'short' })).toThrow(/^invalid KEY: /);
  });
});

describe('secrets from files, and published demo secrets refused', () => {
  it('fills a variable from <NAME>_FILE, the value set directly winning', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'gh-secret-file-'));
    try {
      await writeFile(join(dir, 'admin-token'), 'from-a-file-0123456789\n');
      expect(load('xds', { ADMIN_TOKEN_FILE: join(dir, 'admin-token') }).ADMIN_TOKEN).toBe('from-a-file-0123456789');
      expect(load('xds', { ADMIN_TOKEN_FILE: join(dir, 'admin-token'), ADMIN_TOKEN: 'set-directly' }).ADMIN_TOKEN).toBe('set-directly');
      expect(() => load('xds', { ADMIN_TOKEN_FILE: join(dir, 'missing') })).toThrow(/^invalid ADMIN_TOKEN_FILE: cannot read .*missing: ENOENT/);
      // Only declared variables are looked up: the machine's own *_FILE variables are none of ours.
      expect(load('xds', { TF_CLI_CONFIG_FILE: join(dir, 'missing') }).ADMIN_TOKEN).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses the demo secrets once published in docker-compose.yml and the k8s manifests, unless GATEHOUSE_DEMO', () => {
    expect(() => load('xds', { ADMIN_TOKEN: 'gatehouse-demo-admin-token' })).toThrow(/^invalid ADMIN_TOKEN: is a published demo value/);
    // A service's own secret variables (xds and certs declare the key, authz the cookie secret) likewise.
    const serviceSpecs = { ...commonEnv({ grpcPort: 1, adminPort: 2 }), CERTS_ENCRYPTION_KEY: env.encryptionKey(), AUTHZ_COOKIE_SECRET: env.optionalString() };
    expect(() => loadConfig(serviceSpecs, { CERTS_ENCRYPTION_KEY: 'ZGVtby1vbmx5LWtleS1uZXZlci11c2UtaXQtbGl2ZSE=' })).toThrow(/^invalid CERTS_ENCRYPTION_KEY: is a published demo value/);
    expect(() => loadConfig(serviceSpecs, { AUTHZ_COOKIE_SECRET: 'demo-only-cookie-secret-change-me-0123456789' })).toThrow(/^invalid AUTHZ_COOKIE_SECRET:/);
    expect(() => load('xds', { ADMIN_TOKEN: 'change-me' })).toThrow(ConfigError);
    expect(load('xds', { ADMIN_TOKEN: 'gatehouse-demo-admin-token', GATEHOUSE_DEMO: 'true' }).ADMIN_TOKEN).toBe('gatehouse-demo-admin-token');
  });
});
