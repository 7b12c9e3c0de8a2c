import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../free-port.js';
import { startRedis } from '../redis.js';
import { repoRoot, startService } from '../service.js';

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment: Record<string, string> }>;
};

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
  return { ...env, REDIS_URL: redisUrl };
}

describe('docker-compose.yml environment', () => {
  it.each(['xds', 'certs', 'authz', 'ratelimit'])('starts %s natively with the compose environment and a real Redis', async (name) => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const service = await startService(name, nativeEnvironment(name, redis.url, await freePort()));
    onTestFinished(() => service.stop());
    const ready = (await (await fetch(`${service.adminUrl}/readyz`)).json()) as { checks?: Record<string, boolean> };
    expect(ready.checks?.redis).toBe(true);
  });
});
