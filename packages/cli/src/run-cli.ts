// Argument parsing and dispatch for the gatehouse CLI.
import { parseArgs } from 'node:util';
import { loadResourcesFromFiles, resourceKey } from '@gatehouse/xds/core';
import type { CliIo } from './cli-io.js';
import { UsageError } from './cli-io.js';
import { adminTarget, applyCommand, deleteCommand, dryRunCommand, getCommand, statusCommand } from './commands/admin.js';
import { bootstrapCommand } from './commands/bootstrap.js';
import { parseDays, pkiInitCommand, pkiIssueCommand, pkiShowCommand } from './commands/pki.js';
import { translateCommand } from './commands/translate.js';
import { validateCommand } from './commands/validate.js';
import { readYamlFiles } from './read-yaml-files.js';

export const USAGE = `usage: gatehouse <command> [options]

  validate  -f <dir|file>                         check YAML (errors with file, line and path)
  translate -f <dir|file> [--output json|yaml] [--node-cluster ns/gw]
                                                  print the Envoy resources per Gateway
  apply     -f <dir|file>                         apply through the admin API (wins over files)
  delete    <Kind>/<namespace>/<name>... | -f <file>
  get       resources|config|proxies|nacks|status [--node-cluster ns/gw] [--output json|yaml]
  dry-run   -f <dir|file>                         show the Envoy diff an apply would cause
  status                                          snapshot versions, proxies, NACKs, problems
  bootstrap --node-cluster ns/gw [--xds-address host:port] [--node-id id] [--admin-port 9901]
            [--delta] [--output yaml|json] [--out file] [--sds-out dir]
            [--pki-dir /etc/gatehouse/pki] [--sds-dir /etc/envoy] [--plaintext] [-f <dir|file>]
                                                  an Envoy bootstrap: mTLS to xds with file-based SDS
                                                  (written next to --out); --plaintext for development;
                                                  -f: the Gateway's EnvoyProxy (stats, Envoy command line);
                                                  --node-cluster <class>: a GatewayClass's merged Gateways
  pki init  [--dir D] [--gateway ns/name ...] [--k8s-namespace N] [--days 90]
                                                  create the deployment CA (never replaced) and a certificate
                                                  per service and Gateway; renews those near their end
  pki issue <xds|authz|ratelimit|certs> | --gateway ns/name | --client name [--dir D] [--days 90]
                                                  issue (or rotate) one certificate (--gateway <class>:
                                                  the fleet of a GatewayClass whose Gateways are merged)
  pki show  [--dir D] [--output json]             identities, expiry and state of each certificate

pki commands use --dir (or GATEHOUSE_PKI_DIR, default .gatehouse/pki).

admin API commands use --server (or GATEHOUSE_ADMIN_URL, default http://127.0.0.1:19000) and
--token (or GATEHOUSE_ADMIN_TOKEN / ADMIN_TOKEN).
`;

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  'node-cluster': { type: 'string' },
  'node-id': { type: 'string' },
  'xds-address': { type: 'string' },
  'admin-port': { type: 'string' },
  delta: { type: 'boolean' },
  out: { type: 'string' },
  'sds-out': { type: 'string' },
  'pki-dir': { type: 'string' },
  'sds-dir': { type: 'string' },
  plaintext: { type: 'boolean' },
  server: { type: 'string' },
  token: { type: 'string' },
  dir: { type: 'string' },
  gateway: { type: 'string', multiple: true },
  client: { type: 'string' },
  'k8s-namespace': { type: 'string' },
  days: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      io.stdout(USAGE);
      return command || values.help ? 0 : 2;
    }
    const file = (): string => {
      if (!values.file) throw new UsageError(`${command} needs -f <dir|file>`);
      return values.file;
    };
    const output = (fallback: 'json' | 'yaml'): 'json' | 'yaml' => {
      const o = values.output ?? fallback;
      if (o !== 'json' && o !== 'yaml') throw new UsageError(`--output must be json or yaml, got "${o}"`);
      return o;
    };
    const admin = () => adminTarget(io, { ...(values.server ? { server: values.server } : {}), ...(values.token ? { token: values.token } : {}) });
    switch (command) {
      case 'validate':
        return await validateCommand(file(), io);
      case 'translate':
        return await translateCommand(file(), output('yaml'), values['node-cluster'], io);
      case 'apply':
        return await applyCommand(admin(), file(), io);
      case 'dry-run':
        return await dryRunCommand(admin(), file(), output('yaml'), io);
      case 'delete': {
        const refs = values.file ? loadResourcesFromFiles(await readYamlFiles(values.file), { validate: false }).resources.map(resourceKey) : rest;
        return await deleteCommand(admin(), refs, io);
      }
      case 'get':
        return await getCommand(admin(), rest[0] ?? 'resources', values['node-cluster'], output('yaml'), io);
      case 'status':
        return await statusCommand(admin(), io);
      case 'bootstrap': {
        const nodeCluster = values['node-cluster'];
        if (!nodeCluster) throw new UsageError('bootstrap needs --node-cluster <namespace>/<gateway>');
        const adminPort = values['admin-port'] ? Number(values['admin-port']) : undefined;
        if (adminPort !== undefined && !(Number.isInteger(adminPort) && adminPort > 0 && adminPort < 65536)) throw new UsageError('--admin-port must be a port number');
        return await bootstrapCommand(
          {
            nodeCluster,
            output: output('yaml'),
            ...(values['node-id'] ? { nodeId: values['node-id'] } : {}),
            ...(values['xds-address'] ? { xdsAddress: values['xds-address'] } : {}),
            ...(adminPort ? { adminPort } : {}),
            ...(values.delta ? { delta: true } : {}),
            ...(values.out ? { out: values.out } : {}),
            ...(values['sds-out'] ? { sdsOut: values['sds-out'] } : {}),
            ...(values['pki-dir'] ? { pkiDir: values['pki-dir'] } : {}),
            ...(values['sds-dir'] ? { sdsDir: values['sds-dir'] } : {}),
            ...(values.plaintext ? { plaintext: true } : {}),
            ...(values.file ? { config: values.file } : {}),
          },
          io,
        );
      }
      case 'pki': {
        const pki = {
          dir: values.dir ?? io.env.GATEHOUSE_PKI_DIR ?? '.gatehouse/pki',
          ...(values.days !== undefined ? { validityDays: parseDays(values.days) } : {}),
          ...(values['k8s-namespace'] ? { k8sNamespace: values['k8s-namespace'] } : {}),
        };
        const gateways = values.gateway ?? [];
        switch (rest[0]) {
          case 'init':
            if (rest.length > 1) throw new UsageError(`pki init takes no arguments, got "${rest.slice(1).join(' ')}"`);
            return await pkiInitCommand({ ...pki, gateways }, io);
          case 'issue':
            if (rest.length > 2 || gateways.length > 1) throw new UsageError('pki issue issues one certificate at a time');
            return await pkiIssueCommand({ ...pki, ...(rest[1] ? { component: rest[1] } : {}), ...(gateways[0] ? { gateway: gateways[0] } : {}), ...(values.client ? { client: values.client } : {}) }, io);
          case 'show': {
            const o = values.output ?? 'text';
            if (o !== 'json' && o !== 'text') throw new UsageError(`--output must be text or json, got "${o}"`);
            return await pkiShowCommand({ ...pki, output: o }, io);
          }
          default:
            throw new UsageError(`pki needs init, issue or show${rest[0] ? `, got "${rest[0]}"` : ''}`);
        }
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.stderr(`gatehouse: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr(`gatehouse: ${(err as NodeJS.ErrnoException).path ?? ''}: no such file or directory\n`);
      return 1;
    }
    const code = (err as { code?: unknown }).code;
    io.stderr(`gatehouse: ${(err as Error).message}${typeof code === 'string' && code.startsWith('GH_') ? ` (${code})` : ''}\n`);
    return 1;
  }
}
