#!/usr/bin/env node
// bench/xds: how long one route change takes to reach 1,000 concurrent ADS streams (SotW and
// delta), the server's memory at 1,000 routes and 1,000 streams, and bytes sent per change.
// Baseline, measured in the same run: a grpc-js server that writes one prepared response of the
// SotW push's size to every stream (the floor for any server pushing that change).
// Needs `pnpm build`. BENCH_STREAMS, BENCH_CONNECTIONS, BENCH_CHANGES override the defaults.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TypeUrls } from '@gatehouse/contracts';
import { createAdsClient, openDeltaStream, openSotwStream } from '../../services/xds/dist/testing/index.js';
import { NODE_CLUSTER, ROUTES, ROUTE_CONFIGS, routeConfigNames } from './fixture.mjs';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 5);
const TARGET_PUSH_MS = 1000;
const TARGET_MEMORY_MIB = 200;
const MiB = 1024 * 1024;

function startServer(mode) {
  const child = fork(fileURLToPath(new URL('./server-process.mjs', import.meta.url)), [mode], { execArgv: ['--expose-gc', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [])] });
  const pending = [];
  child.on('message', (msg) => {
    const index = pending.findIndex((p) => p.match(msg));
    if (index >= 0) pending.splice(index, 1)[0].resolve(msg);
  });
  const expect = (match) => new Promise((resolve) => pending.push({ match, resolve }));
  return {
    ready: expect((m) => m.ready !== undefined).then((m) => m.ready),
    set: (generation) => {
      const done = expect((m) => m.setDone === generation);
      child.send({ set: generation });
      return done;
    },
    stats: () => {
      const done = expect((m) => m.stats !== undefined).then((m) => m.stats);
      child.send({ stats: true });
      return done;
    },
    stop: () => {
      child.send({ exit: true });
      return new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Opens STREAMS streams that subscribe to every route configuration and ACK every response. */
async function openStreams(port, variant, expectInitialResponse) {
  const address = `127.0.0.1:${port}`;
  const clients = Array.from({ length: CONNECTIONS }, () => createAdsClient(address));
  const names = routeConfigNames();
  const streams = [];
  let responses = 0;
  const waiters = [];
  const onResponse = () => {
    responses++;
    for (const w of [...waiters]) if (responses >= w.count) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  };
  const until = (count) => (responses >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })));
  for (let i = 0; i < STREAMS; i++) {
    const client = clients[i % CONNECTIONS];
    const node = { id: `bench-${i}`, cluster: NODE_CLUSTER };
    if (variant === 'sotw') {
      const s = openSotwStream(address, client);
      s.raw = s.send;
      s.send({ node, type_url: TypeUrls.routeConfiguration, resource_names: names });
      pump(s, (r) => s.send({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, resource_names: names }), onResponse);
      streams.push(s);
    } else {
      const s = openDeltaStream(address, client);
      s.send({ node, type_url: TypeUrls.routeConfiguration, resource_names_subscribe: names });
      pump(s, (r) => s.send({ type_url: r.type_url, response_nonce: r.nonce }), onResponse);
      streams.push(s);
    }
  }
  if (expectInitialResponse) await until(STREAMS);
  return {
    responses: () => responses,
    until,
    close: () => {
      for (const s of streams) s.close();
      for (const c of clients) c.close();
    },
  };
}

async function pump(stream, ack, onResponse) {
  for (;;) {
    let response;
    try {
      response = await stream.responses.next(600_000);
    } catch {
      return;
    }
    ack(response);
    onResponse();
  }
}

