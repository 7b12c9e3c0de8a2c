// Fan-out of one protobuf message type to every replica: the latest value is stored in a key (so a
// replica that starts later loads it) and PUBLISHed (so running replicas apply it at once).
// A single-consumer queue would be wrong here: every replica must see every change.
//
// With a sealedCodec every publication is sealed at a generation (contracts nextGeneration(): the clock,
// bumped past the highest generation stored or seen, so several publishers with skewed clocks still
// count up). An `ordered` consumer applies only what is newer than what it applied: an older sealed
// publication replayed by a Redis writer, as a message or as the latest-kept value, is refused. The
// publisher's restoreLatest() puts its newest publication back when the latest-kept value was replaced
// by an older, forged or no value, so a replica starting later does not load the replay for long.
import { isSealedCodec, nextGeneration, replayedError, type MessageCodec } from '@gatehouse/contracts';
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
  /**
   * subscribe() delivers only messages sealed at a newer generation than the one applied; an older one
   * goes to onError as GH_SEALED_REPLAYED. Snapshots (the latest state) are ordered; events whose order
   * the consumer handles itself are not. Needs a sealedCodec.
   */
  readonly ordered?: boolean;
  /**
   * The content version of a message. An older generation of the version applied is not a replay but
   * the same publication from another publisher (several xds replicas publish the same thing): skipped
   * without a report. Without it, every older generation is reported.
   */
  readonly identity?: (message: Out) => string | undefined;
}

/** What a consumer learns besides the message. */
export interface FanoutMeta {
  /** The generation the message was sealed at (0: not sealed or unordered). */
  readonly generation: number;
}

export type FanoutHandler<Out> = (message: Out, meta: FanoutMeta) => void | Promise<void>;

/** What restoreLatest() found in the latest-kept key. */
export interface LatestCheck {
  /** Whether the channel's newest publication was written back (and published again). */
  readonly restored: boolean;
  /** Why: the stored value did not open, or was older (a SealedEnvelopeError); undefined if missing or fine. */
  readonly refused?: unknown;
}

interface Sealed {
  readonly generation: number;
  readonly bytes: Buffer;
}

export class FanoutChannel<In, Out> {
  private subscription: RedisConnection | undefined;
  readonly latestKey: string;
  /** The newest sealed publication this channel published or read: what restoreLatest() puts back. */
  private newest: Sealed | undefined;
  /** The generation and version a subscriber applied last. */
  private applied: { generation: number; identity: string | undefined } | undefined;

  constructor(private readonly options: FanoutChannelOptions<In, Out>) {
    this.latestKey = `${options.name}:latest`;
    if (options.ordered && !isSealedCodec(options.codec)) throw new Error(`FanoutChannel ${options.name}: ordered needs a sealedCodec`);
  }

  /** Publishes `message`; with a sealedCodec at `generation`, by default the next one (nextGeneration()). */
  async publish(message: In, options: { generation?: number } = {}): Promise<{ generation: number }> {
    const { codec, redis } = this.options;
    const keepLatest = this.options.keepLatest ?? true;
    let generation = 0;
    let bytes: Buffer;
    if (isSealedCodec(codec)) {
      generation = options.generation ?? nextGeneration(Math.max(this.newest?.generation ?? 0, keepLatest ? await this.storedGeneration() : 0));
      bytes = codec.encodeAt(message, generation);
      this.note({ generation, bytes });
    } else {
      bytes = codec.encode(message);
    }
    if (keepLatest) await redis.set(this.latestKey, bytes);
    await redis.publish(this.options.name, bytes);
    return { generation };
  }

  async latest(): Promise<Out | undefined> {
    const bytes = await this.options.redis.getBuffer(this.latestKey);
    if (!bytes) return undefined;
    const codec = this.options.codec;
    if (!isSealedCodec(codec)) return codec.decode(bytes);
    const { message, generation } = codec.decodeOrdered(bytes);
    this.note({ generation, bytes });
    return message;
  }

  /**
   * For the publisher: if the latest-kept value is missing, does not open or is older than the newest
   * publication this channel published or read, writes that one back and publishes it again (consumers
   * that applied it skip it; one that started meanwhile and loaded the older value moves forward).
   */
  async restoreLatest(): Promise<LatestCheck> {
    const newest = this.newest;
    const codec = this.options.codec;
    if (!newest || !isSealedCodec(codec) || !(this.options.keepLatest ?? true)) return { restored: false };
    const bytes = await this.options.redis.getBuffer(this.latestKey);
    let refused: unknown;
    if (bytes) {
      try {
        const { generation } = codec.decodeOrdered(bytes);
        if (generation >= newest.generation) {
          this.note({ generation, bytes });
          return { restored: false };
        }
        refused = replayedError(codec.context, generation, newest.generation);
      } catch (err) {
        refused = err;
      }
    }
    await this.options.redis.set(this.latestKey, newest.bytes);
    await this.options.redis.publish(this.options.name, newest.bytes);
    return { restored: true, refused };
  }

  /**
   * Calls `handler` for every published message, and first for the stored latest one. Messages that
   * fail to decode, or (ordered) are older than the one applied, go to `onError` and are skipped; a
   * bad publisher never stops a consumer.
   */
  async subscribe(handler: FanoutHandler<Out>, onError: (err: unknown) => void): Promise<void> {
    if (!this.options.subscriber) throw new Error(`FanoutChannel ${this.options.name}: no subscriber connection factory`);
    const sub = (this.subscription = this.options.subscriber());
    const deliver = (bytes: Buffer): void => {
      let message: Out;
      let generation = 0;
      const codec = this.options.codec;
      try {
        if (isSealedCodec(codec)) ({ message, generation } = codec.decodeOrdered(bytes));
        else message = codec.decode(bytes);
      } catch (err) {
        onError(err);
        return;
      }
      if (this.options.ordered && isSealedCodec(codec) && !this.inOrder(codec.context, message, generation, onError)) return;
      Promise.resolve(handler(message, { generation })).catch(onError);
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

  /**
   * Whether a message at `generation` is to be applied: newer than the applied one, or as new with
   * another version (two publishers sealed in the same millisecond: arrival order, as without ordering).
   * Older with another version is a replay and reported; the same version again is skipped quietly.
   */
  private inOrder(context: Parameters<typeof replayedError>[0], message: Out, generation: number, onError: (err: unknown) => void): boolean {
    const identity = this.options.identity?.(message);
    const applied = this.applied;
    if (applied && generation <= applied.generation) {
      if (identity === applied.identity) return false;
      if (generation < applied.generation) {
        onError(replayedError(context, generation, applied.generation));
        return false;
      }
    }
    this.applied = { generation, identity };
    return true;
  }

  /** The generation of the stored latest value, if it opens (a forged one counts for nothing). */
  private async storedGeneration(): Promise<number> {
    const codec = this.options.codec;
    if (!isSealedCodec(codec)) return 0;
    const bytes = await this.options.redis.getBuffer(this.latestKey);
    if (!bytes) return 0;
    try {
      const { generation } = codec.decodeOrdered(bytes);
      this.note({ generation, bytes });
      return generation;
    } catch {
      return 0;
    }
  }

  private note(sealed: Sealed): void {
    if (!this.newest || sealed.generation > this.newest.generation) this.newest = sealed;
  }
}
