// gRPC mutual TLS as every service serves it: who can connect, who the handler sees, rotation without restart,
// and the explicit plaintext switch. Real sockets, real certificates (openssl), a real grpc-js server and clients.
import { connect as tlsConnect } from 'node:tls';
import { copyFileSync, rmSync } from 'node:fs';
import { credentials, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { startService, type RunningService, type ServiceDefinition } from '../lifecycle/run-service.js';
import { makeTestPki, type TestLeaf, type TestPki } from '../tls/testing/test-pki.js';
import { peerIdentities, planTransport } from './transport-security.js';

const whoAmI = {
  whoAmI: {
    path: '/gatehouse.test.Who/AmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: object) => Buffer.from(JSON.stringify(v)),
    requestDeserialize: (b: Buffer) => JSON.parse(b.toString()) as object,
    responseSerialize: (v: object) => Buffer.from(JSON.stringify(v)),
    responseDeserialize: (b: Buffer) => JSON.parse(b.toString()) as object,
  },
};
const definition: ServiceDefinition<Record<string, never>> = {
  name: 'tlstest',
  env: {},
  defaults: { grpcPort: 0, adminPort: 0 },
  async start(ctx) {
    ctx.grpc.addService(whoAmI, { whoAmI: (call: Parameters<typeof peerIdentities>[0], callback: (e: null, v: object) => void) => callback(null, { identities: peerIdentities(call) }) } as never);
  },
};
const WhoClient = makeGenericClientConstructor(whoAmI, 'Who');
const BASE = { GRPC_PORT: '0', ADMIN_PORT: '0', BIND_HOST: '127.0.0.1', LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1', SHUTDOWN_TIMEOUT_MS: '500' };

let pki: TestPki;
let serverLeaf: TestLeaf;
let gateway: TestLeaf;
let running: RunningService;

function ask(client: Client): Promise<{ identities: unknown[] }> {
  return new Promise((resolve, reject) => {
    (client as unknown as { whoAmI: (r: object, o: object, cb: (e: ServiceError | null, v: { identities: unknown[] }) => void) => void }).whoAmI({}, { deadline: Date.now() + 3000 }, (err, value) => (err ? reject(err) : resolve(value)));
  });
}
const clientWith = (leaf?: TestLeaf, ca = pki.ca): Client =>
  new WhoClient(`localhost:${running.grpcPort}`, leaf ? credentials.createSsl(ca, leaf.key, leaf.cert) : credentials.createSsl(ca));

/** The serial number of the certificate the server presents to a new handshake. */
function servedSerial(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: running.grpcPort, servername: 'localhost', ca: pki.ca, cert: gateway.cert, key: gateway.key, ALPNProtocols: ['h2'] }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  pki = makeTestPki();
  serverLeaf = pki.issue('svc', { kind: 'service', name: 'tlstest' });
  gateway = pki.issue('gw', { kind: 'gateway', namespace: 'apps', name: 'web' });
  running = await startService(definition, { ...BASE, ...pki.envFor(serverLeaf) });
});

afterAll(async () => {
  await running?.stop();
  rmSync(pki.dir, { recursive: true, force: true });
});

describe('gRPC transport security', () => {
  it('needs TLS files or the explicit plaintext switch, and never both', () => {
    const none = { TLS_CERT_FILE: undefined, TLS_KEY_FILE: undefined, TLS_CA_FILE: undefined, GATEHOUSE_INSECURE_PLAINTEXT: false };
    expect(() => planTransport(none)).toThrow(ConfigError);
    expect(() => planTransport(none)).toThrow(/TLS_CERT_FILE: is required: gRPC is served over mutual TLS; .*GATEHOUSE_INSECURE_PLAINTEXT=true/);
    expect(() => planTransport({ ...none, TLS_CERT_FILE: 'a', TLS_KEY_FILE: 'b' })).toThrow(/TLS_CA_FILE: is required: TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE go together/);
    expect(() => planTransport({ ...none, TLS_CERT_FILE: 'a', GATEHOUSE_INSECURE_PLAINTEXT: true })).toThrow(/GATEHOUSE_INSECURE_PLAINTEXT: is true while TLS_CERT_FILE is set/);
    expect(planTransport({ ...none, GATEHOUSE_INSECURE_PLAINTEXT: true })).toEqual({ kind: 'plaintext' });
  });

  it('refuses to start on a key that is not the certificate\'s, naming the file', async () => {
    const other = pki.issue('other', { kind: 'service', name: 'other' });
    const env = { ...BASE, ...pki.envFor(serverLeaf), TLS_KEY_FILE: other.keyFile };
    await expect(startService(definition, env)).rejects.toThrow(/TLS_KEY_FILE: .*other\.key: does not match the certificate/);
  });

  it('admits a client with a certificate from the deployment CA, and tells the handler its identity', async () => {
    expect(running.grpcTransport).toBe('mtls');
    const client = clientWith(gateway);
    try {
      expect(await ask(client)).toEqual({ identities: [{ kind: 'gateway', namespace: 'apps', name: 'web' }] });
    } finally {
      client.close();
    }
  });

  it('turns away a client with no certificate, one from another CA, and a plaintext client', async () => {
    const stranger = pki.issue('stranger', { kind: 'gateway', namespace: 'apps', name: 'web' }, { ca: 'foreign' });
    const attempts = [clientWith(undefined), clientWith(stranger), new WhoClient(`localhost:${running.grpcPort}`, credentials.createInsecure())];
    for (const client of attempts) {
      await expect(ask(client)).rejects.toMatchObject({ code: status.UNAVAILABLE });
      client.close();
    }
  });

  it('serves a rotated certificate to new connections without a restart, and keeps the old one when the new files are bad', async () => {
    const before = await servedSerial();
    pki.issue('svc', { kind: 'service', name: 'tlstest' });
    await expect.poll(servedSerial, { timeout: 5000, interval: 200 }).not.toBe(before);
    const rotated = await servedSerial();
    const client = clientWith(gateway);
    try {
      expect((await ask(client)).identities).toHaveLength(1);
    } finally {
      client.close();
    }
    // A half-done rotation (a new key, the old certificate) is refused; the rotated certificate keeps serving.
    const stray = pki.issue('stray', { kind: 'service', name: 'stray' });
    copyFileSync(stray.keyFile, serverLeaf.keyFile);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await servedSerial()).toBe(rotated);
  });

  it('serves plaintext only when told, and says so', async () => {
    const plain = await startService(definition, { ...BASE, GATEHOUSE_INSECURE_PLAINTEXT: 'true' });
    try {
      expect(plain.grpcTransport).toBe('plaintext');
      const client = new WhoClient(`127.0.0.1:${plain.grpcPort}`, credentials.createInsecure());
      expect(await ask(client)).toEqual({ identities: [] });
      client.close();
    } finally {
      await plain.stop();
    }
  });
});
