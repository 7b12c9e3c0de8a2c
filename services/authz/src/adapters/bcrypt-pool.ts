// bcrypt off the event loop: a few worker threads run bcryptjs (pure JS, already a dependency; Node's
// crypto has no bcrypt, so the libuv threadpool cannot take it), one hash each at a time. A synchronous
// bcrypt of ~75 ms on the main thread let ~16 wrong passwords a second push every other policy's checks
// past Envoy's timeout; here the main thread only posts a message. Work beyond `threads + maxQueued`
// is refused at once ('busy', answered 503): a queue longer than Envoy waits helps no one.
// Workers start on the first bcrypt check (a replica without bcrypt users runs none), are unref'd, and
// a worker that dies fails its job (the check fails closed) and is replaced on the next one.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BcryptVerifier } from '../core/authenticate/step.js';

export interface BcryptPoolOptions {
  /** Hashing threads; default (or 0): the cores but one (at least 1, at most 4). */
  readonly threads?: number;
  /** Checks waiting for a thread before new ones are refused; default 8. */
  readonly maxQueued?: number;
}

interface Job {
  readonly password: string;
  readonly hash: string;
  readonly resolve: (matches: boolean) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
}

// Evaluated as a CommonJS script in each thread; bcryptjs is resolved by the main thread, so the same
// code runs from dist/ and from the sources under vitest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptjs);
parentPort.on('message', ({ password, hash }) => {
  let matches = false;
  try { matches = bcrypt.compareSync(password, hash); } catch { matches = false; }
  parentPort.postMessage(matches);
});
`;

export class BcryptPool implements BcryptVerifier {
  readonly threads: number;
  readonly maxQueued: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #bcryptjs = createRequire(import.meta.url).resolve('bcryptjs');
  /** Hashes run to completion since start (tests read it to see that a path hashed). */
  completed = 0;
  #closed = false;

  constructor(options: BcryptPoolOptions = {}) {
    this.threads = options.threads || Math.min(4, Math.max(1, availableParallelism() - 1));
    this.maxQueued = options.maxQueued ?? 8;
  }

  /** Checks hashing or waiting now. */
  get pending(): number {
    return this.#queue.length + this.#slots.filter((s) => s.job).length;
  }

  verify(password: string, hash: string): Promise<boolean> | 'busy' {
    if (this.#closed || this.pending >= this.threads + this.maxQueued) return 'busy';
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ password, hash, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error('bcrypt pool closed'));
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => !s.job) ?? (this.#slots.length < this.threads ? this.#spawn() : undefined);
      if (!slot) return;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({ password: job.password, hash: job.hash });
    }
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptjs: this.#bcryptjs } });
    worker.unref();
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (matches: boolean) => {
      const job = slot.job;
      slot.job = undefined;
      this.completed++;
      job?.resolve(matches === true);
      this.#dispatch();
    });
    const fail = (error: Error) => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      slot.job?.reject(error);
      slot.job = undefined;
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`bcrypt worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }
}
