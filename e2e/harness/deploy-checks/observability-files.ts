// Reads the observability artefacts the deploy checks compare: the Grafana dashboard's metric names, the
// "Metrics" table of the root README, and which source files create which instruments.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid: string } }>;
  panels?: DashboardPanel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
}

export interface DocumentedMetric {
  name: string;
  type: string;
  labels: string[];
  service: string;
  meaning: string;
}

/** Metric families Gatehouse exports; Envoy's own (envoy_*) are not ours to check. */
const OUR_METRIC = /\b((?:gatehouse|xds|ratelimit)_[a-z0-9_]+)/g;
/** Series suffixes Prometheus derives from one histogram. */
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every Gatehouse metric family a dashboard query names (histogram series mapped to their family). */
export function dashboardMetrics(dashboard: Dashboard, histograms: ReadonlySet<string>): Set<string> {
  const names = new Set<string>();
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      for (const [, name] of target.expr.matchAll(OUR_METRIC)) {
        const family = name!.replace(HISTOGRAM_SERIES, '');
        names.add(histograms.has(family) ? family : name!);
      }
    }
  }
  return names;
}

/** The rows of the table under "## Metrics" in a README. */
export function documentedMetrics(readme: string): DocumentedMetric[] {
  const section = readme.split(/^## Metrics$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error('README.md has no "## Metrics" section');
  const rows: DocumentedMetric[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const name = /^`([a-z0-9_]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!name) continue;
    // "`outcome` (`allowed`, `denied`)": the parenthesised words are values, not labels.
    const labels = [...(cells[2] ?? '').replace(/\([^)]*\)/g, '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
    rows.push({ name, type: cells[1] ?? '', labels, service: cells[3] ?? '', meaning: cells[4] ?? '' });
  }
  return rows;
}

/** TypeScript sources under a directory, tests excluded. */
export function sourceText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts') && !/\.(int\.)?test\.ts$/.test(entry)) out.push(readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out.join('\n');
}

/**
 * The Prometheus name an instrument gets: OpenTelemetry's exporter appends `_total` to counters that do
 * not end with it. `instrument` is the name passed to createCounter & co.
 */
export function createsInstrument(source: string, exportedName: string): boolean {
  const bare = exportedName.replace(/_total$/, '');
  return [exportedName, bare].some((name) => new RegExp(`['"]${name}['"]`).test(source) && /create(Observable)?(Counter|Histogram|Gauge|UpDownCounter)\(/.test(source));
}
