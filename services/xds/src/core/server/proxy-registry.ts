// Connected proxies and the NACKs they sent, for the admin API and metrics.
import type { NackRecord, NodeIdentity, TypeStatus } from './ads-stream.js';
import type { StreamGrant } from './stream-authorization.js';

export interface ProxyStream {
  readonly node?: NodeIdentity;
  readonly grant?: StreamGrant;
  status(): TypeStatus[];
}

export interface ProxyInfo {
  streamId: number;
  variant: 'sotw' | 'delta';
  nodeId: string;
  nodeCluster: string;
  connectedAt: number;
  /** The client certificate's identity the stream is bound to; null when unbound (plaintext). */
  identity: string | null;
  /** What the stream sees of the node cluster: all of it, or the proxyless part. */
  view: 'gateway' | 'proxyless';
  types: TypeStatus[];
}

export interface ProxyRegistryOptions {
  /** NACKs kept for the admin API. Default 100. */
  maxNacks?: number;
}

export class ProxyRegistry {
  private readonly streams = new Map<number, { stream: ProxyStream; variant: 'sotw' | 'delta'; connectedAt: number }>();
  private readonly nacks: NackRecord[] = [];
  private nextId = 0;
  private readonly maxNacks: number;

  constructor(options: ProxyRegistryOptions = {}) {
    this.maxNacks = options.maxNacks ?? 100;
  }

  /** @returns a function that removes the stream */
  add(stream: ProxyStream, variant: 'sotw' | 'delta', connectedAt = Date.now()): () => void {
    const id = ++this.nextId;
    this.streams.set(id, { stream, variant, connectedAt });
    return () => this.streams.delete(id);
  }

  recordNack(record: NackRecord): void {
    this.nacks.push(record);
    if (this.nacks.length > this.maxNacks) this.nacks.shift();
  }

  recentNacks(): NackRecord[] {
    return [...this.nacks].reverse();
  }

  get size(): number {
    return this.streams.size;
  }

  proxies(): ProxyInfo[] {
    return [...this.streams].flatMap(([streamId, { stream, variant, connectedAt }]) =>
      stream.node
        ? [{ streamId, variant, nodeId: stream.node.id, nodeCluster: stream.node.cluster, connectedAt, ...access(stream.grant), types: stream.status() }]
        : [],
    );
  }
}

function access(grant: StreamGrant | undefined): { identity: string | null; view: 'gateway' | 'proxyless' } {
  if (grant?.allowed && grant.bound) return { identity: grant.identity, view: grant.view };
  return { identity: null, view: 'gateway' };
}
