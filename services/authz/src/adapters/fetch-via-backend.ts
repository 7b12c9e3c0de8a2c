// An HTTP(S) request to a URL over a connection to another address: a SecurityPolicy's remoteJWKS
// or OIDC provider backendRef says which Backend endpoint to connect to, while the URL keeps naming the host (Host
// header, TLS SNI and certificate check), as Envoy does with the uri and its cluster.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export interface ConnectTo {
  readonly host: string;
  readonly port: number;
  /** A BackendTLSPolicy on the Backend: TLS whatever the URL's scheme, with this SNI, SANs and CA. */
  readonly tls?: { readonly sni: string; readonly subjectAltNames: ReadonlyArray<{ readonly type: 'DNS' | 'URI'; readonly value: string }>; readonly ca?: string };
}

export interface FetchedText {
  readonly status: number;
  readonly text: string;
}

export interface FetchViaOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly headers?: Record<string, string>;
  /** GET without, POST with a (form) body. */
  readonly body?: string;
}

/** `url` fetched over a connection to `connectTo`; bodies over `maxBytes` fail; redirects are answers, never followed. */
export function fetchTextVia(url: string, connectTo: ConnectTo, options: FetchViaOptions): Promise<FetchedText> {
  const target = new URL(url);
  const policy = connectTo.tls;
  const request = policy || target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: connectTo.host,
        port: connectTo.port,
        path: `${target.pathname}${target.search}`,
        method: options.body === undefined ? 'GET' : 'POST',
        headers: { ...options.headers, host: target.host, ...(options.body !== undefined && { 'content-length': String(Buffer.byteLength(options.body)) }) },
        // The certificate must still name the URL's host, not the Backend address; with a BackendTLSPolicy,
        // its hostname is the SNI and the certificate must carry one of its SANs, signed by its CA.
        servername: policy ? policy.sni : target.hostname,
        // No pooled connection: the agent's pool key leaves checkServerIdentity out, so a socket another
        // policy's SANs accepted could be reused.
        ...(policy && { checkServerIdentity: (_host: string, cert: PeerCertificate) => matchPolicySans(policy.subjectAltNames, cert), agent: false }),
        ...(policy?.ca !== undefined && { ca: policy.ca }),
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) req.destroy(new Error(`${url} answered more than ${options.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} via ${connectTo.host}:${connectTo.port} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** undefined when the certificate carries one of `sans` (a DNS name, wildcards as TLS matches them, or an exact URI). */
function matchPolicySans(sans: NonNullable<ConnectTo['tls']>['subjectAltNames'], cert: PeerCertificate): Error | undefined {
  const uris = (cert.subjectaltname ?? '').split(', ').filter((e) => e.startsWith('URI:')).map((e) => e.slice(4));
  for (const san of sans) {
    if (san.type === 'URI' ? uris.includes(san.value) : checkServerIdentity(san.value, cert) === undefined) return undefined;
  }
  return new Error(`the upstream certificate carries none of ${sans.map((s) => s.value).join(', ')}`);
}
