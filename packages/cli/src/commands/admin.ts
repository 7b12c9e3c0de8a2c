// apply / delete / get / status / dry-run against the xds admin API.
import { stringify } from 'yaml';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../cli-io.js';
import type { ResourceStatus } from '@gatehouse/xds/core';
import { failedConditions, NEGATIVE_POLARITY } from '../failed-conditions.js';
import { readYamlFiles } from '../read-yaml-files.js';

export interface AdminTarget {
  server: string;
  token: string | undefined;
}

export function adminTarget(io: CliIo, flags: { server?: string; token?: string }): AdminTarget {
  return {
    server: (flags.server || io.env['GATEHOUSE_ADMIN_URL'] || 'http://127.0.0.1:19000').replace(/\/$/, ''),
    token: flags.token || io.env['GATEHOUSE_ADMIN_TOKEN'] || io.env['ADMIN_TOKEN'],
  };
}

async function call(io: CliIo, target: AdminTarget, method: string, path: string, body?: string): Promise<{ ok: boolean; status: number; json: unknown }> {
  const headers: Record<string, string> = {};
  if (target.token) headers['authorization'] = `Bearer ${target.token}`;
  if (body !== undefined) headers['content-type'] = 'application/yaml';
  let response: Response;
  try {
    response = await io.fetch(`${target.server}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  } catch (err) {
    throw new Error(`GH_CLI_ADMIN_UNREACHABLE: ${target.server}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
  }
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { ok: response.ok, status: response.status, json };
}

function printError(io: CliIo, status: number, json: unknown): number {
  const body = json as { error?: string; message?: string; errors?: Array<{ file?: string; line?: number; message: string }> };
  io.stderr(`error (HTTP ${status}): ${body.error ?? ''} ${body.message ?? ''}\n`);
  for (const e of body.errors ?? []) io.stderr(`  ${e.file ?? ''}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
  return 1;
}

export async function applyCommand(target: AdminTarget, file: string, io: CliIo): Promise<number> {
  let failed = 0;
  for (const source of await readYamlFiles(file)) {
    const res = await call(io, target, 'PUT', '/resources', source.text);
    if (!res.ok) {
      io.stderr(`${source.path}: `);
      failed += printError(io, res.status, res.json);
      continue;
    }
    for (const key of (res.json as { applied: string[] }).applied) io.stdout(`${key} applied\n`);
  }
  return failed > 0 ? 1 : 0;
}

export async function dryRunCommand(target: AdminTarget, file: string, output: 'json' | 'yaml', io: CliIo): Promise<number> {
  const text = (await readYamlFiles(file)).map((f) => f.text).join('\n---\n');
  const res = await call(io, target, 'POST', '/dry-run', text);
  if (!res.ok) return printError(io, res.status, res.json);
  io.stdout(output === 'json' ? `${JSON.stringify(res.json, null, 2)}\n` : stringify(res.json));
  return 0;
}

/** `delete Kind/namespace/name` (namespace defaults to "default") or `delete -f file`. */
export async function deleteCommand(target: AdminTarget, refs: string[], io: CliIo): Promise<number> {
  if (refs.length === 0) throw new UsageError('delete needs <Kind>/<namespace>/<name> or -f <file>');
  let failed = 0;
  for (const ref of refs) {
    const parts = ref.split('/');
    const [kind, namespace, name] = parts.length === 2 ? [parts[0], 'default', parts[1]] : parts;
    if (!kind || !namespace || !name || parts.length > 3) throw new UsageError(`"${ref}" is not <Kind>/<namespace>/<name>`);
    const res = await call(io, target, 'DELETE', `/resources/${encodeURIComponent(kind)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`);
    if (res.ok) io.stdout(`${kind}/${namespace}/${name} deleted\n`);
    else failed += printError(io, res.status, res.json);
  }
  return failed > 0 ? 1 : 0;
}

const GET_PATHS: Record<string, string> = {
  resources: '/resources',
  config: '/config_dump',
  'config-dump': '/config_dump',
  proxies: '/proxies',
  nacks: '/nacks',
  status: '/status',
};

export async function getCommand(target: AdminTarget, what: string, nodeCluster: string | undefined, output: 'json' | 'yaml', io: CliIo): Promise<number> {
  const path = GET_PATHS[what];
  if (!path) throw new UsageError(`get what? one of ${Object.keys(GET_PATHS).join(', ')}`);
  const query = nodeCluster && path === '/config_dump' ? `?node_cluster=${encodeURIComponent(nodeCluster)}` : '';
  const res = await call(io, target, 'GET', `${path}${query}`);
  if (!res.ok) return printError(io, res.status, res.json);
  io.stdout(output === 'json' ? `${JSON.stringify(res.json, null, 2)}\n` : stringify(res.json));
  return 0;
}

/** A short human summary: per Gateway the snapshot version, problems, proxies and their NACKs. */
export async function statusCommand(target: AdminTarget, io: CliIo): Promise<number> {
  const [status, proxies] = await Promise.all([call(io, target, 'GET', '/status'), call(io, target, 'GET', '/proxies')]);
  if (!status.ok) return printError(io, status.status, status.json);
  const s = status.json as {
    appliedAt: string | null;
    nodeClusters: Record<string, string>;
    fileErrors: Array<{ file: string; line: number; message: string }>;
    adminErrors: Array<{ file: string; line: number; message: string }>;
    snapshotProblems: Array<{ nodeCluster: string; message: string }>;
    translationError: string | null;
    statuses: Record<string, ResourceStatus>;
  };
  const p = (proxies.json as { proxies?: Array<{ nodeId: string; nodeCluster: string; variant: string; types: Array<{ type: string; ackedVersion?: string; lastNack?: { version: string; errorMessage: string } }> }> }).proxies ?? [];
  io.stdout(`applied at: ${s.appliedAt ?? 'never'}\n`);
  for (const [cluster, version] of Object.entries(s.nodeClusters)) {
    const connected = p.filter((x) => x.nodeCluster === cluster);
    io.stdout(`gateway ${cluster}: version ${version}, ${connected.length} proxy stream(s)\n`);
    for (const proxy of connected) {
      const types = proxy.types.map((t) => `${t.type}=${t.ackedVersion ?? '-'}${t.lastNack ? ` NACK(${t.lastNack.version}: ${t.lastNack.errorMessage})` : ''}`);
      io.stdout(`  ${proxy.nodeId} [${proxy.variant}] ${types.join(' ')}\n`);
    }
  }
  const problems = [
    ...s.fileErrors.map((e) => `${e.file}:${e.line}: ${e.message}`),
    ...s.adminErrors.map((e) => `${e.file}:${e.line}: ${e.message}`),
    ...s.snapshotProblems.map((e) => `gateway ${e.nodeCluster}: ${e.message}`),
    ...(s.translationError ? [`translation: ${s.translationError}`] : []),
    ...Object.entries(s.statuses ?? {}).flatMap(([key, status]) =>
      failedConditions(status).map((c) => `${key}: ${c.type}=${NEGATIVE_POLARITY.has(c.type) ? 'True' : 'False'} (${c.reason}): ${c.message}`),
    ),
  ];
  for (const line of problems) io.stdout(`problem: ${line}\n`);
  return problems.length > 0 ? 1 : 0;
}
