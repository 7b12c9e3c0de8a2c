import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

// Runs against the built harness (e2e/dist), like the services do: `pnpm build` first.
const harnessEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('exit registry', () => {
  it.each(['exit', 'SIGTERM'])('kills a redis-server the test process never stopped and removes its data dir (%s)', async (how) => {
    const script = `
      const { startRedis } = await import(${JSON.stringify(harnessEntry)});
      const redis = await startRedis();
      console.log(redis.port, redis.dataDir);
      ${how === 'exit' ? 'process.exit(0);' : "process.kill(process.pid, 'SIGTERM');"}`;
    let stdout = '';
    try {
      stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    } catch (err) {
      // Killed by the re-raised SIGTERM: still printed the port.
      stdout = String((err as { stdout?: string }).stdout ?? '');
    }
    const [portText = '', dataDir = ''] = stdout.trim().split(' ');
    const port = Number(portText);
    expect(port).toBeGreaterThan(0);
    await waitFor(async () => !(await accepts(port)), { timeoutMs: 5_000, description: `port ${port} to close` });
    expect(dataDir).toMatch(/gatehouse-redis-/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
