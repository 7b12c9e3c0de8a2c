#!/usr/bin/env node
// bench/ratelimit: loads the ratelimit service with h2load (gRPC-framed ShouldRateLimit requests with
// 1, 3 and 10 descriptors) and, in the same run and the same way, a grpc-js no-op server as the
// baseline. Prints checks/s at max load, p50/p99 latency at half of that load, the ratio to the
// no-op, and Redis commands per check. Needs `pnpm build` first; uses only 127.0.0.1.
//
// The machine is shared, so each max-load run is repeated BENCH_ROUNDS times, alternating the two
// servers, and the best of each is kept; CPU time per check (server process, and Redis for the
// ratelimit service) is printed too, as it is less sensitive to other tenants than checks/s.
//
// Env: BENCH_SECONDS (default 5 per run), BENCH_ROUNDS (default 3), BENCH_CLIENTS (default 8),
// BENCH_STREAMS (streams per client to try at max load, default "8,32"), BENCH_SCENARIOS (comma-separated labels, e.g. "1,3"; default all),
// BENCH_NODE_OPTIONS (node flags for both servers; default the NODE_OPTIONS docker-compose.yml gives
// ratelimit), BENCH_PROFILE (extra node flags for the service only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"),
// BENCH_SERVICE_MAIN (another build's main.js to load instead of services/ratelimit/dist/main.js, for an A/B run;
// it must sit where it resolves the workspace packages, e.g. a copy of dist/ inside services/ratelimit/).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grpcServiceDefinition, lookupMessage, ServiceNames } from '@gatehouse/contracts';
import { freePorts, ManagedProcess, startRedis, waitFor } from '@gatehouse/e2e';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { Redis } from 'ioredis';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
// Max load is the best of these streams-per-client shapes: with few requests in flight a server
// that waits on Redis idles between batches, so its maximum shows only with more streams.
const STREAM_SHAPES = (process.env.BENCH_STREAMS ?? '8,32').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NODE_FLAGS = (process.env.BENCH_NODE_OPTIONS ?? '--max-semi-space-size=64').split(' ').filter(Boolean);
const PROFILE_FLAGS = (process.env.BENCH_PROFILE ?? '').split(' ').filter(Boolean);
// Scenarios: descriptors per request, and whether the request hits a rule that is always over its
// limit (a hot abuser, answered from the local cache without Redis).
const ALL_SCENARIOS = [
  { label: '1', count: 1, abuser: false },
  { label: '3', count: 3, abuser: false },
  { label: '10', count: 10, abuser: false },
  { label: '1 over limit', count: 1, abuser: true },
];
const SCENARIOS = process.env.BENCH_SCENARIOS ? ALL_SCENARIOS.filter((s) => process.env.BENCH_SCENARIOS.split(',').includes(s.label)) : ALL_SCENARIOS;
const PATH = '/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit';
const here = fileURLToPath(new URL('.', import.meta.url));
const serviceMain = process.env.BENCH_SERVICE_MAIN ?? fileURLToPath(new URL('../../services/ratelimit/dist/main.js', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-rl-'));
const cleanups = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
};

try {
  await main();
} finally {
  await cleanup();
}

async function main() {
  const redis = await startRedis();
  cleanups.push(() => redis.stop());

  // Limits far above the load, so every check goes to Redis (no local-cache shortcut).
  const descriptors = Array.from({ length: 10 }, (_, i) => `  - key: k${i}\n    rate_limit: { unit: second, requests_per_unit: 1000000000 }\n`).join('');
  const configDir = join(work, 'config');
  rmSync(configDir, { recursive: true, force: true });
  await import('node:fs').then((fs) => fs.mkdirSync(configDir));
  const abuser = '  - key: abuser\n    rate_limit: { unit: hour, requests_per_unit: 0 }\n';
  writeFileSync(join(configDir, 'bench.yaml'), `domain: bench\ndescriptors:\n${descriptors}${abuser}`);

  const [rlGrpc, rlAdmin, noopPort] = await freePorts(3);
  const ratelimit = new ManagedProcess({
    name: 'gatehouse-ratelimit',
    command: process.execPath,
    args: [...NODE_FLAGS, ...PROFILE_FLAGS, serviceMain],
    env: {
      REDIS_URL: redis.url,
      GATEHOUSE_CONTROL_KEY: randomBytes(32).toString('hex'),
      RATELIMIT_CONFIG_PATH: configDir,
      GRPC_PORT: String(rlGrpc),
      ADMIN_PORT: String(rlAdmin),
      BIND_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATELIMIT_REDIS_CONFIG: 'false',
      GATEHOUSE_INSECURE_PLAINTEXT: 'true', // the plaintext baseline; the mTLS cost is measured separately
      // At max load latency exceeds the production budget; a failure-mode answer (no Redis) would
      // flatter the numbers, so the bench waits for Redis and reports any error that still happens.
      RATELIMIT_REDIS_TIMEOUT_MS: process.env.BENCH_REDIS_TIMEOUT_MS ?? '1000',
    },
  });
  cleanups.push(() => ratelimit.stop());
  const noop = new ManagedProcess({ name: 'noop-server', command: process.execPath, args: [...NODE_FLAGS, join(here, 'noop-server.mjs'), String(noopPort)] });
  cleanups.push(() => noop.stop());
  await waitFor(async () => {
    ratelimit.assertRunning();
    return (await fetch(`http://127.0.0.1:${rlAdmin}/readyz`)).ok;
  }, { timeoutMs: 20_000, description: 'ratelimit ready' });

  const targets = [
    { name: 'grpc-js no-op', port: noopPort, pid: noop.pid },
    { name: 'ratelimit', port: rlGrpc, pid: ratelimit.pid },
  ];
  for (const t of targets) await sanityCheck(t.port);

  const counter = new Redis(redis.port, redis.host);
  cleanups.push(async () => counter.disconnect());
  const redisPid = Number(/process_id:(\d+)/.exec(await counter.info('server'))?.[1]);
  const rows = [];
  for (const { label, count, abuser: overLimit } of SCENARIOS) {
    const body = join(work, `request-${label.replace(/ /g, '-')}.bin`);
    writeFileSync(body, grpcFrame(count, overLimit));
    const result = {};
    for (const t of targets) result[t.name] = { max: { rps: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const streams of STREAM_SHAPES) {
        for (const t of targets) {
          const commandsBefore = await totalCommands(counter);
          const scriptCallsBefore = await scriptCalls(counter);
          const checksBefore = t.name === 'ratelimit' ? await answeredChecks(rlAdmin) : 0;
          const max = await h2load({ port: t.port, body, clients: CLIENTS, streams, seconds: SECONDS, cpuOf: { server: t.pid, redis: redisPid } });
          const checks = t.name === 'ratelimit' ? (await answeredChecks(rlAdmin)) - checksBefore : max.completed;
          const r = result[t.name];
          // CPU is sampled after h2load's warm-up, over the requests it counts.
          r.cpuPerCheck = Math.min(r.cpuPerCheck ?? Infinity, max.cpu.server / Math.max(1, max.completed));
          r.mainThreadPerCheck = Math.min(r.mainThreadPerCheck ?? Infinity, max.cpu.serverMainThread / Math.max(1, max.completed));
          r.redisCpuPerCheck = Math.min(r.redisCpuPerCheck ?? Infinity, max.cpu.redis / Math.max(1, max.completed));
          r.commandsPerCheck = ((await totalCommands(counter)) - commandsBefore) / Math.max(1, checks);
          r.scriptCallsPerCheck = ((await scriptCalls(counter)) - scriptCallsBefore) / Math.max(1, checks);
          if (max.rps > r.max.rps) r.max = { ...max, streams };
        }
      }
    }
    for (const t of targets) {
      result[t.name].half = await h2load({
        port: t.port,
        body,
        clients: CLIENTS,
        streams: 1,
        seconds: SECONDS,
        rpsPerClient: Math.max(1, Math.floor(result[t.name].max.rps / 2 / CLIENTS)),
        log: join(work, 'latency.log'),
      });
    }
    rows.push({ label, ...result });
  }

  const ops = await (await fetch(`http://127.0.0.1:${rlAdmin}/metrics`)).text();
  const redisErrors = /^ratelimit_redis_error_total\S* (\d+)/m.exec(ops)?.[1] ?? '?';

  console.log(`\nnode flags of both servers: ${NODE_FLAGS.join(' ') || 'none'}`);
  console.log(`h2load: ${CLIENTS} clients x ${STREAM_SHAPES.join(' or ')} streams (the shape of the best run in brackets), best of ${ROUNDS} x ${SECONDS}s; latency at half of that max load (${CLIENTS} clients, --rps)`);
  console.log(' descriptors | no-op checks/s | ratelimit checks/s | ratio | no-op p50/p99 ms | ratelimit p50/p99 ms | CPU us/check no-op, ratelimit (+redis) | main thread us/check no-op, ratelimit | Redis cmds/check | script calls/check');
  for (const r of rows) {
    const n = r['grpc-js no-op'];
    const s = r.ratelimit;
    console.log(
      [
        r.label.padStart(12),
        `${n.max.rps.toFixed(0)} [${n.max.streams}]`.padStart(14),
        `${s.max.rps.toFixed(0)} [${s.max.streams}]`.padStart(18),
        `${(s.max.rps / n.max.rps).toFixed(2)}x`.padStart(5),
        `${ms(n.half.p50)}/${ms(n.half.p99)}`.padStart(16),
        `${ms(s.half.p50)}/${ms(s.half.p99)}`.padStart(20),
        `${n.cpuPerCheck.toFixed(0)}, ${s.cpuPerCheck.toFixed(0)} (+${s.redisCpuPerCheck.toFixed(0)})`.padStart(37),
        `${n.mainThreadPerCheck.toFixed(0)}, ${s.mainThreadPerCheck.toFixed(0)}`.padStart(37),
        s.commandsPerCheck.toFixed(1).padStart(16),
        s.scriptCallsPerCheck.toFixed(2).padStart(18),
      ].join(' | '),
    );
  }
  console.log(`ratelimit_redis_error_total after the run: ${redisErrors} (checks answered by the failure mode); load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log('Redis cmds/check counts commands run inside scripts (INCRBY + EXPIRE per descriptor for fixed windows). Script calls/check: the');
  console.log('fixed windows of every check started in one event-loop turn share one EVALSHA, so under load it is well below 1; every check is one round trip.');
}

/** utime + stime of a process (or, with a thread id, of that thread), in microseconds (Linux /proc). */
function cpuMicros(pid, thread) {
  const fields = readFileSync(thread ? `/proc/${pid}/task/${thread}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

function ms(us) {
  return (us / 1000).toFixed(2);
}

/** A RateLimitRequest with `count` descriptors, in gRPC length-prefixed framing. */
function grpcFrame(count, overLimit) {
  const type = lookupMessage('envoy.service.ratelimit.v3.RateLimitRequest');
  const message = type.fromObject({
    domain: 'bench',
    descriptors: Array.from({ length: count }, (_, i) => ({ entries: [{ key: overLimit ? 'abuser' : `k${i}`, value: 'v' }] })),
  });
  const payload = type.encode(message).finish();
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(payload.length, 1);
  Buffer.from(payload).copy(frame, 5);
  return frame;
}

async function sanityCheck(port) {
  const Client = makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.rateLimit), 'RateLimitService');
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    const res = await new Promise((resolve, reject) =>
      client.ShouldRateLimit({ domain: 'bench', descriptors: [{ entries: [{ key: 'k0', value: 'v' }] }] }, { deadline: Date.now() + 5000 }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    if (res.overall_code !== 'OK' || !res.statuses?.[0]?.current_limit) throw new Error(`unexpected answer from :${port}: ${JSON.stringify(res)}`);
  } finally {
    client.close();
  }
}

/** Checks the service answered over gRPC (warm-up included), from its own histogram. */
async function answeredChecks(adminPort) {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  return Number(/^ratelimit_should_rate_limit_duration_seconds_count\{transport="grpc"[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
}

/** EVALSHA/EVAL calls Redis answered (INFO commandstats). */
async function scriptCalls(redis) {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Commands Redis executed, counting those run inside scripts. */
async function totalCommands(redis) {
  const info = await redis.info('stats');
  // Minus the INFO call itself.
  return Number(/total_commands_processed:(\d+)/.exec(info)[1]) - 1;
}

/** Runs h2load; with `cpuOf`, also the CPU those processes used after the warm-up second. */
function h2load({ port, body, clients, streams, seconds, rpsPerClient, log, cpuOf }) {
  const args = [
    `http://127.0.0.1:${port}${PATH}`,
    '-d', body,
    '-H', 'content-type: application/grpc',
    '-H', 'te: trailers',
    '-c', String(clients),
    '-m', String(streams),
    '-t', '1',
    '-D', String(seconds),
    '--warm-up-time', '1',
  ];
  if (rpsPerClient) args.push('--rps', String(rpsPerClient));
  if (log) {
    rmSync(log, { force: true });
    args.push('--log-file', log);
  }
  return new Promise((resolve, reject) => {
    const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const snapshot = () => cpuOf && { server: cpuMicros(cpuOf.server), serverMainThread: cpuMicros(cpuOf.server, cpuOf.server), redis: cpuMicros(cpuOf.redis) };
    let afterWarmUp;
    const warmUp = setTimeout(() => (afterWarmUp = snapshot()), 1000);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(warmUp);
      const end = snapshot();
      if (code !== 0) return reject(new Error(`h2load exited ${code}:\n${out}`));
      const rps = Number(/finished in [^,]+, ([\d.]+) req\/s/.exec(out)?.[1]);
      const completed = Number(/requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(out)?.[1]);
      const failed = Number(/(\d+) failed/.exec(out)?.[1] ?? 0);
      if (!Number.isFinite(rps)) return reject(new Error(`cannot parse h2load output:\n${out}`));
      if (failed > 0) return reject(new Error(`h2load saw ${failed} failed requests:\n${out}`));
      const result = { rps, completed };
      if (end && afterWarmUp) result.cpu = Object.fromEntries(Object.keys(end).map((k) => [k, end[k] - afterWarmUp[k]]));
      if (log) {
        const latencies = readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((line) => Number(line.split('\t')[2]))
          .filter(Number.isFinite)
          .sort((a, b) => a - b);
        result.p50 = percentile(latencies, 0.5);
        result.p99 = percentile(latencies, 0.99);
      }
      resolve(result);
    });
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
