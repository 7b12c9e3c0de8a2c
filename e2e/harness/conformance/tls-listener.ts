// A real TLS handshake with a served HTTPS or TLS-Terminate listener, for the conformance replay: a
// local TLS server plays the listener's DownstreamTlsContext. The ClientHello's SNI picks the filter
// chain as Envoy does (exact server name, then the longest wildcard, then the chain without names), whose
// certificate is the served SDS secret; a validation_context asks for a client certificate, verified
// against its trusted_ca, and refuses the connection without a valid one unless trust_chain_verification
// is ACCEPT_UNTRUSTED. An accepted connection answers "accepted\n" (an HTTP chain: the request then plays
// through the emulator) or, on a tcp_proxy chain (TLS Terminate), is piped in clear to the cluster's
// endpoint, names resolved through `hosts` ("address:port"). A chain without a transport socket (TLS
// Passthrough, on the same port as Terminate ones) gets the untouched bytes, the ClientHello included.
import { createConnection, createServer as createNetServer, type Socket } from 'node:net';
import { connect, createSecureContext, createServer, type SecureContext, type TLSSocket } from 'node:tls';
import type { EnvoySnapshot } from '../envoy/index.js';
import type { ServedSnapshot } from '../envoy/ads-snapshot.js';
import { upstreamAddress } from '../envoy/upstream-address.js';
import { readSni } from '../envoy/tcp-proxy.js';

interface ChainJson {
  filter_chain_match?: { server_names?: string[] };
  filters?: Array<{ name?: string; typed_config?: { cluster?: string } }>;
  transport_socket?: {
    typed_config?: {
      require_client_certificate?: boolean | { value?: boolean };
      common_tls_context?: {
        tls_certificate_sds_secret_configs?: Array<{ name: string }>;
        validation_context?: { trusted_ca?: { inline_string?: string }; trust_chain_verification?: string };
      };
    };
  };
}

interface SecretJson {
  name: string;
  tls_certificate?: { certificate_chain?: { inline_string?: string }; private_key?: { inline_string?: string } };
}

export interface EmulatedTlsListener {
  readonly port: number;
  close(): Promise<void>;
}

function chainFor(chains: readonly ChainJson[], sni: string | undefined): ChainJson | undefined {
  if (sni) {
    const exact = chains.find((c) => c.filter_chain_match?.server_names?.includes(sni));
    if (exact) return exact;
    const wildcard = chains
      .flatMap((c) => (c.filter_chain_match?.server_names ?? []).filter((n) => n.startsWith('*.') && sni.endsWith(n.slice(1))).map((n) => ({ c, n })))
      .sort((a, b) => b.n.length - a.n.length)[0];
    if (wildcard) return wildcard.c;
  }
  return chains.find((c) => !c.filter_chain_match?.server_names?.length);
}

