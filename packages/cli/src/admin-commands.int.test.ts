// The admin-API commands against a real xds service (built) and a real Redis.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startService, waitFor, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const BASIC = fileURLToPath(new URL('../../../services/xds/testdata/end-to-end/httproute-basic.in.yaml', import.meta.url));
let dir: string;
let redis: RedisHandle;
let xds: ServiceHandle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-admin-'));
  await writeFile(join(dir, 'gw.yaml'), await readFile(BASIC, 'utf8'));
  redis = await startRedis();
  xds = await startService('xds', { REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir, XDS_DEBOUNCE_MS: '10' });
});
afterAll(async () => {
  await xds?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { GATEHOUSE_ADMIN_URL: xds.adminUrl, GATEHOUSE_ADMIN_TOKEN: xds.adminToken },
    fetch: (...args) => fetch(...args),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('gatehouse admin commands', () => {
  it('apply, get, dry-run, status and delete against the xds admin API', async () => {
    const override = join(dir, '..', `${Math.random()}-backend.yaml`);
    await writeFile(override, (await readFile(BASIC, 'utf8')).split('---').at(-1)!.replace('port: 3000', 'port: 3456'));

    const dry = await run('dry-run', '-f', override, '--output', 'json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ diff: { 'default/web': { endpoints: { changed: [{ name: expect.any(String) }] } } } });

    expect(await run('apply', '-f', override)).toMatchObject({ code: 0, stdout: 'Backend/default/api applied\n' });
    await waitFor(async () => (await run('get', 'config', '--node-cluster', 'default/web', '--output', 'json')).stdout.includes('3456'), { description: 'the applied Backend to be served' });
    expect((await run('get', 'resources')).stdout).toContain('Backend/default/api');

    const status = await run('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/gateway default\/web: version [0-9a-f]{16}, 0 proxy stream\(s\)/);

    expect(await run('delete', 'Backend/default/api')).toMatchObject({ code: 0, stdout: 'Backend/default/api deleted\n' });
    await waitFor(async () => (await run('get', 'config', '--output', 'json')).stdout.includes('"port_value": 3000'), { description: 'the file version to be served again' });
    await rm(override);
  });

  it('shows refused writes with the server error', async () => {
    const r = await run('delete', 'Backend/default/missing');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GH_XDS_RESOURCE_NOT_FOUND');
  });

  it('names an unreachable server', async () => {
    let stderr = '';
    const code = await runCli(['status', '--server', 'http://127.0.0.1:1'], { stdout: () => undefined, stderr: (t) => (stderr += t), env: {}, fetch: (...a) => fetch(...a) });
    expect(code).toBe(1);
    expect(stderr).toContain('GH_CLI_ADMIN_UNREACHABLE');
  });
});
