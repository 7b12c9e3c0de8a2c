// The EnvoyProxy fields that take effect where Envoy starts, not over xDS: Envoy's command line
// (concurrency, log levels, drain time, extra arguments) and bootstrap stats settings (the stats
// matcher). `gatehouse bootstrap -f` writes and prints them and `pnpm start` runs Envoy with them,
// as Envoy Gateway puts them into its Envoy container's arguments and bootstrap.
import { parseDurationMs } from './durations.js';
import { describeRegexProblem } from './regex.js';

export interface StatsMatchIR {
  type: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression';
  value: string;
}

export interface EnvoyStartIR {
  /** Arguments after `envoy -c <bootstrap>`. */
  args: string[];
  /** bootstrap stats_config.stats_matcher.inclusion_list; undefined keeps every stat. */
  statsMatches?: StatsMatchIR[];
}

/** Arguments Gatehouse's own bootstrap depends on: an EnvoyProxy may not replace them. */
const RESERVED_ARGS = ['-c', '--config-path', '--config-yaml', '--mode', '--service-cluster', '--service-node', '--bootstrap-version'];

export function envoyStart(spec: Record<string, unknown>): { ir: EnvoyStartIR; problems: string[] } {
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
  return { ir: { args, ...(matches.length > 0 ? { statsMatches: matches } : {}) }, problems };
}
