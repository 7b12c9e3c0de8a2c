#!/usr/bin/env node
// `pnpm start`: the whole gateway without Docker. Runs the four built services as child processes,
// starts a throwaway redis-server when REDIS_URL is unset, and Envoy when an `envoy` binary is on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const children = [];
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

function run(name, command, args, env = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${name} exited (${signal ?? code}); stopping everything`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

for (const service of ['xds', 'certs', 'authz', 'ratelimit']) {
  if (!existsSync(join(root, 'services', service, 'dist', 'main.js'))) {
    console.error(`[start] services/${service}/dist/main.js is missing: run \`pnpm build\` first`);
    process.exit(1);
  }
}

if (!process.env.REDIS_URL) {
  if (!has('redis-server')) {
    console.error('[start] REDIS_URL is unset and redis-server is not installed (Debian package: redis-server)');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
  run('redis', 'redis-server', ['--port', '6379', '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes']);
  process.env.REDIS_URL = 'redis://127.0.0.1:6379';
  console.log(`[start] started redis-server on 127.0.0.1:6379 (data in ${dir})`);
}

const common = { BIND_HOST: process.env.BIND_HOST ?? '127.0.0.1' };
run('xds', process.execPath, ['services/xds/dist/main.js'], {
  ...common,
  GATEWAY_CONFIG_PATH: process.env.GATEWAY_CONFIG_PATH ?? join(root, 'deploy', 'examples'),
});
run('certs', process.execPath, ['services/certs/dist/main.js'], common);
run('authz', process.execPath, ['services/authz/dist/main.js'], common);
run('ratelimit', process.execPath, ['services/ratelimit/dist/main.js'], common);

const bootstrap = join(root, 'deploy', 'envoy', 'envoy-local.yaml');
if (has('envoy')) {
  run('envoy', 'envoy', ['-c', bootstrap, '--log-level', 'info']);
} else {
  console.log(`[start] no envoy binary on PATH; run Envoy yourself with: envoy -c ${bootstrap}`);
}
