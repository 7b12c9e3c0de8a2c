#!/usr/bin/env node
// bench/tls: what mutual TLS costs the two hot paths, authz Check and ratelimit ShouldRateLimit, and
// grpc-js itself (a no-op Check). Each runs twice, one process plaintext (GATEHOUSE_INSECURE_PLAINTEXT=true)
// and one with its certificate from a PKI made by `gatehouse pki` (TLS 1.3, client certificate required),
// under the same load from bench/tls/load.mjs (grpc-js, pre-encoded requests, a client certificate: h2load
// cannot present one). Legs alternate over rounds on this shared machine; medians are compared.
// Goal: mTLS throughput within 10% of plaintext (ratio >= 0.90). Needs `pnpm build`; uses only 127.0.0.1.
//
// Env: BENCH_SECONDS (default 5 per run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (4), BENCH_INFLIGHT (64 calls in
// flight over those connections), BENCH_NODE_OPTIONS (node flags of every server; default the NODE_OPTIONS
// docker-compose.yml gives authz and ratelimit), BENCH_TARGETS (comma-separated: noop,authz,ratelimit).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, lookupMessage, ServiceNames } from '@gatehouse/contracts';
import { startRedis, startService } from '@gatehouse/e2e';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 64);
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? '--max-semi-space-size=64';
const TARGETS = (process.env.BENCH_TARGETS ?? 'noop,authz,ratelimit').split(',');

const work = mkdtempSync(join(tmpdir(), 'gh-bench-tls-'));
const cleanups = [];
try {
  await main();
} finally {
  for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}

