// Allowed and denied checks per policy and reason, and rate limit hits per rule, over the last minutes
// (xds's short in-memory history of the services' counters; no Prometheus needed).
import { describeRateLimitRule } from '../describe.js';
import type { TrafficSeries, TrafficView as Traffic } from '../model.js';

export function TrafficView({ traffic }: { traffic: Traffic }) {
  if (!traffic.configured) {
    return (
      <section class="card">
        <h2>Traffic</h2>
        <p class="muted">
          xds reads no service's metrics. Set <code>CONSOLE_METRICS_URLS</code> on xds, e.g. <code>authz=http://authz:9002/metrics,ratelimit=http://ratelimit:6070/metrics</code>, to see checks and limits here.
        </p>
      </section>
    );
  }
  const checks = traffic.series.filter((s) => s.metric === 'authz_checks');
  const rules = [...new Set(traffic.series.filter((s) => s.metric !== 'authz_checks').map((s) => s.labels.rule ?? ''))].sort();
  const minutes = Math.round((traffic.times.length * traffic.intervalSeconds) / 60);
  return (
    <div class="stack">
      {traffic.errors.map((e) => (
        <p key={e} class="problem">
          Not read: {e}
        </p>
      ))}
      <section class="card" data-testid="traffic-checks">
        <header class="card-head">
          <h2>Authorization checks</h2>
          <span class="muted small">
            per {traffic.intervalSeconds} s, last {minutes || '<1'} min
          </span>
        </header>
        {checks.length === 0 ? <p class="muted">No check yet.</p> : null}
        <Rows
          rows={checks.map((s) => ({
            key: `${s.source}|${s.labels.policy}|${s.labels.outcome}|${s.labels.reason}`,
            title: s.labels.policy ?? '',
            detail: `${s.labels.outcome} (${s.labels.reason})`,
            tone: s.labels.outcome === 'allowed' ? 'ok' : 'bad',
            series: s,
          }))}
        />
      </section>
      <section class="card" data-testid="traffic-limits">
        <header class="card-head">
          <h2>Rate limits</h2>
        </header>
        {rules.length === 0 ? <p class="muted">No rate-limited request yet.</p> : null}
        <Rows
          rows={rules.flatMap((rule) =>
            traffic.series
              .filter((s) => s.metric !== 'authz_checks' && s.labels.rule === rule)
              .map((s) => ({ key: `${s.source}|${s.metric}|${rule}`, title: describeRateLimitRule(rule), fullTitle: rule, detail: s.metric === 'ratelimit_over_limit' ? 'over the limit' : 'hits', tone: s.metric === 'ratelimit_over_limit' ? 'bad' : 'ok', series: s })),
          )}
        />
      </section>
    </div>
  );
}

interface Row {
  key: string;
  title: string;
  /** Shown on hover when the title is shortened. */
  fullTitle?: string;
  detail: string;
  tone: 'ok' | 'bad';
  series: TrafficSeries;
}

function Rows({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return null;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Policy / rule</th>
            <th>What</th>
            <th>Over time</th>
            <th>Last interval</th>
            <th>Total</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td title={r.fullTitle}>{r.title}</td>
              <td class={r.tone === 'bad' ? 'bad-text' : ''}>{r.detail}</td>
              <td>
                <Sparkline values={r.series.deltas} tone={r.tone} />
              </td>
              <td>{r.series.deltas.at(-1) ?? 0}</td>
              <td>{r.series.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Bars, one per interval, scaled to the series' largest. */
function Sparkline({ values, tone }: { values: number[]; tone: 'ok' | 'bad' }) {
  const width = 180;
  const height = 24;
  const max = Math.max(1, ...values);
  const bar = values.length > 0 ? width / values.length : width;
  return (
    <svg class={`spark ${tone}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${values.join(', ')} per interval`}>
      {values.map((v, i) => {
        const h = v === 0 ? 1 : Math.max(2, (v / max) * height);
        return <rect key={i} x={i * bar} y={height - h} width={Math.max(1, bar - 1)} height={h} />;
      })}
    </svg>
  );
}
