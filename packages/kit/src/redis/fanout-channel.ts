// Fan-out of one protobuf message type to every replica: the latest value is stored in a key (so a
// replica that starts later loads it) and PUBLISHed (so running replicas apply it at once).
// A single-consumer queue would be wrong here: every replica must see every change.
import type { MessageCodec } from '@gatehouse/contracts';
import type { RedisConnection } from './connect.js';

export interface FanoutChannelOptions<In, Out> {
  /** Pub/sub channel and key stem, e.g. "gatehouse:ratelimit:config". */
  readonly name: string;
  readonly codec: MessageCodec<In, Out>;
  /** Regular connection, for SET/GET/PUBLISH. */
  readonly redis: RedisConnection;
  /** Dedicated connection for SUBSCRIBE (a subscribed connection can do nothing else); created on demand. */
  readonly subscriber?: () => RedisConnection;
  /** Whether publish() keeps the value as "latest" (true for snapshots, false for events). Default true. */
  readonly keepLatest?: boolean;
}

export type FanoutHandler<Out> = (message: Out) => void | Promise<void>;

export class FanoutChannel<In, Out> {
  private subscription: RedisConnection | undefined;
  readonly latestKey: string;

  constructor(private readonly options: FanoutChannelOptions<In, Out>) {
    this.latestKey = `${options.name}:latest`;
  }

  async publish(message: In): Promise<void> {
    const bytes = this.options.codec.encode(message);
    const redis = this.options.redis;
    if (this.options.keepLatest ?? true) await redis.set(this.latestKey, bytes);
    await redis.publish(this.options.name, bytes);
  }

  async latest(): Promise<Out | undefined> {
    const bytes = await this.options.redis.getBuffer(this.latestKey);
    return bytes ? this.options.codec.decode(bytes) : undefined;
  }

  /**
   * Calls `handler` for every published message, and first for the stored latest one. Messages that
   * fail to decode go to `onError` and are skipped; a bad publisher never stops a consumer.
   */
  async subscribe(handler: FanoutHandler<Out>, onError: (err: unknown) => void): Promise<void> {
    if (!this.options.subscriber) throw new Error(`FanoutChannel ${this.options.name}: no subscriber connection factory`);
    const sub = (this.subscription = this.options.subscriber());
    const deliver = (bytes: Buffer): void => {
      let message: Out;
      try {
        message = this.options.codec.decode(bytes);
      } catch (err) {
        onError(err);
        return;
      }
      Promise.resolve(handler(message)).catch(onError);
    };
    sub.on('messageBuffer', (channel: Buffer, bytes: Buffer) => {
      if (channel.toString() === this.options.name) deliver(bytes);
    });
    await sub.subscribe(this.options.name);
    const current = await this.options.redis.getBuffer(this.latestKey);
    if (current) deliver(current);
    // Registered only now, so it fires on reconnects: ioredis resubscribes by itself, and reloading the
    // latest value covers whatever was published while we were cut off.
    sub.on('ready', () => {
      this.options.redis.getBuffer(this.latestKey).then((bytes) => bytes && deliver(bytes), onError);
    });
  }

  async close(): Promise<void> {
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}
