// The router's last step, which the emulator otherwise stops short of: connect to the cluster's endpoint and
// send the request. A STRICT_DNS / LOGICAL_DNS endpoint is a name: it is resolved the way the container
// network would (`hosts`, like compose's DNS answering for a service name), else by the system resolver.
// A cluster with an UpstreamTlsContext speaks TLS as Envoy would: its SNI, only its trusted CA (inline),
// and the upstream certificate's DNS SANs checked against match_typed_subject_alt_names; the client certificate
// its tls_certificate_sds_secret_configs names is presented when the snapshot carries that secret.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { lookup } from 'node:dns/promises';
import type { ServedSnapshot } from './ads-snapshot.js';
import type { EmulatedResponse } from './emulate-request.js';
import { upstreamAddress } from './upstream-address.js';

export interface UpstreamAnswer {
  /** The endpoint as the cluster names it (a DNS name for DNS clusters) and what it resolved to. */
  readonly endpoint: { host: string; port: number; address: string };
  readonly status: number;
  readonly body: string;
}

export async function forwardToUpstream(
  snapshot: ServedSnapshot,
  response: EmulatedResponse,
  request: { method?: string; path: string },
  hosts: Readonly<Record<string, string>> = {},
): Promise<UpstreamAnswer> {
  if (!response.upstream) throw new Error(`the emulated Envoy answered ${response.status} itself; nothing goes upstream`);
  const endpoint = upstreamAddress(snapshot, response.upstream.cluster);
  const { host } = endpoint;
  // A `hosts` entry "address:port" also moves the port (a stand-in backend on a free port for a manifest's fixed one).
  const mapped = hosts[host] ? /^(.+?)(?::(\d+))?$/.exec(hosts[host])! : undefined;
  const address = mapped?.[1] ?? (await lookup(host)).address;
  const port = mapped?.[2] ? Number(mapped[2]) : endpoint.port;
  const tls = upstreamTls(snapshot, response.upstream.cluster);
  const options: RequestOptions = { host: address, port, method: request.method ?? 'GET', path: request.path, headers: response.upstream.headers };
  return new Promise((resolve, reject) => {
    const onResponse = (incoming: IncomingMessage) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ endpoint: { host, port, address }, status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    };
    const outgoing = tls ? httpsRequest({ ...options, ...tls }, onResponse) : httpRequest(options, onResponse);
    outgoing.on('error', reject);
    outgoing.end();
  });
}

interface UpstreamTlsJson {
  sni?: string;
  common_tls_context?: {
    tls_certificate_sds_secret_configs?: Array<{ name: string }>;
    validation_context?: { trusted_ca?: { inline_string?: string }; match_typed_subject_alt_names?: Array<{ san_type?: string; matcher?: { exact?: string } }> };
  };
}

/** TLS options for Node's https from the cluster's UpstreamTlsContext, or undefined for plaintext. */
function upstreamTls(snapshot: ServedSnapshot, clusterName: string): object | undefined {
  const cluster = snapshot.clusters.find((c) => c.name === clusterName) as { transport_socket?: { typed_config?: UpstreamTlsJson } } | undefined;
  const context = cluster?.transport_socket?.typed_config;
  if (!context) return undefined;
  // A client certificate (Gateway tls.backend, Backend tls): the SDS secret the cluster names, when served with the snapshot.
  const secretName = context.common_tls_context?.tls_certificate_sds_secret_configs?.[0]?.name;
  const secrets = ((snapshot as { secrets?: unknown[] }).secrets ?? []) as Array<{ name: string; tls_certificate?: { certificate_chain?: { inline_string?: string }; private_key?: { inline_string?: string } } }>;
  const client = secrets.find((s) => s.name === secretName)?.tls_certificate;
  const clientOptions = client ? { cert: client.certificate_chain?.inline_string, key: client.private_key?.inline_string } : {};
  const validation = context.common_tls_context?.validation_context;
  if (!validation) return { agent: false, servername: context.sni, rejectUnauthorized: false, ...clientOptions };
  const names = (validation.match_typed_subject_alt_names ?? []).filter((m) => m.san_type === 'DNS').map((m) => m.matcher?.exact);
  return {
    agent: false,
    ...clientOptions,
    servername: context.sni,
    ca: validation.trusted_ca?.inline_string,
    rejectUnauthorized: true,
    // Envoy checks the SAN matchers, not the SNI: any DNS SAN equal to a matcher passes.
    checkServerIdentity: (_host: string, cert: PeerCertificate) => {
      const sans = (cert.subjectaltname ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
      if (names.length === 0 || sans.some((san) => names.includes(san))) return undefined;
      return new Error(`upstream certificate SANs ${sans.join(', ')} match none of ${names.join(', ')}`);
    },
  };
}
