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
