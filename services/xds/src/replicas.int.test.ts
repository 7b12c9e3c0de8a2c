// Two xds replicas on one Redis: a resource applied through one replica's admin API is served by
// both, with the same versions (so an Envoy moving between replicas reloads nothing).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startService, waitFor, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';

let redis: RedisHandle;
const replicas: ServiceHandle[] = [];

beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 2; i++) replicas.push(await startService('xds', { REDIS_URL: redis.url, XDS_DEBOUNCE_MS: '10' }));
});
afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await redis?.stop();
});

async function versions(replica: ServiceHandle): Promise<Record<string, string>> {
  const status = (await (await fetch(`${replica.adminUrl}/status`)).json()) as { nodeClusters: Record<string, string> };
  return status.nodeClusters;
}

describe('xds replicas', () => {
  it('serve what was applied through either one, with identical versions', async () => {
    const [a, b] = replicas as [ServiceHandle, ServiceHandle];
    const yaml = await readFile(new URL('../testdata/end-to-end/httproute-basic.in.yaml', import.meta.url), 'utf8');
    const put = await fetch(`${a.adminUrl}/resources`, { method: 'PUT', headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'application/yaml' }, body: yaml });
    expect(put.status).toBe(200);
    const onB = await waitFor(async () => (await versions(b))['default/web']);
    expect((await versions(a))['default/web']).toBe(onB);

    const del = await fetch(`${b.adminUrl}/resources/Gateway/default/web`, { method: 'DELETE', headers: { authorization: `Bearer ${b.adminToken}` } });
    expect(del.status).toBe(200);
    await waitFor(async () => (await versions(a))['default/web'] === undefined, { description: 'replica A to drop the Gateway deleted through replica B' });
  });
});
