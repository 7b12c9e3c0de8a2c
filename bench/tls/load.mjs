#!/usr/bin/env node
// The load generator of bench/tls: grpc-js unary calls of one pre-encoded request, over its own
// connections, plaintext or mutual TLS with a client certificate (what h2load cannot present). Bytes go
// out and come back undecoded, so the client's cost is the transport's alone, the same for both legs.
// Usage: load.mjs '<json>' with { target, path, body (file of the protobuf bytes), seconds, warmupSeconds,
// connections, inflight, tls?: { ca, cert, key } }. Prints { completed, failed, seconds } as JSON.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

const cfg = JSON.parse(process.argv[2]);
const body = readFileSync(cfg.body);
const credentials = cfg.tls
  ? grpc.credentials.createSsl(readFileSync(cfg.tls.ca), readFileSync(cfg.tls.key), readFileSync(cfg.tls.cert))
  : grpc.credentials.createInsecure();
// One connection per client (no shared subchannel pool); the certificates name localhost besides 127.0.0.1.
const options = { 'grpc.use_local_subchannel_pool': 1, 'grpc.ssl_target_name_override': 'localhost' };
const clients = Array.from({ length: cfg.connections }, () => new grpc.Client(cfg.target, credentials, options));
const identity = (b) => b;

let measuring = false;
let stopped = false;
let completed = 0;
let failed = 0;
let firstError;
function fire(client) {
  client.makeUnaryRequest(cfg.path, identity, identity, body, (err) => {
    if (measuring) {
      if (err) {
        failed++;
        firstError ??= err.message;
      } else completed++;
    }
    if (!stopped) fire(client);
  });
}
for (let i = 0; i < cfg.inflight; i++) fire(clients[i % clients.length]);
await new Promise((r) => setTimeout(r, (cfg.warmupSeconds ?? 1) * 1000));
measuring = true;
const start = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
measuring = false;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
stopped = true;
process.stdout.write(`${JSON.stringify({ completed, failed, seconds, ...(firstError ? { firstError } : {}) })}\n`);
for (const c of clients) c.close();
process.exit(0);
