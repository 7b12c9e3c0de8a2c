// Random free TCP ports: ask the kernel for an ephemeral port, then release it for the caller.
import { createServer } from 'node:net';

/** Returns a TCP port that was free on `host` a moment ago (the kernel picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the port the kernel picked'))));
    });
  });
}

/** Several distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

const PORT_CLASH = /address already in use|EADDRINUSE/i;

/**
 * Runs `start` again (with fresh ports, as `start` picks them) when it failed because a port picked free was
 * taken in the meantime by another test worker. Any other failure is rethrown at once.
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !(err instanceof Error) || !PORT_CLASH.test(err.message)) throw err;
    }
  }
}