async function main() {
  // The deployment PKI, as `gatehouse pki` writes it, and a client certificate for the load generator.
  const pki = join(work, 'pki');
  const cli = join(root, 'packages', 'cli', 'dist', 'main.js');
  execFileSync(process.execPath, [cli, 'pki', 'init', '--dir', pki]);
  execFileSync(process.execPath, [cli, 'pki', 'issue', '--client', 'bench', '--dir', pki]);
  const clientTls = { ca: join(pki, 'ca.crt'), cert: join(pki, 'client-bench.crt'), key: join(pki, 'client-bench.key') };
  const tlsEnv = (name) => ({ TLS_CERT_FILE: join(pki, `${name}.crt`), TLS_KEY_FILE: join(pki, `${name}.key`), TLS_CA_FILE: join(pki, 'ca.crt') });
  const plainEnv = { GATEHOUSE_INSECURE_PLAINTEXT: 'true' };

  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const authzRequest = await authzCheckRequest();
  const targets = [];

  if (TARGETS.includes('noop')) {
    const start = async (env) => {
      const child = spawn(process.execPath, [join(here, 'noop-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env, NODE_OPTIONS } });
      cleanups.push(() => child.kill('SIGKILL'));
      const port = await new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`no-op server exited ${code}`)));
        child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
      });
      return { port, pid: child.pid };
    };
    targets.push({ name: 'grpc-js no-op Check', service: ServiceNames.authorization, method: 'Check', request: authzRequest.request, ok: () => true, plain: await start({}), tls: await start(tlsEnv('authz')) });
  }
  if (TARGETS.includes('authz')) {
    const start = async (env) => {
      const s = await startService('authz', { REDIS_URL: redis.url, AUTHZ_CONFIG_PATH: authzRequest.config, AUTHZ_COOKIE_SECRET: 'b'.repeat(32), LOG_LEVEL: 'warn', NODE_OPTIONS, ...env });
      cleanups.push(() => s.stop());
      return { port: s.grpcPort, pid: s.process.pid };
    };
    targets.push({ name: 'authz Check (cached ES256 JWT)', service: ServiceNames.authorization, method: 'Check', request: authzRequest.request, ok: (r) => r.status?.code === 0, plain: await start(plainEnv), tls: await start(tlsEnv('authz')) });
  }
  if (TARGETS.includes('ratelimit')) {
    const config = join(work, 'ratelimit');
    mkdirSync(config);
    // A limit far above the load: every check counts in Redis.
    writeFileSync(join(config, 'bench.yaml'), 'domain: bench\ndescriptors:\n  - key: k0\n    rate_limit: { unit: second, requests_per_unit: 1000000000 }\n');
    const start = async (env) => {
      const s = await startService('ratelimit', { REDIS_URL: redis.url, RATELIMIT_CONFIG_PATH: config, RATELIMIT_REDIS_CONFIG: 'false', RATELIMIT_REDIS_TIMEOUT_MS: '1000', LOG_LEVEL: 'warn', NODE_OPTIONS, ...env });
      cleanups.push(() => s.stop());
      return { port: s.grpcPort, pid: s.process.pid };
    };
    targets.push({
      name: 'ratelimit ShouldRateLimit (1 descriptor)',
      service: ServiceNames.rateLimit,
      method: 'ShouldRateLimit',
      request: { domain: 'bench', descriptors: [{ entries: [{ key: 'k0', value: 'v' }] }] },
      ok: (r) => r.overall_code === 'OK' || r.overall_code === 1,
      plain: await start(plainEnv),
      tls: await start(tlsEnv('ratelimit')),
    });
  }

  for (const t of targets) {
    const definition = grpcServiceDefinition(t.service)[t.method];
    t.path = definition.path;
    t.body = join(work, `${t.method}-${targets.indexOf(t)}.bin`);
    writeFileSync(t.body, definition.requestSerialize(t.request));
    // One real call on each leg first: the load must exercise the answered path, and the TLS leg must be TLS.
    await sanity(t, t.plain, grpc.credentials.createInsecure());
    const tlsCredentials = grpc.credentials.createSsl(readFileSync(clientTls.ca), readFileSync(clientTls.key), readFileSync(clientTls.cert));
    try {
      await sanity(t, t.tls, tlsCredentials);
      await expectRefused(t, t.tls, grpc.credentials.createInsecure());
    } catch (err) {
      t.tlsMissing = err.message;
    }
    t.runs = { plain: [], tls: [] };
  }

  console.log(`load: ${CONNECTIONS} connections, ${INFLIGHT} calls in flight, ${SECONDS}s per run after 1s warm-up, ${ROUNDS} rounds alternating the legs; node flags: ${NODE_OPTIONS || 'none'}\n`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const legs = round % 2 === 0 ? ['plain', 'tls'] : ['tls', 'plain'];
      for (const leg of legs) {
        if (leg === 'tls' && t.tlsMissing) continue;
        t.runs[leg].push(load(t, leg === 'tls' ? t.tls : t.plain, leg === 'tls' ? clientTls : undefined));
      }
    }
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(' target                                   | plaintext calls/s | mTLS calls/s | ratio | server CPU us/call plaintext, mTLS');
  let missed = 0;
  for (const t of targets) {
    const plain = { rps: median(t.runs.plain.map((r) => r.rps)), cpu: median(t.runs.plain.map((r) => r.cpuPerCall)) };
    if (t.tlsMissing) {
      console.log(` ${t.name.padEnd(40)} | ${plain.rps.toFixed(0).padStart(17)} | ${'n/a'.padStart(12)} |   n/a | ${plain.cpu.toFixed(0)}, n/a`);
      console.log(`   no TLS leg: ${t.tlsMissing}`);
      continue;
    }
    const tls = { rps: median(t.runs.tls.map((r) => r.rps)), cpu: median(t.runs.tls.map((r) => r.cpuPerCall)) };
    const ratio = tls.rps / plain.rps;
    if (ratio < 0.9) missed++;
    console.log(` ${t.name.padEnd(40)} | ${plain.rps.toFixed(0).padStart(17)} | ${tls.rps.toFixed(0).padStart(12)} | ${ratio.toFixed(2).padStart(5)} | ${plain.cpu.toFixed(0)}, ${tls.cpu.toFixed(0)}`);
  }
  console.log(`\ngoal: mTLS >= 0.90x plaintext; ${missed ? `${missed} target(s) below it` : 'met where measured'}. Load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log('The load generator shares the 2 cores with the servers, and the same client runs both legs: the ratio, not the absolute rate, is the result.');
}

/** A cached-JWT Check as bench/authz sends it, and the policy file authz loads for it. */
async function authzCheckRequest() {
  const jose = await import(pathToFileURL(createRequire(join(root, 'services', 'authz', 'package.json')).resolve('jose')).href);
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'es', alg: 'ES256' }] };
  const token = await new jose.SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: 'es' }).setIssuer('https://bench.example').setAudience('bench').setExpirationTime('2h').sign(privateKey);
  const config = join(work, 'policies.yaml');
  writeFileSync(config, `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: jwt, namespace: bench }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: api }]
  jwt:
    providers:
      - name: bench
        issuer: https://bench.example
        audiences: [bench]
        localJWKS: { type: Inline, inline: '${JSON.stringify(jwks)}' }
