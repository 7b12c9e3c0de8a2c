// What is wrong first (files that fail to load, with file:line; refused snapshots; NACKs), then every
// resource's conditions, then the connected proxies with what each has ACKed.
import { describeTimeFrom } from '../describe.js';
import type { Health, Problem, ProxyView, ResourceHealth } from '../model.js';

export function HealthView({ health }: { health: Health }) {
  const now = Date.now();
  return (
    <div class="stack">
      <section class="card">
        <header class="card-head">
          <h2>Problems</h2>
          <span class="muted small">last applied {health.appliedAt ? describeTimeFrom(health.appliedAt, now) : 'never'}</span>
        </header>
        <ProblemList health={health} />
      </section>
      <section class="card">
        <h2>Connected proxies</h2>
        <ProxyTable proxies={health.proxies} />
        {health.nacks.length > 0 ? (
          <>
            <h3>Recent NACKs</h3>
            <ul class="problems" data-testid="nacks">
              {health.nacks.map((n) => (
                <li key={`${n.nodeId}#${n.type}#${n.version}#${n.at}`} class="problem">
                  <strong>
                    {n.nodeId} ({n.nodeCluster}) rejected {n.type} {short(n.version)}
                  </strong>
                  <span class="message">{n.message}</span>
                  <span class="muted small">{describeTimeFrom(n.at, now)}</span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      <section class="card">
        <h2>Resources</h2>
        <ResourceTable resources={health.resources} />
      </section>
    </div>
  );
}

function ProblemList({ health }: { health: Health }) {
  const items = [
    ...health.fileErrors.map((p) => <FileProblem key={`${p.file}:${p.line}:${p.code}`} problem={p} />),
    ...health.snapshotProblems.map((p) => (
      <li key={`snapshot-${p.nodeCluster}`} class="problem">
        <strong>Gateway {p.nodeCluster}: snapshot refused, the last good one keeps serving</strong>
        <span class="message">{p.message}</span>
      </li>
    )),
    ...(health.translationError
      ? [
          <li key="translation" class="problem">
            <strong>Translation failed, the last good configuration keeps serving</strong>
            <span class="message">{health.translationError}</span>
          </li>,
        ]
      : []),
    ...health.resources
      .filter((r) => !r.healthy)
      .map((r) => (
        <li key={r.key} class="problem">
          <strong>
            {r.key}
            {r.servingLastGood ? <span class="pill warn">last good version serving</span> : <span class="pill bad">not served</span>}
          </strong>
          {r.conditions
            .filter((c) => c.status === 'False')
            .map((c, i) => (
              <span key={i} class="message">
                {c.parent ? `${c.parent}: ` : ''}
                {c.type} {c.reason}: {c.message}
              </span>
            ))}
        </li>
      )),
  ];
  if (items.length === 0) return <p class="ok-text" data-testid="no-problems">No problems: every file loads and every resource is accepted.</p>;
  return (
    <ul class="problems" data-testid="problems">
      {items}
    </ul>
  );
}

function FileProblem({ problem }: { problem: Problem }) {
  return (
    <li class="problem">
      <strong>
        <code>
          {problem.file}
          {problem.line ? `:${problem.line}` : ''}
        </code>
        {problem.keptPrevious ? <span class="pill warn">previous version keeps serving</span> : null}
      </strong>
      <span class="message">
        {problem.code}: {problem.path ? `${problem.path}: ` : ''}
        {problem.message}
      </span>
    </li>
  );
}

function ProxyTable({ proxies }: { proxies: ProxyView[] }) {
  if (proxies.length === 0) return <p class="muted">No proxy is connected.</p>;
  return (
    <div class="table-wrap">
      <table data-testid="proxies" class="rows-on-phone">
        <thead>
          <tr>
            <th>Node</th>
            <th>Gateway</th>
            <th>Protocol</th>
            <th>ACKed versions</th>
            <th>Last NACK</th>
          </tr>
        </thead>
        <tbody>
          {proxies.map((p) => {
            const nack = p.types.find((t) => t.lastNack);
            return (
              <tr key={`${p.nodeId}#${p.connectedAt}`}>
                <td>{p.nodeId}</td>
                <td>{p.nodeCluster}</td>
                <td>{p.variant === 'delta' ? 'delta' : 'SotW'}</td>
                <td>
                  {p.types.map((t) => (
                    <span key={t.type} class="ack" title={t.ackedVersion ?? 'not ACKed yet'}>
                      {t.type} {t.ackedVersion ? short(t.ackedVersion) : t.pendingVersion ? 'pending' : '—'}
                    </span>
                  ))}
                </td>
                <td class={nack ? 'bad-text' : ''}>{nack?.lastNack ? `${nack.type}: ${nack.lastNack.message}` : 'none'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ResourceTable({ resources }: { resources: ResourceHealth[] }) {
  return (
    <div class="table-wrap">
      <table class="rows-on-phone">
        <thead>
          <tr>
            <th>Resource</th>
            <th>Conditions</th>
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => (
            <tr key={r.key} class={r.healthy ? '' : 'row-bad'}>
              <td>{r.key}</td>
              <td>
                {r.conditions.map((c, i) => (
                  <span key={i} class={`cond ${conditionTone(c.type, c.status)}`} title={c.message}>
                    {c.parent ? `${c.parent} ` : ''}
                    {c.type}={c.status}
                    {c.status === 'False' ? ` (${c.reason})` : ''}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Condition types where True is the bad news (Gateway API's "abnormal-true" conditions). */
const ABNORMAL_TRUE = new Set(['Conflicted', 'OverlappingTLSConfig']);

function conditionTone(type: string, status: string): 'ok' | 'bad' | '' {
  if (status === 'Unknown') return '';
  return (status === 'True') !== ABNORMAL_TRUE.has(type) ? 'ok' : 'bad';
}

/** Versions are content hashes: the first characters tell them apart. */
function short(version: string): string {
  return version.length > 10 ? version.slice(0, 8) : version;
}
