import { describe, expect, it } from 'vitest';
import { GiveUpError, waitFor, WaitForTimeoutError } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first truthy value of the predicate', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? `ready after ${calls}` : false), { intervalMs: 1 })).resolves.toBe('ready after 3');
  });

  it('times out naming what it waited for and the last error', async () => {
    const error = await waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 20, intervalMs: 5, description: 'the thing' },
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect((error as Error).message).toMatch(/waiting for the thing: last error: connection refused/);
  });

  it('stops at once on a GiveUpError', async () => {
    let calls = 0;
    const attempt = waitFor(
      () => {
        calls++;
        throw new GiveUpError('process died');
      },
      { timeoutMs: 60_000 },
    );
    await expect(attempt).rejects.toThrow('process died');
    expect(calls).toBe(1);
  });
});
