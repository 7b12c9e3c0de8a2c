#!/usr/bin/env node
// `pnpm start [config-folder]`: the whole gateway on this machine without Docker. Runs the four built
// services as child processes (a redis-server too when REDIS_URL is unset), with nothing to set first:
// the secrets a local run needs are generated once into a state folder. Prints what runs where and
// writes an Envoy bootstrap per Gateway; starts Envoy when an `envoy` binary is on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStartArgs, planServices, USAGE } from './start/plan.mjs';
import { loadLocalSecrets } from './start/local-secrets.mjs';
import { writeEnvoyBootstraps } from './start/envoy-bootstraps.mjs';
import { gatewaysInConfig, initLocalPki } from './start/local-pki.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => console.log(`[start] ${line}`);
// A service that is still starting is waited for (a busy machine can take tens of seconds to load four
// Node.js processes); one that exits stops everything at once (run()). Slow starts are said, not fatal.
const READY_TIMEOUT_S = 180;
const fail = (line) => {
  console.error(`[start] ${line}`);
  process.exit(1);
};

let args;
try {
  args = parseStartArgs(process.argv.slice(2), process.env, root);
} catch (err) {
  fail(`${err.message}\n${USAGE}`);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
for (const built of ['services/xds', 'services/certs', 'services/authz', 'services/ratelimit', 'packages/cli']) {
  if (!existsSync(join(root, built, 'dist', 'main.js'))) fail(`${built}/dist/main.js is missing: run \`pnpm build\` first`);
}
if (!existsSync(args.configDir)) fail(`config folder ${args.configDir} does not exist`);

const children = [];
let stopping = false;
function run(name, command, commandArgs, env) {
  const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Each line is prefixed with the service, so four interleaved logs stay readable.
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop();
      for (const line of lines) process.stdout.write(`${name.padEnd(9)}| ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[start] ${name} exited (${signal ?? code}); stopping everything`);
    stop(1);
  });
  children.push(child);
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const secrets = loadLocalSecrets(args.stateDir);
if (secrets.created) log(`generated a local encryption key, admin token, cookie secret and control key in ${secrets.file} (kept for the next start)`);

// Mutual TLS between the planes, as in compose and k8s; plaintext only when the user says so out loud.
const plaintext = process.env.GATEHOUSE_INSECURE_PLAINTEXT === 'true';
const pkiDir = plaintext ? undefined : join(args.stateDir, 'pki');
if (plaintext) log('GATEHOUSE_INSECURE_PLAINTEXT=true: gRPC WITHOUT TLS. Anyone who reaches a port can read keys and skip checks: never on a shared network');
else {
  try {
    for (const line of await initLocalPki({ root, dir: pkiDir, gateways: gatewaysInConfig(args.configDir) })) log(`pki: ${line}`);
  } catch (err) {
    fail(`cannot prepare the PKI in ${pkiDir}: ${err.message}`);
  }
}

let redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) fail('REDIS_URL is unset and redis-server is not installed (Debian package: redis-server)');
  const dataDir = join(args.stateDir, 'redis');
  spawnSync('mkdir', ['-p', dataDir]);
  run('redis', 'redis-server', ['--port', String(args.redisPort), '--bind', '127.0.0.1', '--dir', dataDir, '--appendonly', 'yes', '--save', ''], process.env);
  redisUrl = `redis://127.0.0.1:${args.redisPort}`;
}

const services = planServices({ env: process.env, host: args.host, configDir: args.configDir, redisUrl, secrets: secrets.values, pkiDir });
for (const service of services) run(service.name, process.execPath, [join('services', service.name, 'dist', 'main.js')], service.env);

await waitAllReady(services).catch((err) => {
  console.error(`[start] ${err.message}`);
  stop(1);
});
if (stopping) await new Promise(() => {});

const xds = services.find((s) => s.name === 'xds');
const bootstraps = await writeEnvoyBootstraps({
  root,
  stateDir: args.stateDir,
  xdsAdmin: xds.adminUrl,
  xdsAddress: `${args.host}:${xds.grpcPort}`,
  plaintext: xds.env.GATEHOUSE_INSECURE_PLAINTEXT === 'true',
  ...(xds.env.TLS_CA_FILE ? { pkiDir: dirname(xds.env.TLS_CA_FILE) } : {}),
  configDir: args.configDir,
  env: xds.env,
});
// A Gateway xds serves that the config scan missed still gets its Envoy certificate.
if (pkiDir) for (const line of await initLocalPki({ root, dir: pkiDir, gateways: bootstraps.map((b) => b.nodeCluster) })) log(`pki: ${line}`);
const lines = [
  'gatehouse is up',
  ...services.map((s) => `  ${s.name.padEnd(10)} gRPC ${args.host}:${s.grpcPort}   admin ${s.adminUrl}${s.note ? `   ${s.note}` : ''}`),
  `  ${'redis'.padEnd(10)} ${redisUrl}${process.env.REDIS_URL ? '' : ` (data in ${join(args.stateDir, 'redis')})`}`,
  `  ${'config'.padEnd(10)} ${args.configDir} (watched: edits apply live)`,
  `  ${'state'.padEnd(10)} ${args.stateDir} (ADMIN_TOKEN, CERTS_ENCRYPTION_KEY, AUTHZ_COOKIE_SECRET, GATEHOUSE_CONTROL_KEY in ${secrets.file})`,
  pkiDir
    ? `  ${'mtls'.padEnd(10)} on: CA and certificates in ${pkiDir} (a client: gatehouse pki issue --client <name> --dir ${pkiDir})`
    : `  ${'mtls'.padEnd(10)} OFF (GATEHOUSE_INSECURE_PLAINTEXT=true)`,
  `  ${'status'.padEnd(10)} curl -s ${xds.adminUrl}/status`,
  `  ${'console'.padEnd(10)} ${xds.adminUrl}/console/   (live topology, health, certificates; actions ask for ADMIN_TOKEN)`,
];
if (bootstraps.length === 0) lines.push('  envoy      no Gateway in the config yet: bootstraps are written once xds serves one (re-run pnpm start)');
for (const b of bootstraps) lines.push(`  envoy      envoy ${b.args.join(' ')}   (Gateway ${b.nodeCluster})`);
for (const line of lines) log(line);

const envoyBinary = spawnSync('sh', ['-c', 'command -v envoy']).status === 0;
// The Gateway's EnvoyProxy may set the log level (logging.level); otherwise info.
const envoyArgs = (b) => (b.args.includes('--log-level') ? b.args : [...b.args, '--log-level', 'info']);
if (envoyBinary && bootstraps[0]) run('envoy', 'envoy', envoyArgs(bootstraps[0]), process.env);
else if (bootstraps[0]) log('no envoy binary on PATH: start Envoy yourself with the command above');

/** Resolves when every service answers /readyz; says every 15 s which ones are still starting. */
async function waitAllReady(services) {
  const started = Date.now();
  const pending = new Set(services);
  let said = 0;
  while (pending.size > 0) {
    if (stopping) return;
    await Promise.all([...pending].map(async (s) => (await fetch(`${s.adminUrl}/readyz`).then((r) => r.ok, () => false)) && pending.delete(s)));
    if (pending.size === 0) return;
    const waited = Math.floor((Date.now() - started) / 1000);
    const names = [...pending].map((s) => s.name).join(', ');
    if (waited >= READY_TIMEOUT_S) throw new Error(`not ready after ${READY_TIMEOUT_S} s: ${names} (see their /readyz)`);
    if (waited >= said + 15) {
      said = waited;
      log(`still starting after ${waited} s: ${names}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
