#!/usr/bin/env node
// bench/authz: Check throughput under h2load against a grpc-js no-op Check measured in the same run,
// plus the raw jose verify rate for the same keys. Prints ratios; targets:
//   cached JWT          >= 0.8x the no-op
//   first-seen ES256/RS256 >= 0.5x raw jose verify (the service with its verdict cache disabled, so
//                          every request verifies a signature — what a stream of new tokens costs)
// Usage: node bench/authz/run.mjs [--duration 5] [--clients 4] [--streams 16]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, lookupMessage, ServiceNames } from '@gatehouse/contracts';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
const DURATION = Number(args.duration ?? 5);
const CLIENTS = Number(args.clients ?? 4);
const STREAMS = Number(args.streams ?? 16);
const requireFromAuthz = createRequire(join(here, '../../services/authz/package.json'));
const jose = await import(pathToFileURL(requireFromAuthz.resolve('jose')).href);

if (spawnSync('h2load', ['--version']).status !== 0) {
  console.error('h2load not found (apt-get install nghttp2-client)');
  process.exit(2);
}

const ISSUER = 'https://bench.example';
const es = await jose.generateKeyPair('ES256');
const rs = await jose.generateKeyPair('RS256');
const jwks = { keys: [{ ...(await jose.exportJWK(es.publicKey)), kid: 'es', alg: 'ES256' }, { ...(await jose.exportJWK(rs.publicKey)), kid: 'rs', alg: 'RS256' }] };
const sign = (key, alg, kid, sub) => new jose.SignJWT({ sub, scope: 'read' }).setProtectedHeader({ alg, kid }).setIssuer(ISSUER).setAudience('bench').setExpirationTime('2h').sign(key);
const API_KEY = 'bench-key-0123456789abcdef';

const dir = mkdtempSync(join(tmpdir(), 'gh-bench-authz-'));
writeFileSync(join(dir, 'policies.yaml'), `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: jwt, namespace: bench }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }]
  jwt:
    providers:
      - name: bench
        issuer: ${ISSUER}
        audiences: [bench]
        localJWKS: { type: Inline, inline: '${JSON.stringify(jwks)}' }
        claimToHeaders: [{ claim: sub, header: x-user-id }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: keys, namespace: bench }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }]
  apiKeyAuth:
    credentialRefs: [{ name: keys }]
    extractFrom: [{ headers: [x-api-key] }]
---
apiVersion: v1
kind: Secret
metadata: { name: keys, namespace: bench }
stringData: { client-a: ${API_KEY} }
`);

function checkRequest(policy, headers) {
  return {
    attributes: {
      source: { address: { socket_address: { address: '10.0.0.1', port_value: 40000 } } },
      request: { http: { id: 'bench', method: 'GET', path: '/api/items', host: 'api.bench', scheme: 'https', headers: { ':authority': 'api.bench', accept: 'application/json', ...headers } } },
      context_extensions: { policy },
    },
  };
}

/** A gRPC length-prefixed message, the body h2load sends with every request. */
function grpcFrame(request) {
  const type = lookupMessage('envoy.service.auth.v3.CheckRequest');
  const bytes = type.encode(type.fromObject(request)).finish();
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt32BE(bytes.length, 1);
  Buffer.from(bytes).copy(frame, 5);
  const file = join(dir, `req-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(file, frame);
  return file;
}

async function startServer(...serverArgs) {
  const child = spawn(process.execPath, [join(here, 'server.mjs'), ...serverArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
  });
  return { port, pid: child.pid, stop: () => child.kill('SIGKILL') };
}

/** One real call first: the load must exercise the allowed path, not a cheap denial. */
async function assertAllowed(port, request, expectAllowed) {
  const Client = grpc.makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.authorization), 'Authorization');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const response = await new Promise((resolve, reject) => client.Check(request, (e, r) => (e ? reject(e) : resolve(r))));
  client.close();
  if (expectAllowed && response.status?.code !== 0) throw new Error(`expected an allowed answer, got ${JSON.stringify(response).slice(0, 300)}`);
}

/** CPU time (user + system) of a process's main thread, in microseconds (Linux /proc). */
function mainThreadMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

/** Checks/s, and the server's main-thread CPU per check: a JS server's capacity, and less sensitive to other tenants. */
function h2load(port, bodyFile, pid) {
  const cpuBefore = mainThreadMicros(pid);
  const result = spawnSync('h2load', [
    '-D', String(DURATION), '-c', String(CLIENTS), '-m', String(STREAMS), '-t', '1',
    '-d', bodyFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers',
    `http://127.0.0.1:${port}/envoy.service.auth.v3.Authorization/Check`,
  ], { encoding: 'utf8' });
  const rate = Number(/finished in [\d.]+s, ([\d.]+) req\/s/.exec(result.stdout)?.[1]);
  const failed = Number(/(\d+) failed/.exec(result.stdout)?.[1] ?? 0);
  if (!rate || failed > 0) throw new Error(`h2load failed:\n${result.stdout}\n${result.stderr}`);
  const succeeded = Number(/(\d+) succeeded/.exec(result.stdout)?.[1]);
  return { rate, cpuPerCheck: (mainThreadMicros(pid) - cpuBefore) / succeeded };
}

