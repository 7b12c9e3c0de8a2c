// Runs a built Gatehouse service (`node services/<name>/dist/main.js`) on free ports and waits until
// its admin /readyz says it is ready; output is kept for failure messages.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { freePort, retryOnPortClash } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { waitFor } from './wait-for.js';

/** The repository root: this file lives in e2e/harness (source) or e2e/dist (built). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StartServiceOptions {
  /** Where `services/<name>/dist/main.js` is found. Default: the repository root. */
  rootDir?: string;
  /** Path polled on the admin port until it answers 200. Default '/readyz'. */
  readyPath?: string;
  /** Default 20 000. */
  readyTimeoutMs?: number;
}

export interface ServiceHandle {
  readonly name: string;
  readonly grpcPort: number;
  readonly adminPort: number;
  /** http://127.0.0.1:<admin port> */
  readonly adminUrl: string;
  /** 127.0.0.1:<grpc port>, for grpc-js clients. */
  readonly grpcAddress: string;
  /** The ADMIN_TOKEN the service was started with (for non-GET admin routes). */
  readonly adminToken: string;
  readonly process: ManagedProcess;
  /** stdout+stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a service. GRPC_PORT and ADMIN_PORT are picked free unless `env` sets them; BIND_HOST defaults to
 * 127.0.0.1 and ADMIN_TOKEN to a fixed test token. gRPC runs in plaintext (GATEHOUSE_INSECURE_PLAINTEXT) unless
 * `env` gives TLS_CERT_FILE. Everything else (REDIS_URL, config paths) comes from `env`.
 */
export function startService(
  name: string,
  env: Readonly<Record<string, string>> = {},
  options: StartServiceOptions = {},
): Promise<ServiceHandle> {
  // Only ports picked here can be picked again; ports fixed by the caller's env clash for good.
  const portsFixed = env.GRPC_PORT !== undefined && env.ADMIN_PORT !== undefined;
  return retryOnPortClash(() => startServiceOnce(name, env, options), portsFixed ? 1 : 3);
}

async function startServiceOnce(
  name: string,
  env: Readonly<Record<string, string>>,
  options: StartServiceOptions,
): Promise<ServiceHandle> {
  const rootDir = options.rootDir ?? repoRoot;
  const main = join(rootDir, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist; run \`pnpm build\` first`);
  const grpcPort = env.GRPC_PORT ? Number(env.GRPC_PORT) : await freePort();
  const adminPort = env.ADMIN_PORT ? Number(env.ADMIN_PORT) : await freePort();
  const adminToken = env.ADMIN_TOKEN ?? 'e2e-admin-token';
  const fullEnv = {
    BIND_HOST: '127.0.0.1',
    // This test process's control key, so tests can seal and open what the services exchange in Redis.
    GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
    ...(env.TLS_CERT_FILE === undefined && { GATEHOUSE_INSECURE_PLAINTEXT: 'true' }),
    ...env,
    GRPC_PORT: String(grpcPort),
    ADMIN_PORT: String(adminPort),
    ADMIN_TOKEN: adminToken,
  };
  const proc = new ManagedProcess({
    name: `service ${name}`,
    command: process.execPath,
    args: [main],
    cwd: rootDir,
    env: fullEnv,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const readyUrl = `${adminUrl}${options.readyPath ?? '/readyz'}`;
  try {
    await waitFor(
      async () => {
        proc.assertRunning();
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_000) });
        await response.body?.cancel();
        return response.status === 200;
      },
      { timeoutMs: options.readyTimeoutMs ?? 20_000, intervalMs: 100, description: `${readyUrl} to answer 200` },
    );
  } catch (err) {
    await proc.stop();
    throw new Error(proc.describeFailure(err instanceof Error ? err.message : String(err)), { cause: err });
  }
  return {
    name,
    grpcPort,
    adminPort,
    adminUrl,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    adminToken,
    process: proc,
    output: () => proc.recentOutput,
    stop: () => proc.stop(),
  };
}
