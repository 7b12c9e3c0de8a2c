// A raw ADS client on the Envoy protos, for protocol tests and the bench: it sends exactly the
// requests it is told to and queues every response.
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames, unpackAny } from '@gatehouse/contracts';
import type { DiscoveryRequest } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DiscoveryRequest';
import type { DiscoveryResponse__Output } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DiscoveryResponse';
import type { DeltaDiscoveryRequest } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DeltaDiscoveryRequest';
import type { DeltaDiscoveryResponse__Output } from '@gatehouse/contracts/generated/envoy/service/discovery/v3/DeltaDiscoveryResponse';

const AdsClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.aggregatedDiscovery), 'AggregatedDiscoveryService');

export class ResponseQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<{ resolve: (item: T) => void; reject: (err: Error) => void }> = [];
  /** Set when the stream ended with an error. */
  error?: Error;

  fail(err: Error): void {
    this.error = err;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`stream failed: ${err.message}`));
  }

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }

  /** The next response, waiting at most `timeoutMs`. */
  next(timeoutMs = 5000): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.error) return Promise.reject(new Error(`stream failed: ${this.error.message}`));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (value: T): void => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (err: Error): void => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves true if nothing arrives within `ms` (for "sends nothing" assertions). */
  async nothingWithin(ms = 300): Promise<boolean> {
    try {
      await this.next(ms);
      return false;
    } catch {
      return true;
    }
  }

  get buffered(): number {
    return this.items.length;
  }
}

export interface RawAdsClient<Req, Res> {
  send(request: Req): void;
  responses: ResponseQueue<Res>;
  close(): void;
}

function open<Req, Res>(address: string, method: 'StreamAggregatedResources' | 'DeltaAggregatedResources', client?: grpc.Client): RawAdsClient<Req, Res> & { client: grpc.Client } {
  const c = client ?? new AdsClient(address, grpc.credentials.createInsecure());
  const call = (c as unknown as Record<string, () => grpc.ClientDuplexStream<Req, Res>>)[method]!.call(c);
  const responses = new ResponseQueue<Res>();
  call.on('data', (r: Res) => responses.push(r));
  call.on('error', (err: Error) => responses.fail(err));
  return {
    client: c,
    send: (request) => call.write(request),
    responses,
    close: () => {
      call.cancel();
      if (!client) c.close();
    },
  };
}

export function openSotwStream(address: string, client?: grpc.Client) {
  return open<DiscoveryRequest, DiscoveryResponse__Output>(address, 'StreamAggregatedResources', client);
}

export function openDeltaStream(address: string, client?: grpc.Client) {
  return open<DeltaDiscoveryRequest, DeltaDiscoveryResponse__Output>(address, 'DeltaAggregatedResources', client);
}

/** A shared client (one HTTP/2 connection) for opening many streams; plaintext unless `creds` say otherwise (mTLS). */
export function createAdsClient(address: string, creds: grpc.ChannelCredentials = grpc.credentials.createInsecure()): grpc.Client {
  return new AdsClient(address, creds, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
}

export function resourceNames(response: { resources?: Array<{ type_url?: string; value?: Uint8Array }> }): string[] {
  return (response.resources ?? []).map((any) => {
    const decoded = unpackAny<{ name?: string; cluster_name?: string }>(any);
    return decoded.name ?? decoded.cluster_name ?? '';
  });
}
