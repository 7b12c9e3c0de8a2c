// backendSettings.retry of a remoteJWKS or OIDC provider backend, against a real HTTP server: failed
// answers and connection failures are retried as the triggers say, at most numRetries times, with the
// back-off between attempts (waited through a recorder here, so nothing depends on time).
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompileContext } from '../core/policy/fields.js';
import { compileBackendRetry } from '../core/policy/compile-retry.js';
import type { ServiceRetrySpec } from '../core/policy/policy-model.js';
import { fetchTextVia } from './fetch-via-backend.js';
import { withRetries } from './retrying-fetch.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A server answering the given statuses in turn (the last one from then on); its port and request count. */
async function serve(statuses: number[]): Promise<{ port: number; calls: () => number }> {
  let calls = 0;
  server = createServer((_req, res) => {
    const status = statuses[Math.min(calls, statuses.length - 1)]!;
    calls += 1;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { port: address.port, calls: () => calls };
}

const retry = (triggers: string[], numRetries = 3): ServiceRetrySpec => ({ numRetries, triggers, baseIntervalMs: 100, maxIntervalMs: 250 });

describe('a fetch with backendSettings.retry', () => {
  it('retries a 503 for 5xx until the backend answers, waiting a jittered back-off capped by maxInterval', async () => {
    const { port, calls } = await serve([503, 503, 200]);
    const waits: number[] = [];
    const fetched = await withRetries(() => fetchTextVia('http://idp.example/jwks', { host: '127.0.0.1', port }, { timeoutMs: 2000, maxBytes: 1000 }), retry(['5xx']), async (ms) => void waits.push(ms));
    expect(fetched.status).toBe(200);
    expect(calls()).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('gives up after numRetries and returns the last answer', async () => {
    const { port, calls } = await serve([502]);
    const fetched = await withRetries(() => fetchTextVia('http://idp.example/jwks', { host: '127.0.0.1', port }, { timeoutMs: 2000, maxBytes: 1000 }), retry(['gateway-error'], 2), async () => {});
    expect(fetched.status).toBe(502);
    expect(calls()).toBe(3);
  });

  it('does not retry an answer no trigger names (gateway-error is 502, 503 and 504 only)', async () => {
    const { port, calls } = await serve([500, 200]);
    const fetched = await withRetries(() => fetchTextVia('http://idp.example/jwks', { host: '127.0.0.1', port }, { timeoutMs: 2000, maxBytes: 1000 }), retry(['gateway-error']), async () => {});
    expect(fetched.status).toBe(500);
    expect(calls()).toBe(1);
  });

  it('retries a refused connection for connect-failure, and not for a status-only trigger', async () => {
    const { port } = await serve([200]);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const attempts = { retried: 0, once: 0 };
    const down = (key: 'retried' | 'once') => () => {
      attempts[key] += 1;
      return fetchTextVia('http://idp.example/jwks', { host: '127.0.0.1', port }, { timeoutMs: 2000, maxBytes: 1000 });
    };
    await expect(withRetries(down('retried'), retry(['connect-failure'], 2), async () => {})).rejects.toThrow();
    await expect(withRetries(down('once'), retry(['retriable-status-codes'], 2), async () => {})).rejects.toThrow();
    expect(attempts).toEqual({ retried: 3, once: 1 });
  });

  it('is one attempt without a retry setting', async () => {
    const { port, calls } = await serve([503, 200]);
    const fetched = await withRetries(() => fetchTextVia('http://idp.example/jwks', { host: '127.0.0.1', port }, { timeoutMs: 2000, maxBytes: 1000 }), undefined);
    expect(fetched.status).toBe(503);
    expect(calls()).toBe(1);
  });
});

describe('compiling backendSettings.retry', () => {
  const compile = (settings: unknown) => {
    const issues: string[] = [];
    const ctx: CompileContext = { issue: (path, message) => void issues.push(`${path}: ${message}`), lookup: () => undefined, namespace: 'default', key: 'default/p' };
    return { retry: compileBackendRetry({ backendSettings: settings }, '/spec/oidc/provider', ctx), issues };
  };

  it("takes Envoy Gateway's defaults: 2 retries, its default triggers, Envoy's 1 s base and 10 s max back-off", () => {
    expect(compile({ retry: {} })).toEqual({ retry: { numRetries: 2, triggers: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'], baseIntervalMs: 1000, maxIntervalMs: 10_000 }, issues: [] });
  });

  it('reads numRetries, triggers and the back-off, and reports a max below the base', () => {
    expect(compile({ retry: { numRetries: 3, retryOn: { triggers: ['5xx', 'reset'] }, perRetry: { backOff: { baseInterval: '1s', maxInterval: '5s' } } } }).retry).toEqual({ numRetries: 3, triggers: ['5xx', 'reset'], baseIntervalMs: 1000, maxIntervalMs: 5000 });
    expect(compile({ retry: { perRetry: { backOff: { baseInterval: '2s', maxInterval: '1s' } } } }).issues).toEqual(['/spec/oidc/provider/backendSettings/retry/perRetry/backOff/maxInterval: must not be less than baseInterval']);
  });

  it('is nothing without retry', () => {
    expect(compile({}).retry).toBeUndefined();
  });
});
