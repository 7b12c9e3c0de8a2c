// Stand-ins for the conformance suite's UDP echo backends: one local UDP socket per Service, answering
// each datagram with the Service's "<namespace>/<name>" (the suite's echo-basic names its SERVICE_NAME).
// `hosts` maps each Service's DNS name, as the conformance replay forms it, to the socket's "address:port",
// for startUdpListener.
import { createSocket, type Socket } from 'node:dgram';

export interface UdpEchoBackends {
  /** "<name>.<namespace>.svc.cluster.local" -> "127.0.0.1:<port>". */
  hosts: Record<string, string>;
  close(): Promise<void>;
}

export async function startUdpEchoBackends(services: readonly string[]): Promise<UdpEchoBackends> {
  const sockets: Socket[] = [];
  const hosts: Record<string, string> = {};
  for (const service of new Set(services)) {
    const [namespace, name] = service.split('/') as [string, string];
    const socket = createSocket('udp4');
    socket.on('message', (_datagram, peer) => socket.send(service, peer.port, peer.address));
    await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
    sockets.push(socket);
    hosts[`${name}.${namespace}.svc.cluster.local`] = `127.0.0.1:${socket.address().port}`;
  }
  return { hosts, close: () => Promise.all(sockets.map((s) => new Promise<void>((done) => s.close(() => done())))).then(() => undefined) };
}

/** Sends a datagram to a local port and resolves with the first answer (UDP may drop one: resent every 200 ms, 25 times). */
export function askUdp(port: number, text: string): Promise<string> {
  const client = createSocket('udp4');
  return new Promise<string>((resolve, reject) => {
    let tries = 0;
    const send = () => {
      if (tries++ === 25) return reject(new Error(`no answer from port ${port} after 25 datagrams`));
      client.send(text, port, '127.0.0.1');
    };
    const timer = setInterval(send, 200);
    client.on('message', (answer) => {
      clearInterval(timer);
      resolve(answer.toString('utf8'));
    });
    client.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    send();
  }).finally(() => client.close());
}
