// The real demo upstream (deploy/demo-upstream/server.mjs, the echo server compose runs) on a free port,
// started and awaited the same way by every spec that sends requests through to it.
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { repoRoot } from './service.js';
import { waitFor } from './wait-for.js';

export interface DemoUpstreamHandle {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the demo upstream and resolves once it answers /healthz. */
export async function startDemoUpstream(): Promise<DemoUpstreamHandle> {
  const port = await freePort();
  const server = new ManagedProcess({ name: 'demo-upstream', command: process.execPath, args: [join(repoRoot, 'deploy', 'demo-upstream', 'server.mjs')], env: { PORT: String(port) } });
  await waitFor(
    async () => {
      server.assertRunning();
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    },
    { description: 'the demo upstream to answer /healthz' },
  );
  return { port, stop: () => server.stop() };
}