async function measurePushes(server, streams, firstGeneration) {
  const times = [];
  for (let i = 0; i < CHANGES; i++) {
    const before = streams.responses();
    const started = process.hrtime.bigint();
    await server.set(firstGeneration + i);
    await streams.until(before + STREAMS);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function waitForStreams(server) {
  for (;;) {
    const stats = await server.stats();
    if (stats.streams >= STREAMS) return stats;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runVariant(variant) {
  const server = startServer('xds');
  const port = await server.ready;
  const streams = await openStreams(port, variant, true);
  await new Promise((r) => setTimeout(r, 200)); // let the ACKs land
  const idle = await server.stats();
  const pushMs = await measurePushes(server, streams, 1);
  await new Promise((r) => setTimeout(r, 1000)); // steady state: ACKs in, transport buffers drained
  const after = await server.stats();
  streams.close();
  await server.stop();
  return { pushMs, memory: after, bytesPerChange: (after.bytesSent - idle.bytesSent) / CHANGES };
}

async function runBaseline() {
  const server = startServer('raw');
  const port = await server.ready;
  const streams = await openStreams(port, 'sotw', false);
  const idle = await waitForStreams(server);
  const pushMs = await measurePushes(server, streams, 1);
  await new Promise((r) => setTimeout(r, 1000)); // steady state, as for the variants
  const after = await server.stats();
  streams.close();
  await server.stop();
  return { pushMs, memory: after, bytesPerChange: (after.bytesSent - idle.bytesSent) / CHANGES };
}

// Translation time first (its own script, also runnable alone: node bench/xds/translate.mjs).
if (!process.env.BENCH_ONLY) {
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, [fileURLToPath(new URL('./translate.mjs', import.meta.url))], { stdio: 'inherit' });
}

const fmt = (n, digits = 1) => n.toFixed(digits);
console.log(`streams: ${STREAMS} over ${CONNECTIONS} connections; ${ROUTES} routes in ${ROUTE_CONFIGS} route configurations; median of ${CHANGES} changes`);
const only = process.env.BENCH_ONLY;
const skipped = { pushMs: NaN, memory: { rss: NaN, heapUsed: NaN, external: NaN }, bytesPerChange: NaN };
const baseline = !only || only === 'baseline' ? await runBaseline() : skipped;
const sotw = !only || only === 'sotw' ? await runVariant('sotw') : skipped;
const delta = !only || only === 'delta' ? await runVariant('delta') : skipped;
console.log('\none route change reaching every stream:');
console.log(`  baseline (grpc-js, one prepared response per stream): ${fmt(baseline.pushMs)} ms`);
console.log(`  gatehouse SotW : ${fmt(sotw.pushMs)} ms  (x${fmt(sotw.pushMs / baseline.pushMs, 2)} baseline)  target < ${TARGET_PUSH_MS} ms: ${sotw.pushMs < TARGET_PUSH_MS ? 'met' : 'MISSED'}`);
console.log(`  gatehouse delta: ${fmt(delta.pushMs)} ms  (x${fmt(delta.pushMs / baseline.pushMs, 2)} baseline)  target < ${TARGET_PUSH_MS} ms: ${delta.pushMs < TARGET_PUSH_MS ? 'met' : 'MISSED'}`);
console.log('\nbytes sent per change (all streams):');
console.log(`  SotW : ${fmt(sotw.bytesPerChange / 1024)} KiB (${fmt(sotw.bytesPerChange / STREAMS, 0)} B/stream)`);
console.log(`  delta: ${fmt(delta.bytesPerChange / 1024)} KiB (${fmt(delta.bytesPerChange / STREAMS, 0)} B/stream)  = x${fmt(delta.bytesPerChange / sotw.bytesPerChange, 3)} SotW`);
console.log(`\nserver memory with ${STREAMS} streams and ${ROUTES} routes, after the pushes (after GC):`);
const mem = (m) => `rss ${fmt(m.rss / MiB)} MiB, heap ${fmt(m.heapUsed / MiB)} MiB, external ${fmt(m.external / MiB)} MiB`;
console.log(`  baseline: ${mem(baseline.memory)}`);
for (const [name, r] of [['SotW', sotw], ['delta', delta]]) {
  console.log(`  ${name.padEnd(8)}: ${mem(r.memory)}  (x${fmt(r.memory.rss / baseline.memory.rss, 2)} baseline rss)  target < ${TARGET_MEMORY_MIB} MiB: ${r.memory.rss / MiB < TARGET_MEMORY_MIB ? 'met' : 'MISSED'}`);
}
process.exit(0);
