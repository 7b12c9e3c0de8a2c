// The router's last step, which the emulator otherwise stops short of: connect to the cluster's endpoint and
// send the request. A STRICT_DNS / LOGICAL_DNS endpoint is a name: it is resolved the way the container
// network would (`hosts`, like compose's DNS answering for a service name), else by the system resolver.
import { request as httpRequest } from 'node:http';
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
  const { host, port } = upstreamAddress(snapshot, response.upstream.cluster);
  const address = hosts[host] ?? (await lookup(host)).address;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: address, port, method: request.method ?? 'GET', path: request.path, headers: response.upstream!.headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ endpoint: { host, port, address }, status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