export async function startTlsListener(snapshot: EnvoySnapshot & { secrets?: unknown[] }, listenerPort: number, hosts: Readonly<Record<string, string>> = {}): Promise<EmulatedTlsListener> {
  const listener = snapshot.listeners.find((l) => l.address?.socket_address?.port_value === listenerPort);
  if (!listener) throw new Error(`no listener on port ${listenerPort}`);
  const chains = (listener.filter_chains ?? []) as unknown as ChainJson[];
  const secrets = (snapshot.secrets ?? []) as SecretJson[];
  const contexts = new Map<ChainJson, SecureContext>();
  const contextOf = (chain: ChainJson): SecureContext => {
    let context = contexts.get(chain);
    if (!context) {
      const common = chain.transport_socket?.typed_config?.common_tls_context;
      const secret = secrets.find((s) => s.name === common?.tls_certificate_sds_secret_configs?.[0]?.name)?.tls_certificate;
      if (!secret) throw new Error(`listener ${listener.name}: the chain has no served certificate`);
      const ca = common?.validation_context?.trusted_ca?.inline_string;
      context = createSecureContext({ cert: secret.certificate_chain?.inline_string, key: secret.private_key?.inline_string, ...(ca ? { ca } : {}) });
      contexts.set(chain, context);
    }
    return context;
  };
  const sockets = new Set<Socket>();
  const server = createServer(
    {
      requestCert: true,
      rejectUnauthorized: false,
      SNICallback: (servername, done) => {
        const chain = chainFor(chains, servername);
        if (!chain?.transport_socket) return done(new Error(`no TLS chain for ${servername}`));
        try {
          done(null, contextOf(chain));
        } catch (error) {
          done(error as Error);
        }
      },
    },
    (socket: TLSSocket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      const chain = chainFor(chains, socket.servername || undefined);
      const tls = chain?.transport_socket?.typed_config;
      const validation = tls?.common_tls_context?.validation_context;
      if (validation) {
        const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
        const insecure = validation.trust_chain_verification === 'ACCEPT_UNTRUSTED';
        // A presented certificate must verify unless the mode is AllowInsecureFallback; none at all is refused when required.
        if (presented ? !socket.authorized && !insecure : !insecure) return void socket.destroy();
      }
      const proxy = chain?.filters?.find((f) => f.name === 'envoy.filters.network.tcp_proxy')?.typed_config;
      if (!proxy?.cluster) return void socket.end('accepted\n');
      const upstream = createConnection(resolveCluster(proxy.cluster));
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const terminating = (server.address() as { port: number }).port;
  // The listener's front: tls_inspector reads the ClientHello's SNI; a chain without a transport socket is
  // TLS passthrough (the untouched bytes go to its cluster), the others terminate in the TLS server above.
  const front = createNetServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => raw.destroy());
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const sni = readSni(buffered);
      if (sni === null) return;
      raw.off('data', onData);
      const chain = chainFor(chains, sni);
      if (!chain) return void raw.destroy();
      const cluster = chain.transport_socket ? undefined : chain.filters?.find((f) => f.name === 'envoy.filters.network.tcp_proxy')?.typed_config?.cluster;
      if (!chain.transport_socket && !cluster) return void raw.destroy();
      const target = cluster ? resolveCluster(cluster) : { host: '127.0.0.1', port: terminating };
      const next = createConnection(target);
      sockets.add(next);
      next.on('close', () => sockets.delete(next));
      next.on('error', () => raw.destroy());
      next.write(buffered);
      raw.pipe(next).pipe(raw);
    };
    raw.on('data', onData);
  });
  const resolveCluster = (cluster: string) => {
    const { host, port } = upstreamAddress(snapshot as ServedSnapshot, cluster);
    const mapped = hosts[host] ? /^(.+?)(?::(\d+))?$/.exec(hosts[host])! : undefined;
    return { host: mapped?.[1] ?? host, port: mapped?.[2] ? Number(mapped[2]) : port };
  };
  await new Promise<void>((done) => front.listen(0, '127.0.0.1', done));
  return {
    port: (front.address() as { port: number }).port,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        front.close(() => server.close(() => done()));
      }),
  };
}

export interface HandshakeResult {
  /** What the listener (or, through a Terminate chain, the backend) answered; undefined when refused. */
  answer?: string;
  /** The DNS SANs of the certificate the listener presented. */
  serverNames: string[];
}

/** Connects with SNI `servername`, trusting only `ca`, optionally with a client certificate; sends `send` if given and reads until the peer closes. */
export function handshake(port: number, options: { servername: string; ca: string; cert?: string; key?: string; send?: string }): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    let serverNames: string[] = [];
    let answer = '';
    const socket = connect({ host: '127.0.0.1', port, servername: options.servername, ca: options.ca, ...(options.cert ? { cert: options.cert, key: options.key } : {}) }, () => {
      serverNames = (socket.getPeerCertificate().subjectaltname ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
      if (options.send) socket.write(options.send);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', (error) => (serverNames.length ? resolve({ serverNames }) : reject(error)));
    socket.on('close', () => resolve({ ...(answer ? { answer } : {}), serverNames }));
  });
}
