// The built service (node services/certs/dist/main.js) is SIGKILLed in the middle of an order; a
// second process finishes the same order. Needs `pnpm build`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPebble, startRedis, startService, type PebbleHandle, type RedisHandle, type ServiceHandle } from '@gatehouse/e2e';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeStandIn, type AcmeStandIn } from './testing/acme-stand-in.js';
import { eventually, listen } from './testing/certs-fixture.js';

describe('the certs process is killed (SIGKILL) in the middle of an order', () => {
  let redis: RedisHandle;
  let pebble: PebbleHandle;
  let standIn: AcmeStandIn;
  let webhook: Server;
  let dir: string;
  const held: ServerResponse[] = [];
  let holdPresents = true;
  let presented!: () => void;
  const firstPresent = new Promise<void>((resolve) => (presented = resolve));
  const services: ServiceHandle[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    pebble = await startPebble();
    standIn = await startAcmeStandIn(pebble);
    webhook = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        if (req.url === '/present' && holdPresents) {
          held.push(res);
          presented();
          return;
        }
        await fetch(`${pebble.challtestsrvUrl}${req.url === '/present' ? '/set-txt' : '/clear-txt'}`, { method: 'POST', body });
        res.end('ok');
      });
    });
    await listen(webhook, await freePort());
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-restart-'));
    const port = (webhook.address() as { port: number }).port;
    writeFileSync(
      join(dir, 'certs.yaml'),
      `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: { name: pebble }
spec:
  acme:
    server: ${standIn.directoryUrl}
    privateKeySecretRef: { name: account }
    solvers:
      - dns01:
          webhook:
            groupName: acme.gatehouse.dev
            solverName: http
            config: { presentUrl: "http://127.0.0.1:${port}/present", cleanupUrl: "http://127.0.0.1:${port}/cleanup" }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: survivor, namespace: default }
spec:
  secretName: survivor-tls
  dnsNames: [survivor.example.test]
  issuerRef: { name: pebble, kind: ClusterIssuer }
`,
    );
    writeFileSync(join(dir, 'ca.pem'), [pebble.caBundlePem, pebble.issuingRootPem, standIn.caPem].join('\n'));
  });

  afterAll(async () => {
    for (const s of services) await s.stop();
    for (const res of held) res.destroy();
    webhook?.close();
    standIn?.close();
    await pebble?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the same order in the next process: one newOrder, one certificate', async () => {
    const env = {
      REDIS_URL: redis.url,
      HTTP_PORT: '0',
      CERTS_CONFIG_PATH: dir,
      ACME_CA_CERTS: join(dir, 'ca.pem'),
      CERTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CERTS_DNS01_NAMESERVERS: `127.0.0.1:${pebble.dnsPort}`,
      CERTS_ORDER_LEASE_MS: '3000',
      LOG_LEVEL: 'warn',
    };
    const first = await startService('certs', env);
    services.push(first);
    await firstPresent;
    const client = new Redis(redis.url);
    const pending = await client.hget('gatehouse:certs:state:default/survivor', 'pendingOrderUrl');
    expect(pending).toMatch(/^https:\/\//);
    await first.process.kill();

    holdPresents = false;
    const second = await startService('certs', env);
    services.push(second);
    const orderUrl = await eventually(
      'the order to be finished by the second process',
      async () => ((await client.hget('gatehouse:certs:state:default/survivor', 'revision')) === '1' ? client.hget('gatehouse:certs:state:default/survivor', 'orderUrl') : undefined),
      50_000,
    );
    expect(orderUrl).toBe(pending);
    expect(standIn.newOrders).toHaveLength(1);
    client.disconnect();
  });
});
