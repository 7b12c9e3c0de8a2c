// The EnvoyProxy fields that take effect where Envoy starts, not over xDS: Envoy's command line
// (concurrency, log levels, drain time, extra arguments) and bootstrap stats settings (the stats
// matcher, OpenTelemetry metrics sinks with their collectors' backendSettings). `gatehouse bootstrap -f` writes and prints them and `pnpm start` runs Envoy with them,
// as Envoy Gateway puts them into its Envoy container's arguments and bootstrap.
import { parseDurationMs } from './durations.js';
import { describeRegexProblem } from './regex.js';
import { DEFAULT_SERVICE_DNS_TEMPLATE, serviceHostname } from './service-backends.js';
import { objectsOf } from './shape.js';
import { telemetryBackendSettings } from './telemetry-backend-settings.js';
import type { ClusterPolicyIR } from '../ir/types.js';
import { parse as parseYaml } from 'yaml';

export interface StatsMatchIR {
  type: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression';
  value: string;
}

/** An OpenTelemetry metrics sink: bootstrap stats_sinks entry and its collector's static cluster. */
export interface StatsSinkIR {
  clusterName: string;
  host: string;
  port: number;
  reportCountersAsDeltas: boolean;
  reportHistogramsAsDeltas: boolean;
  /** openTelemetry.backendSettings: what a BackendTrafficPolicy would put on the collector's cluster. */
  policy?: ClusterPolicyIR;
}

/** spec.bootstrap, read: what `gatehouse bootstrap` does to the bootstrap it generates (translator/custom-bootstrap.ts). */
export type CustomBootstrapIR =
  | { type: 'Replace' | 'Merge'; value: Record<string, unknown> }
  | { type: 'JSONPatch'; jsonPatches: Array<{ op: string; path: string; from?: string; value?: unknown }> };

export interface EnvoyStartIR {
  /** Arguments after `envoy -c <bootstrap>`. */
  args: string[];
  /** bootstrap stats_config.stats_matcher.inclusion_list; undefined keeps every stat. */
  statsMatches?: StatsMatchIR[];
  /** telemetry.metrics.sinks (OpenTelemetry). */
  statsSinks?: StatsSinkIR[];
  /** spec.bootstrap. */
  bootstrap?: CustomBootstrapIR;
}

/** Arguments Gatehouse's own bootstrap depends on: an EnvoyProxy may not replace them. */
const RESERVED_ARGS = ['-c', '--config-path', '--config-yaml', '--mode', '--service-cluster', '--service-node', '--bootstrap-version'];

/** `namespace`: the EnvoyProxy's (metrics sink backendRefs default to it). */
export function envoyStart(spec: Record<string, unknown>, namespace: string, serviceDnsTemplate: string = DEFAULT_SERVICE_DNS_TEMPLATE): { ir: EnvoyStartIR; problems: string[] } {
  const problems: string[] = [];
  const args: string[] = [];
  if (typeof spec.concurrency === 'number') args.push('--concurrency', String(spec.concurrency));

  const levels = ((spec.logging as { level?: Record<string, string> } | undefined)?.level ?? {}) as Record<string, string>;
  if (levels.default) args.push('--log-level', levels.default);
  const components = Object.entries(levels)
    .filter(([component]) => component !== 'default')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (components.length > 0) args.push('--component-log-level', components.map(([c, l]) => `${c}:${l}`).join(','));

  const drainTimeout = (spec.shutdown as { drainTimeout?: string } | undefined)?.drainTimeout;
  if (drainTimeout !== undefined) {
    const ms = parseDurationMs(drainTimeout);
    if (ms === undefined || ms <= 0) problems.push(`spec.shutdown.drainTimeout: "${drainTimeout}" is not a positive duration`);
    else args.push('--drain-time-s', String(Math.ceil(ms / 1000)));
  }

  const extra = Array.isArray(spec.extraArgs) ? spec.extraArgs.filter((a): a is string => typeof a === 'string') : [];
  const reserved = extra.filter((a) => RESERVED_ARGS.includes(a.split('=')[0]!));
  if (reserved.length > 0) problems.push(`spec.extraArgs: ${reserved.join(', ')} cannot be provided (Gatehouse's bootstrap sets them)`);
  args.push(...extra);

  const matches = ((spec.telemetry as { metrics?: { matches?: StatsMatchIR[] } } | undefined)?.metrics?.matches ?? []).map((m) => ({ type: m.type ?? 'Exact', value: m.value }));
  matches.forEach((m, i) => {
    const problem = m.type === 'RegularExpression' ? describeRegexProblem(m.value) : undefined;
    if (problem) problems.push(`spec.telemetry.metrics.matches[${i}].value: ${problem}`);
  });
  const sinks = statsSinks(spec, namespace, serviceDnsTemplate, problems);
  const bootstrap = customBootstrap(spec.bootstrap, problems);
  return { ir: { args, ...(matches.length > 0 ? { statsMatches: matches } : {}), ...(sinks.length > 0 ? { statsSinks: sinks } : {}), ...(bootstrap ? { bootstrap } : {}) }, problems };
}

const PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

