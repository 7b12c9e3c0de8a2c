// Journey: a UDPRoute carries real datagrams. The Gateway's UDP listener routes to a UDP echo server this
// test starts; the emulated Envoy opens that listener with the udp_proxy config xds serves over ADS, and
// a datagram sent through it reaches the real server, whose answer comes back to the sender.
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyConfigFolder, startGateway, type ConfigFolderHandle, type GatewayHandle } from '../harness/index.js';
import { startUdpListener } from '../harness/envoy/udp-proxy.js';

let echo: Socket;
let echoPort: number;
let config: ConfigFolderHandle;
let gw: GatewayHandle;

beforeAll(async () => {
  // The backend: answers each datagram with "echo:" and what it got.
  echo = createSocket('udp4');
  echo.on('message', (datagram, peer) => echo.send(Buffer.concat([Buffer.from('echo:'), datagram]), peer.port, peer.address));
  await new Promise<void>((done) => echo.bind(0, '127.0.0.1', done));
  echoPort = echo.address().port;
  config = await copyConfigFolder(join(import.meta.dirname, 'udproute-echo'), { ECHO_PORT: String(echoPort) });
  gw = await startGateway({ configDir: config.dir, nodeCluster: 'default/gateway', services: ['xds'] });
}, 90_000);

afterAll(async () => {
  await gw?.stop();
  await config?.remove();
  await new Promise<void>((done) => (echo ? echo.close(() => done()) : done()));
});

/** Sends one datagram and resolves with the first answer (UDP may drop: resent every 500 ms, 10 tries). */
function ask(port: number, text: string): Promise<string> {
  const client = createSocket('udp4');
  return new Promise<string>((resolve, reject) => {
    let tries = 0;
    const send = () => {
      if (tries++ === 10) return reject(new Error('no answer after 10 datagrams'));
      client.send(text, port, '127.0.0.1');
    };
    const timer = setInterval(send, 500);
    client.on('message', (answer) => {
      clearInterval(timer);
      resolve(answer.toString('utf8'));
    });
    client.on('error', reject);
    send();
  }).finally(() => client.close());
}

describe('a UDPRoute', () => {
  it('carries a datagram through the UDP listener to the real echo server and its answer back', async () => {
    const snapshot = await gw.snapshot();
    const listener = await startUdpListener(snapshot, 5353, { echo: '127.0.0.1' });
    try {
      expect(listener.cluster).toBe(`service/default/echo/${echoPort}`);
      expect(await ask(listener.port, 'through-envoy')).toBe('echo:through-envoy');
    } finally {
      await listener.close();
    }
  });
});
