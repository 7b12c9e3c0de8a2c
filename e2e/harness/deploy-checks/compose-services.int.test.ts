import { execFileSync, spawnSync } from 'node:child_process';
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
  services: Record<string, { environment: Record<string, string>; command?: string[]; cap_add?: string[] }>;
};

/** Runs the compose `secrets` one-shot's script against a temp folder (in place of the volume), as `up` does. */
function generateSecrets(dir: string): void {
  const script = compose.services.secrets!.command![0]!.replaceAll('$$', '$').replace('cd /secrets', `cd ${dir}`);
  execFileSync('sh', ['-c', script]);
}
const secretsDir = mkdtempSync(join(tmpdir(), 'gh-compose-secrets-'));
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

/**
 * Runs the compose `pki` one-shot's script against a temp folder (in place of the volume), the CLI from
 * this checkout. Handing keys to their users (chown) needs root; elsewhere only `pki init` runs.
 */
function generatePki(dir: string): void {
  const pki = compose.services.pki as unknown as { command: string[]; cap_add?: string[] };
  const script = pki.command[0]!.replaceAll('/pki', dir).replace('node services/cli/dist/main.js', `"${process.execPath}" "${join(repoRoot, 'packages', 'cli', 'dist', 'main.js')}"`);
  if (process.getuid?.() !== 0) return void execFileSync('sh', ['-c', script.split(' &&')[0]!]);
  // As root with only the capabilities compose gives the container (cap_drop ALL, then cap_add), when
  // setpriv (util-linux) can say so: a second run must still read the keys the first one handed over.
  const caps = (pki.cap_add ?? []).map((c) => `+${c.toLowerCase()}`).join(',');
  const setpriv = spawnSync('setpriv', ['--version']).status === 0;
  execFileSync(setpriv ? 'setpriv' : 'sh', setpriv ? [`--bounding-set=-all${caps ? `,${caps}` : ''}`, 'sh', '-c', script] : ['-c', script]);
}
const pkiDir = mkdtempSync(join(tmpdir(), 'gh-compose-pki-'));
afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

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
  for (const [key, value] of Object.entries(env)) if (key.endsWith('_FILE')) env[key] = value.replace('/run/gatehouse', secretsDir).replace('/etc/gatehouse/pki', pkiDir);
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

/** The `user` lines of the generated redis.conf. */
function composeRedisUsers(): string[] {
  return readFileSync(join(secretsDir, 'redis.conf'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('user '));
}

/** Applies them to a test Redis as redis.conf would, the default user's last (it is the one this connection uses). */
async function applyComposeRedisUsers(url: string): Promise<void> {
  const admin = connectRedis(url);
  const users = composeRedisUsers();
  for (const line of [...users.filter((l) => !l.startsWith('user default ')), ...users.filter((l) => l.startsWith('user default '))]) {
    await admin.call('ACL', 'SETUSER', ...line.split(' ').slice(1));
  }
  admin.disconnect();
}

describe('docker-compose.yml pki', () => {
  it('writes the CA and a certificate per service and for the example Gateway, each file the compose environment names', () => {
    generatePki(pkiDir);
    for (const name of ['xds', 'certs', 'authz', 'ratelimit']) {
      const env = compose.services[name]!.environment;
      for (const key of ['TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CA_FILE']) expect(statSync(env[key]!.replace('/etc/gatehouse/pki', pkiDir)).isFile(), `${name} ${key}`).toBe(true);
      expect(statSync(join(pkiDir, `${name}.key`)).mode & 0o777).toBe(0o600);
      if (process.getuid?.() === 0) expect(statSync(join(pkiDir, `${name}.key`)).uid, `${name}.key owner`).toBe(1000);
    }
    expect(statSync(join(pkiDir, 'envoy-default-gateway.crt')).isFile()).toBe(true);
    // Envoy's image runs as the envoy user (101); the CA key stays root's.
    if (process.getuid?.() === 0) expect(statSync(join(pkiDir, 'envoy-default-gateway.key')).uid).toBe(101);
    if (process.getuid?.() === 0) expect(statSync(join(pkiDir, 'ca.key')).uid).toBe(0);
    const ca = readFileSync(join(pkiDir, 'ca.crt'), 'utf8');
    generatePki(pkiDir); // a second `up` keeps the CA
    expect(readFileSync(join(pkiDir, 'ca.crt'), 'utf8')).toBe(ca);
  });
});

describe('docker-compose.yml environment', () => {
  beforeAll(() => {
    generateSecrets(secretsDir);
    generatePki(pkiDir);
  });
  it.each(['xds', 'certs', 'authz', 'ratelimit'])('starts %s natively with the compose environment and a real Redis', async (name) => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    // As compose's Redis: the ACL users of the generated redis.conf (default off; the services' user with its
    // generated password and no admin or dangerous command), which the services log in as.
    expect(composeRedisUsers().join('\n')).toContain(`>${readFileSync(join(secretsDir, 'redis-password'), 'utf8').trim()} `);
    await applyComposeRedisUsers(redis.url);
    const service = await startService(name, nativeEnvironment(name, redis.url, await freePort()));
    onTestFinished(() => service.stop());
    const ready = (await (await fetch(`${service.adminUrl}/readyz`)).json()) as { checks?: Record<string, boolean> };
    expect(ready.checks?.redis).toBe(true);
  });

  it("keeps Redis's admin commands from the services' user, and the default user off", async () => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    await applyComposeRedisUsers(redis.url);
    const password = readFileSync(join(secretsDir, 'redis-password'), 'utf8').trim();
    const asService = connectRedis(redis.url.replace('redis://', `redis://gatehouse:${password}@`));
    onTestFinished(() => asService.disconnect());
    expect(await asService.ping()).toBe('PONG');
    for (const command of [['CONFIG', 'GET', 'dir'], ['FLUSHALL'], ['KEYS', '*'], ['ACL', 'LIST'], ['SAVE'], ['REPLICAOF', 'NO', 'ONE'], ['MONITOR']]) {
      await expect(asService.call(command[0]!, ...command.slice(1)), command.join(' ')).rejects.toThrow(/NOPERM/);
    }
    const anonymous = connectRedis(redis.url);
    onTestFinished(() => anonymous.disconnect());
    await expect(anonymous.ping()).rejects.toThrow(/NOAUTH|WRONGPASS|disabled/i);
  });
});
