// A fetch whose TLS connections trust exactly one CA bundle, via an undici Agent.
import { Agent, fetch as undiciFetch } from 'undici';

export type TrustingFetch = (url: string | URL, init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch>;

export interface TrustingFetchHandle {
  readonly fetch: TrustingFetch;
  close(): Promise<void>;
}

/** A fetch whose TLS connections trust exactly `caPem` (not the system store). */
export function createTrustingFetch(caPem: string): TrustingFetchHandle {
  const agent = new Agent({ connect: { ca: caPem } });
  return {
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: agent }),
    close: () => agent.close(),
  };
}
