// Polls a condition until it holds: readiness checks and eventually-consistent assertions.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Pause between attempts in milliseconds. Default 50. */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("redis-server to answer PING"). */
  description?: string;
}

/** Thrown by a predicate to end the wait at once (e.g. the process being awaited has died). */
export class GiveUpError extends Error {
  override readonly name: string = 'GiveUpError';
}

export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';
  readonly code = 'GH_E2E_WAIT_TIMEOUT';
}

/**
 * Calls `predicate` until it returns a value other than `false`/`undefined`/`null` and returns that value.
 * A throwing predicate counts as "not yet" (its last error is named in the timeout message), except that a
 * GiveUpError is rethrown at once.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, false | undefined | null>> {
  const { timeoutMs = 10_000, intervalMs = 50, description = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value !== false && value !== undefined && value !== null) return value as Exclude<T, false | undefined | null>;
    } catch (err) {
      if (err instanceof GiveUpError) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new WaitForTimeoutError(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
