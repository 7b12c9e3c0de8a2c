// Journey: Backend fallback (active-passive failover). xds serves one failover cluster whose load
// assignment has the primary at priority 0 and the standby at priority 1; the emulated Envoy balances
// by priority with outlier detection (e2e/harness/envoy/priority-failover.ts). The primary is down: the
// first request fails on it (503, and the passive health check ejects it), the next ones are answered
// by the real standby upstream.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, freePort, startGateway, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';
import { OutlierState, pickByPriority } from '../harness/envoy/priority-failover.js';
import { httpForward } from '../harness/envoy/upstream-forward.js';

let standby: Server;
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  const primaryPort = await freePort(); // nothing listens there: the primary is down
  const standbyPort = await freePort();
  standby = createServer((req, res) => res.end(JSON.stringify({ backend: 'standby', path: req.url })));
  await new Promise<void>((resolve) => standby.listen(standbyPort, '127.0.0.1', resolve));
  config = await copyConfigFolder(join(import.meta.dirname, 'backend-fallback'), { PRIMARY_PORT: String(primaryPort), STANDBY_PORT: String(standbyPort) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', services: ['xds'] });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise((resolve) => standby?.close(resolve));
});

describe('a fallback Backend', () => {
  it('answers once the primary fails and is ejected', async () => {
    const snapshot = await gw.snapshot();
    const routed = await gw.request(8080, { path: '/orders/1' }, snapshot);
    const cluster = routed.upstream?.cluster ?? '';
    expect(cluster).toMatch(/^failover\/default\/primary\+default\/standby/);
    const priorities = (snapshot.endpoints.find((e) => e.cluster_name === cluster)?.endpoints ?? []).map((l) => (l as { priority?: number }).priority ?? 0);
    expect(priorities).toEqual([0, 1]);

    const outliers = new OutlierState();
    const answers: Array<{ status: number; body: string }> = [];
    for (let i = 0; i < 3; i++) {
      const endpoint = pickByPriority(snapshot, cluster, outliers)!;
      const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
      try {
        const answer = await httpForward({ host, port }, { method: 'GET', path: '/orders/1', headers: routed.upstream?.headers ?? {} });
        outliers.record(snapshot, cluster, endpoint, answer.status >= 500);
        answers.push({ status: answer.status, body: answer.body });
      } catch {
        // Envoy answers a connection failure with 503 and counts it against the endpoint.
        outliers.record(snapshot, cluster, endpoint, true);
        answers.push({ status: 503, body: 'upstream connect error' });
      }
    }
    expect(answers[0]!.status).toBe(503);
    for (const answer of answers.slice(1)) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ backend: 'standby', path: '/orders/1' });
    }
  });
});
