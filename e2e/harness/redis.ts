// A real redis-server for one test file: random port, temp data dir, and outage drills
// (kill or stop, then restart on the same port with the same data).
import { createConnection } from 'node:net';
import { requireBinary } from './binaries.js';
import { makeTempDir, removeTempDir } from './exit-registry.js';
import { freePort, retryOnPortClash } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { waitFor } from './wait-for.js';

export interface StartRedisOptions {
  /** Append-only persistence, so a restart keeps the data (outage drills). Default false. */
  appendOnly?: boolean;
  /** Extra `redis-server` arguments, e.g. ['--maxmemory', '10mb']. */
  extraArgs?: readonly string[];
  /** Milliseconds to wait for PONG. Default 10 000. */
  readyTimeoutMs?: number;
}

export interface RedisHandle {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly dataDir: string;
  readonly running: boolean;
  /** SHUTDOWN-like graceful stop (SIGTERM); the data dir stays for `restart()`. */
  stopServer(): Promise<void>;
  /** SIGKILL: a crash. The data dir stays for `restart()`. */
  kill(): Promise<void>;
  /** SIGSTOP: Redis hangs with its connections open (clients see timeouts, not refusals). */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Starts redis-server again on the same port with the same data dir; waits for PONG. */
  restart(): Promise<void>;
  /** Stops the server for good and removes the data dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Output of the current redis-server process, for failure messages. */
  recentOutput(): string;
}

export function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  return retryOnPortClash(() => startRedisOnce(options));
}

async function startRedisOnce(options: StartRedisOptions): Promise<RedisHandle> {
  const binary = requireBinary('redis-server');
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dataDir = makeTempDir('gatehouse-redis-');
  const args = [
    '--port', String(port),
    '--bind', host,
    '--dir', dataDir,
    '--save', '',
    '--appendonly', options.appendOnly ? 'yes' : 'no',
    // fsync every write: a SIGKILL drill must not lose what the test just wrote.
    ...(options.appendOnly ? ['--appendfsync', 'always'] : []),
    '--daemonize', 'no',
    '--protected-mode', 'no',
    ...(options.extraArgs ?? []),
  ];
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;

  let current: ManagedProcess | undefined;
  let removed = false;

  async function launch(): Promise<void> {
    const proc = new ManagedProcess({ name: `redis-server :${port}`, command: binary, args, cwd: dataDir });
    current = proc;
    try {
      await waitFor(
        async () => {
          proc.assertRunning();
          return (await ping(host, port)) === 'PONG';
        },
        { timeoutMs: readyTimeoutMs, description: `redis-server on port ${port} to answer PING` },
      );
    } catch (err) {
      await proc.kill();
      throw new Error(proc.describeFailure(err instanceof Error ? err.message : String(err)), { cause: err });
    }
  }

  await launch().catch((err: unknown) => {
    removeTempDir(dataDir);
    throw err;
  });

  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    dataDir,
    get running() {
      return current?.running ?? false;
    },
    stopServer: async () => current?.stop(),
    kill: async () => current?.kill(),
    pause: () => current?.pause(),
    resume: () => current?.resume(),
    async restart() {
      if (removed) throw new Error(`redis-server :${port} was stopped for good; start a new one`);
      await current?.stop();
      await launch();
    },
    async stop() {
      removed = true;
      await current?.stop();
      removeTempDir(dataDir);
    },
    recentOutput: () => current?.recentOutput ?? '',
  };
}

/** One PING over a raw socket (no client library needed for readiness). Resolves the reply line. */
function ping(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy(new Error('PING timed out')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        // "+PONG" when up, "-LOADING ..." while the AOF is being replayed.
        resolve(reply.slice(1, end));
      }
    });
  });
}
