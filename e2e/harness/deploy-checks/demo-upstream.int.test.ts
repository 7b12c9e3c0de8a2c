import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../free-port.js';
import { ManagedProcess } from '../managed-process.js';
import { repoRoot } from '../service.js';
import { waitFor } from '../wait-for.js';

describe('deploy/demo-upstream', () => {
  it('echoes the request it received as JSON', async () => {
    const port = await freePort();
    const server = new ManagedProcess({
      name: 'demo-upstream',
      command: process.execPath,
      args: [join(repoRoot, 'deploy', 'demo-upstream', 'server.mjs')],
      env: { PORT: String(port) },
    });
    onTestFinished(() => server.stop());
    await waitFor(
      async () => {
        server.assertRunning();
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      },
      { description: 'the demo upstream to answer /healthz' },
    );
    const response = await fetch(`http://127.0.0.1:${port}/api/items?x=1`, {
      method: 'POST',
      headers: { 'x-test': 'yes' },
      body: 'abc',
    });
    expect(await response.json()).toMatchObject({
      method: 'POST',
      path: '/api/items?x=1',
      headers: { 'x-test': 'yes' },
      bodyBytes: 3,
    });
  });
});
