// A throwaway redis-server on a free port (until e2e/harness startRedis lands on main).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitFor } from './processes.js';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Stops and starts the same server again (data kept when `persist` was set). */
  restart(): Promise<void>;
}

function ping(port: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(undefined));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG') ? true : undefined);
    });
  });
}

export async function startRedis(options: { persist?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...(options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'])];
  let proc = startProcess('redis-server', args);
  await waitFor('redis-server', () => ping(port), 10_000, () => proc.output());
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await proc.stop();
      proc = startProcess('redis-server', args);
      await waitFor('redis-server restart', () => ping(port), 10_000, () => proc.output());
    },
  };
}
