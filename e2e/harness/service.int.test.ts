import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startService } from './service.js';

const rootDir = fileURLToPath(new URL('./testdata/fake-service', import.meta.url));

describe('startService', () => {
  it('starts node services/<name>/dist/main.js with the env and free ports, and waits for /readyz', async () => {
    const service = await startService('fake', { GREETING: 'hello', READY_AFTER_MS: '300' }, { rootDir });
    onTestFinished(() => service.stop());
    expect((await fetch(`${service.adminUrl}/readyz`)).status).toBe(200);
    await service.process.waitForOutput(new RegExp(`GRPC_PORT=${service.grpcPort} BIND_HOST=127\\.0\\.0\\.1 GREETING=hello`));

    await service.stop();
    expect(service.process.running).toBe(false);
    expect(service.output()).toContain('SIGTERM, shutting down');
  });

  it('fails with the service output when it exits before it is ready', async () => {
    await expect(startService('fake', { FAIL_AT_START: '1' }, { rootDir })).rejects.toThrow(
      /exited with code 3[\s\S]*refusing to start/,
    );
  });

  it('tells to build first when the service was not built', async () => {
    await expect(startService('missing', {}, { rootDir })).rejects.toThrow(/pnpm build/);
  });
});
