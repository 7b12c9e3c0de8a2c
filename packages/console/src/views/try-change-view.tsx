// Paste YAML, see what Envoy would get per Gateway (xds's dry run, last-good rule included), then apply it
// through the admin API. Both need ADMIN_TOKEN: the one given here stays in memory only.
import { useState } from 'preact/hooks';
import { applyResources, dryRun, type ActionResult } from '../api.js';
import { diffLines } from '../diff-lines.js';
import type { DryRunDiff } from '../model.js';

type Outcome = { kind: 'diff'; diff: DryRunDiff } | { kind: 'applied'; applied: string[] } | { kind: 'error'; lines: string[] };

export function TryChangeView({ token }: { token: string }) {
  const [yaml, setYaml] = useState('');
  const [adminToken, setAdminToken] = useState(token);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const run = async (action: 'dry-run' | 'apply'): Promise<void> => {
    setBusy(true);
    try {
      const result = action === 'dry-run' ? await dryRun(yaml, adminToken) : await applyResources(yaml, adminToken);
      if (!result.ok) setOutcome({ kind: 'error', lines: errorLines(result) });
      else if ('diff' in result.body) setOutcome({ kind: 'diff', diff: result.body.diff as DryRunDiff });
      else if ('applied' in result.body) setOutcome({ kind: 'applied', applied: result.body.applied as string[] });
    } catch (err) {
      setOutcome({ kind: 'error', lines: [String(err)] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stack">
      <section class="card">
        <h2>Try a change</h2>
        <p class="muted">Paste Gateway API or Envoy Gateway YAML. The dry run shows the Envoy resources each Gateway would get; nothing is applied until you apply it.</p>
        <textarea class="yaml" spellcheck={false} value={yaml} onInput={(e) => setYaml((e.target as HTMLTextAreaElement).value)} placeholder={'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n…'} aria-label="YAML" />
        <div class="actions">
          <label>
            Admin token
            <input type="password" autocomplete="off" value={adminToken} onInput={(e) => setAdminToken((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" disabled={busy || !yaml.trim()} onClick={() => void run('dry-run')}>
            Dry run
          </button>
          <button type="button" class="primary" disabled={busy || !yaml.trim() || outcome?.kind !== 'diff'} onClick={() => void run('apply')}>
            Apply
          </button>
        </div>
      </section>
      {outcome ? <OutcomeView outcome={outcome} /> : null}
    </div>
  );
}

function errorLines(result: ActionResult<unknown>): string[] {
  const body = result.body as { error?: string; message?: string; errors?: Array<{ message: string; file?: string; line?: number }> };
  if (body.errors?.length) return body.errors.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message}`);
  return [`${result.status}${body.error ? ` ${body.error}` : ''}: ${body.message ?? 'failed'}`];
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'error') {
    return (
      <section class="card">
        <h2 class="bad-text">Refused</h2>
        <ul class="problems">
          {outcome.lines.map((l) => (
            <li key={l} class="problem message">
              {l}
            </li>
          ))}
        </ul>
      </section>
    );
  }
  if (outcome.kind === 'applied') {
    return (
      <section class="card">
        <h2 class="ok-text">Applied</h2>
        <p>{outcome.applied.join(', ')}: every replica serves it once translated; watch Topology and Health.</p>
      </section>
    );
  }
  const gateways = Object.entries(outcome.diff);
  return (
    <section class="card" data-testid="dry-run">
      <h2>Dry run</h2>
      {gateways.length === 0 ? <p class="muted">No Gateway would change.</p> : null}
      {gateways.map(([gateway, types]) => (
        <div key={gateway}>
          <h3>Gateway {gateway}</h3>
          <ul class="diff">
            {Object.entries(types).flatMap(([type, diff]) => [
              ...diff.added.map((r) => (
                <li key={`+${type}${nameOf(r)}`} class="added">
                  + {type} {nameOf(r)}
                </li>
              )),
              ...diff.changed.map((c) => (
                <li key={`~${type}${c.name}`} class="changed">
                  <details open={diff.changed.length <= 3}>
                    <summary>
                      ~ {type} {c.name}
                    </summary>
                    <pre class="line-diff">
                      {diffLines(JSON.stringify(c.before, null, 2), JSON.stringify(c.after, null, 2)).map((l, i) => (
                        <span key={i} class={l.op === '+' ? 'added' : l.op === '-' ? 'removed' : 'same'}>
                          {`${l.op} ${l.text}\n`}
                        </span>
                      ))}
                    </pre>
                  </details>
                </li>
              )),
              ...diff.removed.map((n) => (
                <li key={`-${type}${n}`} class="removed">
                  − {type} {n}
                </li>
              )),
            ])}
          </ul>
        </div>
      ))}
    </section>
  );
}

function nameOf(resource: unknown): string {
  const r = resource as { name?: string; cluster_name?: string };
  return r.name ?? r.cluster_name ?? '';
}
