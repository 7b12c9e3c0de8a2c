import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { connectRedis } from '@gatehouse/kit';
import { freePort } from '../free-port.js';
import { startRedis } from '../redis.js';
import { repoRoot, startService } from '../service.js';

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment: Record<string, string>; command?: string[] }>;
};

/** Runs the compose `secrets` one-shot's script against a temp folder (in place of the volume), as `up` does. */
function generateSecrets(dir: string): void {
  const script = compose.services.secrets!.command![0]!.replaceAll('$$', '$').replace('cd /secrets', `cd ${dir}`);
  execFileSync('sh', ['-c', script]);
}
const secretsDir = mkdtempSync(join(tmpdir(), 'gh-compose-secrets-'));
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

/** The service's compose environment as it would run natively: `${VAR:-default}` resolved to the default. */
function nativeEnvironment(name: string, redisUrl: string, httpPort: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(compose.services[name]?.environment ?? {})) {
    env[key] = String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
  }
  // What only makes sense inside the compose network: container paths, service host names, fixed ports.
  delete env.GRPC_PORT;
  delete env.ADMIN_PORT;
  delete env.BIND_HOST;
  for (const key of ['GATEWAY_CONFIG_PATH', 'CERTS_CONFIG_PATH'] as const) {
    if (env[key] === '/etc/gatehouse/gateway') env[key] = join(repoRoot, 'deploy', 'examples');
  }
  if (env.HTTP_PORT) env.HTTP_PORT = String(httpPort);
  for (const [key, value] of Object.entries(env)) if (key.endsWith('_FILE')) env[key] = value.replace('/run/gatehouse', secretsDir);
  return { ...env, REDIS_URL: redisUrl };
}

describe('docker-compose.yml secrets', () => {
  it('generates each secret once per install: 32 random bytes, readable only by the services\' user', () => {
    generateSecrets(secretsDir);
    const read = (name: string) => readFileSync(join(secretsDir, name), 'utf8').trim();
    const names = ['admin-token', 'encryption-key', 'cookie-secret', 'redis-password', 'control-key'];
    const first = names.map(read);
    // 32 random bytes as 64 hex digits (a valid CERTS_ENCRYPTION_KEY too).
    for (const [i, value] of first.entries()) expect(value, names[i]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(first).size).toBe(names.length);
    expect(statSync(join(secretsDir, 'admin-token')).mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) expect(statSync(join(secretsDir, 'admin-token')).uid).toBe(1000);
    generateSecrets(secretsDir); // a second `up` keeps them
    expect(names.map(read)).toEqual(first);
  });
});

describe('docker-compose.yml environment', () => {
  beforeAll(() => generateSecrets(secretsDir));
  it.each(['xds', 'certs', 'authz', 'ratelimit'])('starts %s natively with the compose environment and a real Redis', async (name) => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    // As compose's Redis: the generated password required (redis.conf), which the services read from their file.
    const requirepass = /^requirepass (\S+)$/m.exec(readFileSync(join(secretsDir, 'redis.conf'), 'utf8'))![1]!;
    expect(requirepass).toBe(readFileSync(join(secretsDir, 'redis-password'), 'utf8').trim());
    const admin = connectRedis(redis.url);
    await admin.config('SET', 'requirepass', requirepass);
    admin.disconnect();
    const service = await startService(name, nativeEnvironment(name, redis.url, await freePort()));
    onTestFinished(() => service.stop());
    const ready = (await (await fetch(`${service.adminUrl}/readyz`)).json()) as { checks?: Record<string, boolean> };
    expect(ready.checks?.redis).toBe(true);
  });
});
