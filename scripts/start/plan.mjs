// What `pnpm start` runs: the arguments it takes and, per service, its ports and environment. Pure, so
// the rules (per-service ports, user settings win over generated ones) are easy to read in one place.
import { isAbsolute, join, resolve } from 'node:path';
import { tlsEnv } from './local-pki.mjs';

export const USAGE = `usage: pnpm start [config-folder] [--state <folder>] [--host <address>]

  config-folder   Gateway API + policy YAML, watched (default: deploy/examples)
  --state         where generated secrets and Redis data live (default: .gatehouse/ in the repository;
                  or GATEHOUSE_STATE_DIR)
  --host          address the services bind to and Envoy reaches them at (default: 127.0.0.1)

Ports: XDS_GRPC_PORT, XDS_ADMIN_PORT, CERTS_GRPC_PORT, CERTS_ADMIN_PORT, CERTS_HTTP_PORT, AUTHZ_GRPC_PORT,
AUTHZ_ADMIN_PORT, RATELIMIT_GRPC_PORT, RATELIMIT_ADMIN_PORT, REDIS_PORT (when REDIS_URL is unset).
Any other service variable (README, Configuration) is passed to every service.

gRPC is mutual TLS with certificates from <state>/pki (created on the first start; add one with
\`gatehouse pki issue --dir <state>/pki ...\`). GATEHOUSE_INSECURE_PLAINTEXT=true turns it off, for debugging only.`;

/** The defaults are the compose file's, so a local run and `docker compose up` answer on the same ports. */
export const DEFAULT_PORTS = {
  xds: { grpc: 18000, admin: 19000 },
  certs: { grpc: 9101, admin: 9102, http: 8089 },
  authz: { grpc: 9001, admin: 9002 },
  ratelimit: { grpc: 8081, admin: 6070 },
};

export function parseStartArgs(argv, env, root) {
  const out = { configDir: join(root, 'deploy', 'examples'), stateDir: env.GATEHOUSE_STATE_DIR || join(root, '.gatehouse'), host: '127.0.0.1', help: false };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '-h' || arg === '--help') out.help = true;
    else if (arg === '--state') out.stateDir = value();
    else if (arg === '--host') out.host = value();
    else if (arg === '--') continue; // `pnpm start -- dir` passes it through
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length > 1) throw new Error(`one config folder, got ${positional.length}: ${positional.join(' ')}`);
  if (positional[0]) out.configDir = positional[0];
  // pnpm runs scripts from the repository root; paths the user typed are relative to where they were.
  const base = env.INIT_CWD || process.cwd();
  out.configDir = isAbsolute(out.configDir) ? out.configDir : resolve(base, out.configDir);
  out.stateDir = isAbsolute(out.stateDir) ? out.stateDir : resolve(base, out.stateDir);
  out.redisPort = port(env, 'REDIS_PORT', 6379);
  return out;
}

function port(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) throw new Error(`${name}="${raw}" is not a port (1-65535)`);
  return n;
}

/**
 * One entry per service: its ports and the environment of its process. The plain GRPC_PORT/ADMIN_PORT/
 * HTTP_PORT of this shell are not passed on (four services cannot share them); the per-service ones are.
 */
export function planServices({ env, host, configDir, redisUrl, secrets, pkiDir }) {
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const ports = Object.fromEntries(
    Object.entries(DEFAULT_PORTS).map(([name, defaults]) => [
      name,
      Object.fromEntries(Object.entries(defaults).map(([kind, fallback]) => [kind, port(env, `${name.toUpperCase()}_${kind.toUpperCase()}_PORT`, fallback)])),
    ]),
  );
  const { GRPC_PORT: _g, ADMIN_PORT: _a, HTTP_PORT: _h, ...inherited } = env;
  // Generated secrets fill in only what the user did not set.
  // Mutual TLS with the local PKI (pkiDir); without one (the user set GATEHOUSE_INSECURE_PLAINTEXT=true, or gave
  // no PKI and no TLS_CERT_FILE of their own), the loud development switch (the services warn at start).
  const transport = pkiDir || inherited.TLS_CERT_FILE !== undefined ? {} : { GATEHOUSE_INSECURE_PLAINTEXT: 'true' };
  const common = { ...secrets, ...transport, ...inherited, REDIS_URL: redisUrl, BIND_HOST: host };
  const own = {
    xds: {
      GATEWAY_CONFIG_PATH: configDir,
      AUTHZ_ADDRESS: `${reach}:${ports.authz.grpc}`,
      RATELIMIT_ADDRESS: `${reach}:${ports.ratelimit.grpc}`,
      CERTS_HTTP01_ADDRESS: `${reach}:${ports.certs.http}`,
      CONSOLE_METRICS_URLS: `authz=http://${reach}:${ports.authz.admin}/metrics,ratelimit=http://${reach}:${ports.ratelimit.admin}/metrics`,
      CONSOLE_CERTS_URL: `http://${reach}:${ports.certs.admin}`,
    },
    certs: { HTTP_PORT: String(ports.certs.http), CERTS_CONFIG_PATH: configDir },
    authz: {},
    ratelimit: { RATELIMIT_REDIS_CONFIG: 'true' },
  };
  const notes = { xds: `config ${configDir}`, certs: `HTTP-01 ${reach}:${ports.certs.http}` };
  return Object.keys(DEFAULT_PORTS).map((name) => ({
    name,
    grpcPort: ports[name].grpc,
    adminPort: ports[name].admin,
    adminUrl: `http://${reach.includes(':') ? `[${reach}]` : reach}:${ports[name].admin}`,
    note: notes[name],
    // pkiDir unset: plaintext, which the user asked for (GATEHOUSE_INSECURE_PLAINTEXT=true, inherited).
    env: { ...common, ...own[name], ...(pkiDir ? tlsEnv(pkiDir, name) : {}), GRPC_PORT: String(ports[name].grpc), ADMIN_PORT: String(ports[name].admin) },
  }));
}