`);
  const request = {
    attributes: {
      source: { address: { socket_address: { address: '10.0.0.1', port_value: 40000 } } },
      request: { http: { id: 'bench', method: 'GET', path: '/api/items', host: 'api.bench', scheme: 'https', headers: { ':authority': 'api.bench', authorization: `Bearer ${token}` } } },
      context_extensions: { policy: 'bench/jwt' },
    },
  };
  lookupMessage('envoy.service.auth.v3.CheckRequest'); // fail early if the contracts are not generated
  return { config, request };
}

function call(t, server, credentials) {
  const Client = grpc.makeGenericClientConstructor(grpcServiceDefinition(t.service), 'Bench');
  const client = new Client(`127.0.0.1:${server.port}`, credentials, { 'grpc.ssl_target_name_override': 'localhost' });
  return new Promise((resolve, reject) =>
    client[t.method](t.request, { deadline: Date.now() + 5_000 }, (err, response) => {
      client.close();
      return err ? reject(err) : resolve(response);
    }),
  );
}

async function sanity(t, server, credentials) {
  let response;
  try {
    response = await call(t, server, credentials);
  } catch (err) {
    throw new Error(`${t.name}: a single call failed (${err.message}); the service does not serve this leg (a kit without TLS?)`);
  }
  if (!t.ok(response)) throw new Error(`${t.name}: unexpected answer ${JSON.stringify(response).slice(0, 300)}`);
}

async function expectRefused(t, server, credentials) {
  const answered = await call(t, server, credentials).then(
    () => true,
    () => false,
  );
  if (answered) throw new Error(`${t.name}: the TLS_* process answered a plaintext call: the service ignores TLS_CERT_FILE (a kit without TLS)`);
}

/** utime + stime of a process, in microseconds (Linux /proc). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

function load(t, server, tls) {
  const config = { target: `127.0.0.1:${server.port}`, path: t.path, body: t.body, seconds: SECONDS, warmupSeconds: 1, connections: CONNECTIONS, inflight: INFLIGHT, ...(tls ? { tls } : {}) };
  const cpuBefore = cpuMicros(server.pid);
  const result = spawnSync(process.execPath, [join(here, 'load.mjs'), JSON.stringify(config)], { encoding: 'utf8' });
  const cpu = cpuMicros(server.pid) - cpuBefore;
  if (result.status !== 0) throw new Error(`load generator failed: ${result.stderr}`);
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1));
  if (out.failed > 0) throw new Error(`${t.name} (${tls ? 'mTLS' : 'plaintext'}): ${out.failed} calls failed, first: ${out.firstError}`);
  // CPU over warm-up and run both; calls counted in the run only: comparable between legs, not absolute.
  return { rps: out.completed / out.seconds, cpuPerCall: cpu / Math.max(1, out.completed * (1 + 1 / SECONDS)) };
}
