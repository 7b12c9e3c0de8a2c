// Stand-ins for the conformance suite's TLS and TCP backends: an HTTPS server per Service with a
// certificate from the run's CA for the names given, answering {service, sni} (and the client certificate's
// CN when it requires one); a TCP server per Service
// answering "<namespace>/<name> " and the first line it gets. `hosts` maps each Service's DNS name, as
// the replay forms it, to the server's "address:port" for forwardToUpstream and the TLS listener.
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { SuitePki } from './suite-pki.js';

export interface StandInBackends {
  hosts: Record<string, string>;
  close(): Promise<void>;
}

const dnsName = (service: string) => {
  const [namespace, name] = service.split('/') as [string, string];
  return `${name}.${namespace}.svc.cluster.local`;
};

async function listen(server: Server): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as { port: number }).port;
}

export interface TlsStandIn {
  service: string;
  dnsNames: string[];
  /** Require a client certificate the run's CA signed (the answer then names its CN as `client`). */
  requireClientCertificate?: boolean;
}

export async function startStandInBackends(pki: SuitePki, tls: readonly TlsStandIn[], tcp: readonly string[]): Promise<StandInBackends> {
  const servers: Server[] = [];
  const hosts: Record<string, string> = {};
  for (const { service, dnsNames, requireClientCertificate } of tls) {
    const leaf = pki.issue(dnsNames);
    const clientAuth = requireClientCertificate ? { requestCert: true, rejectUnauthorized: true, ca: pki.ca } : {};
    const server = createHttpsServer({ cert: leaf.cert, key: leaf.key, ...clientAuth }, (req, res) => {
      const socket = req.socket as TLSSocket;
      const client = requireClientCertificate ? { client: socket.getPeerCertificate().subject.CN } : {};
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ service, sni: socket.servername, ...client }));
    });
    servers.push(server);
    hosts[dnsName(service)] = `127.0.0.1:${await listen(server)}`;
  }
  for (const service of tcp) {
    const server = createTcpServer((socket) => {
      let got = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        got += chunk;
        if (got.includes('\n')) socket.end(`${service} ${got.slice(0, got.indexOf('\n') + 1)}`);
      });
      socket.on('error', () => socket.destroy());
    });
    servers.push(server);
    hosts[dnsName(service)] = `127.0.0.1:${await listen(server)}`;
  }
  return {
    hosts,
    close: () => Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done())))).then(() => undefined),
  };
}
