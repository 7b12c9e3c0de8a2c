// Security: what a client without credentials can make xds hold through ADS. A NACK's message is kept
// to its first KiB (and the registry to its last 100 NACKs), and a discovery request over 4 MiB ends
// its stream with RESOURCE_EXHAUSTED before it is decoded. Through the service, read back via /nacks.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import { startRedis, waitFor, type RedisHandle } from '@gatehouse/e2e';
import { MAX_DISCOVERY_REQUEST_BYTES } from './adapters/ads-server.js';
import { NACK_MESSAGE_MAX_CHARS, type NackRecord } from './core/server/index.js';
import { openDeltaStream, openSotwStream, resourceNames } from './testing/raw-ads-client.js';
import { startXdsInProcess, type XdsInProcess } from './testing/in-process.js';

const NODE_CLUSTER = 'default/web';
let dir: string;
let redis: RedisHandle;
let xds: XdsInProcess;
let address: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-xds-ads-limits-'));
  await writeFile(join(dir, 'gateway.yaml'), await readFile(new URL('../testdata/end-to-end/httproute-basic.in.yaml', import.meta.url), 'utf8'));
  redis = await startRedis();
  xds = await startXdsInProcess({ REDIS_URL: redis.url, GATEWAY_CONFIG_PATH: dir });
  address = `127.0.0.1:${xds.service.grpcPort}`;
});
afterAll(async () => {
  await xds?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function firstClusters(nodeId: string) {
  const stream = openSotwStream(address);
  stream.send({ node: { id: nodeId, cluster: NODE_CLUSTER }, type_url: TypeUrls.cluster });
  const response = await stream.responses.next(10_000);
  return { stream, response };
}

describe('ADS resource bounds', () => {
  it('keeps only the first KiB of an oversize NACK message and of the node id', async () => {
    const { stream, response } = await firstClusters(`envoy-${'n'.repeat(64 * 1024)}`);
    expect(resourceNames(response).length).toBeGreaterThan(0);
    const message = `cluster backend: ${'x'.repeat(3 * 1024 * 1024)}`;
    stream.send({ type_url: TypeUrls.cluster, response_nonce: response.nonce, error_detail: { code: 3, message } });
    const nack = await waitFor(async () => (await xds.get<{ nacks: NackRecord[] }>('/nacks')).nacks.find((n) => n.node.id.startsWith('envoy-nnn')), { description: 'the NACK in /nacks' });
    stream.close();
    expect(nack.errorMessage.startsWith(message.slice(0, NACK_MESSAGE_MAX_CHARS))).toBe(true);
    expect(nack.errorMessage.length).toBeLessThan(NACK_MESSAGE_MAX_CHARS + 100);
    expect(nack.errorMessage).toContain('more characters dropped');
    expect(nack.node.id.length).toBeLessThan(1024);
  });

  it('ends a SotW or delta stream whose discovery request is over 4 MiB with RESOURCE_EXHAUSTED, and keeps serving others', async () => {
    const { stream, response } = await firstClusters('envoy-oversize');
    const message = 'y'.repeat(MAX_DISCOVERY_REQUEST_BYTES + 1024);
    stream.send({ type_url: TypeUrls.cluster, response_nonce: response.nonce, error_detail: { code: 3, message } });
    await expect(stream.responses.next(10_000)).rejects.toThrow(/RESOURCE_EXHAUSTED.*GH_XDS_REQUEST_TOO_LARGE/);
    stream.close();
    expect((await xds.get<{ nacks: NackRecord[] }>('/nacks')).nacks.some((n) => n.node.id === 'envoy-oversize')).toBe(false);
    const delta = openDeltaStream(address);
    delta.send({ node: { id: 'envoy-oversize-delta', cluster: NODE_CLUSTER }, type_url: TypeUrls.cluster, resource_names_subscribe: [message] });
    await expect(delta.responses.next(10_000)).rejects.toThrow(/RESOURCE_EXHAUSTED.*GH_XDS_REQUEST_TOO_LARGE/);
    delta.close();
    const other = await firstClusters('envoy-after');
    expect(resourceNames(other.response).length).toBeGreaterThan(0);
    other.stream.close();
  });
});
