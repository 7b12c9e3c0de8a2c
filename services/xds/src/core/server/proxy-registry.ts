// Connected proxies and the NACKs they sent, for the admin API and metrics.
import type { NackRecord, NodeIdentity, TypeStatus } from './ads-stream.js';

export interface ProxyStream {
  readonly node?: NodeIdentity;
  status(): TypeStatus[];
}

export interface ProxyInfo {
  streamId: number;
  variant: 'sotw' | 'delta';
  nodeId: string;
  nodeCluster: string;
  connectedAt: number;
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
        ? [{ streamId, variant, nodeId: stream.node.id, nodeCluster: stream.node.cluster, connectedAt, types: stream.status() }]
        : [],
    );
  }
}
