// Test helper: a real HTTP JWKS endpoint whose keys and health the test controls, counting requests.
import { createServer, type Server } from 'node:http';
import type { JWK } from 'jose';

export interface JwksServer {
  readonly uri: string;
  keys: JWK[];
  /** When false, every request answers 503. */
  healthy: boolean;
  requests: number;
  /** Artificial latency, so concurrent misses overlap. */
  delayMs: number;
  stop(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state = { keys, healthy: true, requests: 0, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    setTimeout(() => {
      if (!state.healthy) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
    }, state.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(state, {
    uri: `http://127.0.0.1:${port}/jwks.json`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as JwksServer;
}