/** spec.bootstrap read and shape-checked here; the result is checked where it is applied (gatehouse bootstrap). */
function customBootstrap(value: unknown, problems: string[]): CustomBootstrapIR | undefined {
  if (value === undefined || value === null) return undefined;
  const spec = value as { type?: string; value?: unknown; jsonPatches?: unknown };
  const type = spec.type ?? 'Replace';
  if (type === 'JSONPatch') {
    if (spec.value !== undefined && spec.value !== null) problems.push('spec.bootstrap.value: not used with type JSONPatch (give jsonPatches)');
    const patches = objectsOf<{ op?: unknown; path?: unknown; from?: unknown; value?: unknown }>(spec.jsonPatches);
    if (patches.length === 0) return void problems.push('spec.bootstrap.jsonPatches: type JSONPatch needs at least one patch');
    const bad = patches.findIndex((p) => typeof p.op !== 'string' || !PATCH_OPS.includes(p.op) || typeof p.path !== 'string' || ((p.op === 'move' || p.op === 'copy') && typeof p.from !== 'string'));
    if (bad >= 0) return void problems.push(`spec.bootstrap.jsonPatches[${bad}]: needs op (${PATCH_OPS.join(', ')}), path, and from for move and copy`);
    return { type, jsonPatches: patches as Array<{ op: string; path: string; from?: string; value?: unknown }> };
  }
  if (type !== 'Replace' && type !== 'Merge') return void problems.push(`spec.bootstrap.type: "${type}" is not one of Merge, Replace, JSONPatch`);
  if (spec.jsonPatches !== undefined && spec.jsonPatches !== null) problems.push(`spec.bootstrap.jsonPatches: only used with type JSONPatch, not ${type}`);
  if (typeof spec.value !== 'string' || spec.value.trim() === '') return void problems.push(`spec.bootstrap.value: type ${type} needs the bootstrap as YAML`);
  let parsed: unknown;
  try {
    parsed = parseYaml(spec.value);
  } catch (err) {
    return void problems.push(`spec.bootstrap.value: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return void problems.push('spec.bootstrap.value: the YAML is not an object (a bootstrap)');
  return { type, value: parsed as Record<string, unknown> };
}

interface SinkRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  port?: number;
}

interface SinkSpec {
  type?: string;
  openTelemetry?: {
    host?: string;
    port?: number;
    backendRefs?: SinkRef[];
    backendSettings?: unknown;
    reportCountersAsDeltas?: boolean;
    reportHistogramsAsDeltas?: boolean;
  };
}

/** OpenTelemetry metrics sinks, each to a collector Service (in any namespace, as in Envoy Gateway) or host:port. */
function statsSinks(spec: Record<string, unknown>, namespace: string, template: string, problems: string[]): StatsSinkIR[] {
  const sinks = objectsOf<SinkSpec>((spec.telemetry as { metrics?: { sinks?: unknown } } | undefined)?.metrics?.sinks);
  return sinks.flatMap((sink, i): StatsSinkIR[] => {
    const where = `spec.telemetry.metrics.sinks[${i}]`;
    const refuse = (message: string): StatsSinkIR[] => {
      problems.push(`${where}${message}`);
      return [];
    };
    const otel = sink.openTelemetry;
    if ((sink.type ?? 'OpenTelemetry') !== 'OpenTelemetry' || !otel) return refuse(': an OpenTelemetry sink needs openTelemetry');
    // backendSettings as for the access log and tracing collectors; a collector with settings gets a cluster of its own.
    let policy: ClusterPolicyIR | undefined;
    if (otel.backendSettings !== undefined && otel.backendSettings !== null) {
      const settings = telemetryBackendSettings(otel.backendSettings, `${where}.openTelemetry.backendSettings`, `${where}.openTelemetry`);
      if (settings.problems.length > 0) {
        problems.push(...settings.problems);
        return [];
      }
      policy = settings.policy;
    }
    const own = policy ? `/settings/metrics.sinks[${i}].openTelemetry` : '';
    const deltas = { reportCountersAsDeltas: otel.reportCountersAsDeltas === true, reportHistogramsAsDeltas: otel.reportHistogramsAsDeltas === true, ...(policy ? { policy } : {}) };
    const refs = objectsOf<SinkRef>(otel.backendRefs);
    if (refs.length > 1) return refuse('.openTelemetry.backendRefs: more than one backend is not translated yet');
    const ref = refs[0];
    if (ref) {
      if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service' || !ref.name || typeof ref.port !== 'number') return refuse('.openTelemetry.backendRefs[0]: only a Service with name and port is supported');
      const refNamespace = ref.namespace ?? namespace;
      return [{ clusterName: `metrics/otel/${refNamespace}/${ref.name}/${ref.port}${own}`, host: serviceHostname(template, ref.name, refNamespace), port: ref.port, ...deltas }];
    }
    if (!otel.host) return refuse('.openTelemetry: host or backendRefs needs to be set');
    const port = otel.port ?? 4317;
    return [{ clusterName: `metrics/otel/${otel.host}/${port}${own}`, host: otel.host, port, ...deltas }];
  });
}
