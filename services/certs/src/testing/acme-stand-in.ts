// An HTTPS reverse proxy in front of Pebble that adds what Debian's Pebble 2.4 lacks or lets tests
// inject CA behaviour: an ARI renewalInfo endpoint (RFC 9773), refusal of "replaces", and
// rate-limit answers. The Host header is kept, so Pebble builds every URL (and checks every JWS
// "url") against the proxy's address and all ACME traffic flows through it.
import { readFileSync } from 'node:fs';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import { freePort } from './processes.js';
import type { TestPebble } from './pebble.js';

export interface NewOrderSeen {
  readonly identifiers: { value: string }[];
  readonly replaces?: string;
  readonly profile?: string;
}

export interface AcmeStandIn {
  readonly directoryUrl: string;
  readonly newOrders: NewOrderSeen[];
  readonly renewalInfoRequests: string[];
  /** Window served for a certificate id, or undefined to answer 404. */
  window: ((certId: string) => { start: Date; end: Date } | undefined) | undefined;
  /** Refuse newOrder requests that carry "replaces" (as a CA would for an already replaced cert). */
  refuseReplaces: boolean;
  /** Profiles announced in the directory's meta (Pebble 2.4 has none; it ignores the field in orders). */
  profiles: Record<string, string> | undefined;
  /** Answer the next N newOrder requests with 429 rateLimited and this Retry-After (seconds). */
  rateLimitNext: { count: number; retryAfterSeconds: number };
  close(): void;
}

export async function startAcmeStandIn(pebble: TestPebble): Promise<AcmeStandIn> {
  const port = await freePort();
  const target = new URL(pebble.directoryUrl);
  const base = `https://127.0.0.1:${port}`;
  const state: AcmeStandIn = {
    directoryUrl: `${base}/dir`,
    newOrders: [],
    renewalInfoRequests: [],
    window: undefined,
    refuseReplaces: false,
    profiles: undefined,
    rateLimitNext: { count: 0, retryAfterSeconds: 0 },
    close: () => server.close(),
  };

  const server: Server = createServer({ cert: readFileSync(pebble.tlsCertFile), key: readFileSync(pebble.tlsKeyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      if (path.startsWith('/renewal-info/')) {
        const certId = path.slice('/renewal-info/'.length);
        state.renewalInfoRequests.push(certId);
        const window = state.window?.(certId);
        if (!window) return res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '21600' });
        return res.end(JSON.stringify({ suggestedWindow: { start: window.start.toISOString(), end: window.end.toISOString() } }));
      }
      if (path.startsWith('/order-plz') && req.method === 'POST') {
        const jws = JSON.parse(body.toString()) as { payload: string };
        const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString() || '{}') as NewOrderSeen;
        state.newOrders.push(payload);
        const problem = (status: number, type: string, detail: string, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
          res.end(JSON.stringify({ type, detail, status }));
        };
        if (state.rateLimitNext.count > 0) {
          state.rateLimitNext.count--;
          return problem(429, 'urn:ietf:params:acme:error:rateLimited', 'too many new orders recently', { 'retry-after': String(state.rateLimitNext.retryAfterSeconds) });
        }
        if (state.refuseReplaces && payload.replaces) return problem(409, 'urn:ietf:params:acme:error:alreadyReplaced', 'certificate already replaced');
      }
      const upstream = httpsRequest(
        { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers, ca: pebble.tlsCaPem },
        (up) => {
          const upChunks: Buffer[] = [];
          up.on('data', (c: Buffer) => upChunks.push(c));
          up.on('end', () => {
            let out = Buffer.concat(upChunks);
            if (path === '/dir' && up.statusCode === 200) {
              const directory = JSON.parse(out.toString()) as Record<string, unknown>;
              directory.renewalInfo = `${base}/renewal-info`;
              if (state.profiles) directory.meta = { ...(directory.meta as object), profiles: state.profiles };
              out = Buffer.from(JSON.stringify(directory));
            }
            const headers = { ...up.headers, 'content-length': String(out.length) };
            delete headers['transfer-encoding'];
            res.writeHead(up.statusCode ?? 502, headers);
            res.end(out);
          });
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return state;
}
