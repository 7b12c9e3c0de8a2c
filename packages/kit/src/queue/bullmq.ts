// BullMQ queues and workers with Gatehouse's defaults: bounded retries with exponential backoff, jobs kept
// long enough to debug, and a hash-tagged prefix so every queue key lands in one Redis Cluster slot.
// Imported as `@gatehouse/kit/queue`, not from the kit's index: services without queues do not load BullMQ.
import { Queue, Worker, type JobsOptions, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import { QUEUE_PREFIX, type RedisConnection } from '../redis/connect.js';

export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createQueue<Data = unknown>(name: string, connection: RedisConnection, options: Partial<QueueOptions> = {}): Queue<Data> {
  return new Queue<Data>(name, {
    connection,
    prefix: QUEUE_PREFIX,
    ...options,
    defaultJobOptions: { ...defaultJobOptions, ...options.defaultJobOptions },
  });
}

/**
 * `connection` must have `maxRetriesPerRequest: null` (BullMQ blocks on it); the kit's
 * `ctx.redis({ blocking: true })` gives one.
 */
export function createWorker<Data = unknown, Result = unknown>(
  name: string,
  processor: Processor<Data, Result>,
  connection: RedisConnection,
  options: Partial<WorkerOptions> = {},
): Worker<Data, Result> {
  return new Worker<Data, Result>(name, processor, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: 4,
    // A crashed worker's job is picked up again after the lock lapses: nothing is lost.
    lockDuration: 60_000,
    maxStalledCount: 3,
    ...options,
  });
}
