// A loopback forwarder that carries a proxyless gRPC client's plaintext HTTP/2 to the xds service over
// mutual TLS 1.3 with the client's certificate. @grpc/grpc-js-xds 1.14 offers only `insecure` and
// `google_default` channel_creds for the xDS server (no gRFC A65 `tls`), so its bootstrap points at this
// forwarder instead; the forwarder checks that the far end is the service it expects by its URI SAN.
import { createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';

export interface MtlsForwarderOptions {
  /** host:port of the mTLS server (the xds service's gRPC port). */
  target: string;
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  /** The URI SAN the server must present, e.g. spiffe://gatehouse/service/xds. */
  expectedServerUri: string;
}

export interface MtlsForwarderHandle {
  /** 127.0.0.1:<port>: the server_uri for the client's bootstrap. */
  readonly address: string;
  close(): Promise<void>;
}

export async function startMtlsForwarder(options: MtlsForwarderOptions): Promise<MtlsForwarderHandle> {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(options.target);
  if (!match) throw new Error(`target must be host:port, got "${options.target}"`);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  const sockets = new Set<Socket>();
  const server: Server = createServer((local) => {
    sockets.add(local);
    const remote = tlsConnect({
      host,
      port,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      minVersion: 'TLSv1.3',
      ALPNProtocols: ['h2'],
      // The CA vouches for the certificate; the identity it names must be the service we mean to reach.
      checkServerIdentity: (_host: string, cert: PeerCertificate) => {
        const uris = (cert.subjectaltname ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
        return uris.includes(options.expectedServerUri) ? undefined : new Error(`the server presents ${uris.join(', ') || 'no URI SAN'}, not ${options.expectedServerUri}`);
      },
    });
    sockets.add(remote);
    local.pipe(remote).pipe(local);
    const end = (): void => {
      local.destroy();
      remote.destroy();
      sockets.delete(local);
      sockets.delete(remote);
    };
    local.on('error', end).on('close', end);
    remote.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('forwarder has no address');
  return {
    address: `127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
