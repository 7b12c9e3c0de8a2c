// An HTTPS reverse proxy in front of Pebble that adds what Debian's Pebble 2.4 lacks or lets tests
// inject CA behaviour: an ARI renewalInfo endpoint (RFC 9773), refusal of "replaces", and
// rate-limit answers. The Host header is kept, so Pebble builds every URL (and checks every JWS
// "url") against the proxy's address and all ACME traffic flows through it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createThrowawayCa, freePort, type PebbleHandle } from '@gatehouse/e2e';

export interface NewOrderSeen {
  readonly identifiers: { value: string }[];
  readonly replaces?: string;
  readonly profile?: string;
}

export interface AcmeStandIn {
  readonly directoryUrl: string;
  /** CA of the stand-in's own HTTPS certificate: trust it next to Pebble's. */
  readonly caPem: string;
  /** newOrder requests that got an answer other than badNonce (the client retries those). */
  readonly newOrders: NewOrderSeen[];
  readonly renewalInfoRequests: string[];
  /** Every request that reached the stand-in (the CA), from any client, at its arrival time (ms). */
  readonly requests: { at: number; method: string; path: string }[];
  /** Window served for a certificate id, or undefined to answer 404. */
  window: ((certId: string) => { start: Date; end: Date } | undefined) | undefined;
  /** Refuse newOrder requests that carry "replaces" (as a CA would for an already replaced cert). */
  refuseReplaces: boolean;
  /** Profiles announced in the directory's meta (Pebble 2.4 has none; it ignores the field in orders). */
  profiles: Record<string, string> | undefined;
  /** Answer every Nth signed POST with 400 badNonce (0 = never), as a CA rotating nonces would. */
  badNonceEvery: number;
  readonly badNoncesSent: () => number;
  /** Answer the next N newOrder requests with 429 rateLimited and this Retry-After (seconds). */
  rateLimitNext: { count: number; retryAfterSeconds: number };
  close(): void;
}

export async function startAcmeStandIn(pebble: PebbleHandle): Promise<AcmeStandIn> {
  const port = await freePort();
  const target = new URL(pebble.directoryUrl);
  const base = `https://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'gh-acme-stand-in-'));
  const tls = createThrowawayCa(dir, 'Gatehouse ACME stand-in test CA');
  let posts = 0;
  let badNonces = 0;
  const state: AcmeStandIn = {
    directoryUrl: `${base}/dir`,
    caPem: tls.caPem,
    badNonceEvery: 0,
    badNoncesSent: () => badNonces,
    newOrders: [],
    renewalInfoRequests: [],
    requests: [],
    window: undefined,
    refuseReplaces: false,
    profiles: undefined,
    rateLimitNext: { count: 0, retryAfterSeconds: 0 },
    close: () => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const server: Server = createServer({ cert: readFileSync(tls.serverCertPath), key: readFileSync(tls.serverKeyPath) }, (req, res) => {
    state.requests.push({ at: Date.now(), method: req.method ?? 'GET', path: req.url ?? '/' });
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
      if (req.method === 'POST' && state.badNonceEvery > 0 && ++posts % state.badNonceEvery === 0) {
        // No Replay-Nonce header: the client has to fetch a fresh nonce before it retries.
        badNonces++;
        res.writeHead(400, { 'content-type': 'application/problem+json' });
        return res.end(JSON.stringify({ type: 'urn:ietf:params:acme:error:badNonce', detail: 'JWS has an invalid anti-replay nonce', status: 400 }));
      }
      let newOrder: NewOrderSeen | undefined;
      if (path.startsWith('/order-plz') && req.method === 'POST') {
        const jws = JSON.parse(body.toString()) as { payload: string };
        const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString() || '{}') as NewOrderSeen;
        newOrder = payload;
        const problem = (status: number, type: string, detail: string, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
          res.end(JSON.stringify({ type, detail, status }));
        };
        if (state.rateLimitNext.count > 0) {
          state.newOrders.push(payload);
          state.rateLimitNext.count--;
          return problem(429, 'urn:ietf:params:acme:error:rateLimited', 'too many new orders recently', { 'retry-after': String(state.rateLimitNext.retryAfterSeconds) });
        }
        if (state.refuseReplaces && payload.replaces) {
          state.newOrders.push(payload);
          return problem(409, 'urn:ietf:params:acme:error:alreadyReplaced', 'certificate already replaced');
        }
      }
      const upstream = httpsRequest(
        { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers, ca: pebble.caBundlePem },
        (up) => {
          const upChunks: Buffer[] = [];
          up.on('data', (c: Buffer) => upChunks.push(c));
          up.on('end', () => {
            let out = Buffer.concat(upChunks);
            // Pebble's own badNonce answers (5%) are retried by the client: not a new order.
            if (newOrder && !(up.statusCode === 400 && out.toString().includes(':badNonce'))) state.newOrders.push(newOrder);
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
