// The console's Traffic view without Prometheus: xds reads the other services' /metrics (CONSOLE_METRICS_URLS)
// every 10 s and keeps a short history in memory (60 samples: 10 minutes) of the counters an operator asks
// about: authz checks by policy, outcome and reason; rate limit hits and over-limit answers per rule.
import type { TrafficSeries, TrafficView } from '@gatehouse/console/model';

/** The counters kept, by metric name, with the labels that name a series. */
const KEPT: Record<string, { metric: TrafficSeries['metric']; labels: readonly string[] }> = {
  gatehouse_authz_checks_total: { metric: 'authz_checks', labels: ['policy', 'outcome', 'reason'] },
  ratelimit_total_hits_total: { metric: 'ratelimit_hits', labels: ['rule'] },
  ratelimit_over_limit_total: { metric: 'ratelimit_over_limit', labels: ['rule'] },
};

export interface MetricsTarget {
  name: string;
  url: string;
}

/** "authz=http://authz:9002/metrics,ratelimit=http://ratelimit:6070/metrics" → targets. */
export function parseMetricsTargets(raw: string | undefined): MetricsTarget[] {
  if (!raw?.trim()) return [];
  return raw.split(',').map((part) => {
    const at = part.indexOf('=');
    const name = part.slice(0, at).trim();
    const url = part.slice(at + 1).trim();
    if (at <= 0 || !/^https?:\/\/[^\s]+$/.test(url)) throw new Error(`CONSOLE_METRICS_URLS: "${part.trim()}" is not name=http(s)://host:port/metrics`);
    return { name, url };
  });
}

/** The kept counters of one Prometheus text exposition: series key → value. */
export function parseKeptCounters(text: string): Map<string, { metric: TrafficSeries['metric']; labels: Record<string, string>; value: number }> {
  const out = new Map<string, { metric: TrafficSeries['metric']; labels: Record<string, string>; value: number }>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    const kept = match ? KEPT[match[1]!] : undefined;
    if (!match || !kept) continue;
    const all = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!.replace(/\\(.)/g, '$1')]));
    const labels = Object.fromEntries(kept.labels.map((l) => [l, all[l] ?? '']));
    const key = `${kept.metric}|${kept.labels.map((l) => labels[l]).join('|')}`;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    const seen = out.get(key);
    // The same series from several replicas adds up.
    if (seen) seen.value += value;
    else out.set(key, { metric: kept.metric, labels, value });
  }
  return out;
}

export interface TrafficHistoryOptions {
  targets: readonly MetricsTarget[];
  /** Sent as a bearer token: the services' ADMIN_READ_TOKEN when they have one. */
  token?: string | undefined;
  intervalMs?: number;
  samples?: number;
  fetch?: typeof fetch;
}

type Sample = { at: number; values: ReturnType<typeof parseKeptCounters> };

/** Scrapes every target on an interval; `view()` gives each series' increase per interval. */
export class TrafficHistory {
  private readonly samples: Sample[] = [];
  private readonly errors = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private readonly intervalMs: number;
  private readonly maxSamples: number;

  constructor(private readonly options: TrafficHistoryOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.maxSamples = options.samples ?? 60;
  }

  start(): void {
    if (this.options.targets.length === 0 || this.timer) return;
    void this.scrape();
    this.timer = setInterval(() => void this.scrape(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async scrape(now = Date.now()): Promise<void> {
    const fetchFn = this.options.fetch ?? fetch;
    const values: Sample['values'] = new Map();
    await Promise.all(
      this.options.targets.map(async (target) => {
        try {
          const response = await fetchFn(target.url, { headers: this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}, signal: AbortSignal.timeout(Math.min(5000, this.intervalMs)) });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          for (const [key, series] of parseKeptCounters(await response.text())) values.set(`${target.name}|${key}`, series);
          this.errors.delete(target.name);
        } catch (err) {
          this.errors.set(target.name, `${target.url}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    this.samples.push({ at: now, values });
    if (this.samples.length > this.maxSamples + 1) this.samples.shift();
  }

  view(): TrafficView {
    const configured = this.options.targets.length > 0;
    const intervals = this.samples.slice(1).map((sample, i) => ({ previous: this.samples[i]!, sample, previousSources: sourcesOf(this.samples[i]!) }));
    const keys = new Set(this.samples.flatMap((s) => [...s.values.keys()]));
    const series: TrafficSeries[] = [...keys].sort().map((key) => {
      const [source] = key.split('|');
      const latest = [...this.samples].reverse().find((s) => s.values.has(key))!.values.get(key)!;
      const deltas = intervals.map(({ previous, sample, previousSources }) => {
        const before = previous.values.get(key)?.value;
        const after = sample.values.get(key)?.value;
        // Unknown before (the service was not read): no increase can be told.
        if (after === undefined || !previousSources.has(source!)) return 0;
        // A new series counts from zero, and so does a restarted service's counter.
        return before === undefined || after < before ? after : after - before;
      });
      return { source: source!, metric: latest.metric, labels: latest.labels, total: latest.value, deltas };
    });
    return {
      configured,
      intervalSeconds: this.intervalMs / 1000,
      times: intervals.map(({ sample }) => new Date(sample.at).toISOString()),
      series,
      errors: [...this.errors.values()],
    };
  }
}

function sourcesOf(sample: Sample): Set<string> {
  return new Set([...sample.values.keys()].map((k) => k.slice(0, k.indexOf('|'))));
}