function joseRate(alg) {
  const result = spawnSync(process.execPath, [join(here, 'jose-rate.mjs'), alg, String(DURATION)], { encoding: 'utf8' });
  const rate = Number(result.stdout.trim());
  if (!rate) throw new Error(`jose-rate failed: ${result.stderr}`);
  return rate;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const ROUNDS = Number(args.rounds ?? 3);
const servers = [];
try {
  const config = join(dir, 'policies.yaml');
  const esToken = await sign(es.privateKey, 'ES256', 'es', 'alice');
  const rsToken = await sign(rs.privateKey, 'RS256', 'rs', 'alice');
  const jwtRequest = checkRequest('bench/jwt', { authorization: `Bearer ${esToken}` });
  const noop = await startServer('noop');
  const cachedServer = await startServer('authz', config);
  const uncachedServer = await startServer('authz', config, '0');
  servers.push(noop, cachedServer, uncachedServer);
  // The machine is shared: every scenario runs once per round, rounds interleave, medians are compared.
  const scenarios = [
    { name: 'grpc-js no-op Check (baseline)', server: noop, request: jwtRequest, allowed: false },
    { name: 'authz: cached ES256 JWT', server: cachedServer, request: jwtRequest },
    { name: 'authz: API key', server: cachedServer, request: checkRequest('bench/keys', { 'x-api-key': API_KEY }) },
    { name: 'authz: first-seen ES256 (cache off)', server: uncachedServer, request: jwtRequest },
    { name: 'authz: first-seen RS256 (cache off)', server: uncachedServer, request: checkRequest('bench/jwt', { authorization: `Bearer ${rsToken}` }) },
    { name: 'raw jose jwtVerify ES256', jose: 'ES256' },
    { name: 'raw jose jwtVerify RS256', jose: 'RS256' },
  ];
  for (const s of scenarios) {
    s.rates = [];
    s.cpu = [];
    if (s.server) {
      await assertAllowed(s.server.port, s.request, s.allowed ?? true);
      s.body = grpcFrame(s.request);
    }
  }
  console.log(`h2load: ${DURATION}s per run, ${CLIENTS} connections x ${STREAMS} streams, 1 thread; ${ROUNDS} interleaved rounds; each server in its own process\n`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of scenarios) {
      if (s.jose) {
        s.rates.push(joseRate(s.jose));
        continue;
      }
      const { rate, cpuPerCheck } = h2load(s.server.port, s.body, s.server.pid);
      s.rates.push(rate);
      s.cpu.push(cpuPerCheck);
    }
  }
  const byName = Object.fromEntries(scenarios.map((s) => [s.name, s]));
  for (const s of scenarios) {
    const cpu = s.cpu.length > 0 ? `   main thread ${Math.min(...s.cpu).toFixed(1)} us/check (best run)` : '';
    console.log(`${s.name.padEnd(40)} ${median(s.rates).toFixed(0).padStart(8)} /s   (runs: ${s.rates.map((r) => r.toFixed(0)).join(', ')})${cpu}`);
  }
  // Ratios are taken within each round (runs seconds apart), then the median across rounds: this
  // cancels most of the drift a shared machine adds between rounds.
  const ratio = (a, b) => median(byName[a].rates.map((r, i) => r / byName[b].rates[i]));
  const line = (name, value, target) => console.log(`${name.padEnd(40)} ${value.toFixed(2)}x  (target >= ${target}x) ${value >= target ? 'ok' : 'BELOW TARGET'}`);
  console.log('');
  line('cached JWT / no-op', ratio('authz: cached ES256 JWT', 'grpc-js no-op Check (baseline)'), 0.8);
  line('API key / no-op', ratio('authz: API key', 'grpc-js no-op Check (baseline)'), 0.8);
  // The same comparison from CPU cost: checks per second of main thread, best run of each.
  const capacity = (a, b) => Math.min(...byName[b].cpu) / Math.min(...byName[a].cpu);
  line('cached JWT / no-op, by main-thread CPU', capacity('authz: cached ES256 JWT', 'grpc-js no-op Check (baseline)'), 0.8);
  line('API key / no-op, by main-thread CPU', capacity('authz: API key', 'grpc-js no-op Check (baseline)'), 0.8);
  line('first-seen ES256 / raw jose ES256', ratio('authz: first-seen ES256 (cache off)', 'raw jose jwtVerify ES256'), 0.5);
  line('first-seen RS256 / raw jose RS256', ratio('authz: first-seen RS256 (cache off)', 'raw jose jwtVerify RS256'), 0.5);
} finally {
  for (const s of servers) s.stop();
  rmSync(dir, { recursive: true, force: true });
}
