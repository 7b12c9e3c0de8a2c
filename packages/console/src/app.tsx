// The console's shell: tabs (kept in the URL's hash, never a token), the live connection, the token prompt.
import { useEffect, useState } from 'preact/hooks';
import { followEvents, loadToken, saveToken, type Connection } from './api.js';
import { CertificatesView } from './views/certificates-view.js';
import { HealthView } from './views/health-view.js';
import { TopologyView } from './views/topology-view.js';
import { TrafficView } from './views/traffic-view.js';
import { TryChangeView } from './views/try-change-view.js';
import { TokenPrompt } from './views/token-prompt.js';
import type { ConsoleState } from './model.js';

const TABS = [
  { id: 'topology', title: 'Topology' },
  { id: 'health', title: 'Health' },
  { id: 'certificates', title: 'Certificates' },
  { id: 'traffic', title: 'Traffic' },
  { id: 'try', title: 'Try a change' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function tabFromHash(hash: string): TabId {
  const id = hash.replace(/^#\/?/, '');
  return TABS.find((t) => t.id === id)?.id ?? 'topology';
}

const CONNECTION_WORDS: Record<Connection, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', unauthorized: 'token needed' };

export function App() {
  const [tab, setTab] = useState<TabId>(tabFromHash(location.hash));
  const [token, setToken] = useState(loadToken());
  const [connection, setConnection] = useState<Connection>('connecting');
  const [state, setState] = useState<Partial<ConsoleState>>({});

  useEffect(() => {
    const onHash = (): void => setTab(tabFromHash(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setConnection('connecting');
    void followEvents(token, { onSection: (name, value) => setState((s) => ({ ...s, [name]: value })), onConnection: setConnection }, controller.signal);
    return () => controller.abort();
  }, [token]);

  const useToken = (next: string): void => {
    saveToken(next);
    setToken(next);
  };
  const problems = (state.health?.fileErrors.length ?? 0) + (state.health?.resources.filter((r) => !r.healthy).length ?? 0) + (state.health?.nacks.length ?? 0);

  return (
    <div class="shell">
      <header class="top">
        <h1>
          <img class="logo" src="favicon.svg" alt="" width="22" height="22" /> Gatehouse
        </h1>
        <nav class="tabs" aria-label="views">
          {TABS.map((t) => (
            <a key={t.id} href={`#/${t.id}`} class={t.id === tab ? 'tab active' : 'tab'} aria-current={t.id === tab ? 'page' : undefined}>
              {t.title}
              {t.id === 'health' && problems > 0 ? <span class="count">{problems}</span> : null}
            </a>
          ))}
        </nav>
        <span class={`connection ${connection}`} role="status" data-testid="connection">
          {CONNECTION_WORDS[connection]}
        </span>
      </header>
      <main>
        {connection === 'unauthorized' ? (
          <TokenPrompt hadToken={token !== ''} onToken={useToken} />
        ) : !state.topology || !state.health ? (
          <p class="muted">Loading…</p>
        ) : tab === 'topology' ? (
          <TopologyView topology={state.topology} health={state.health} />
        ) : tab === 'health' ? (
          <HealthView health={state.health} />
        ) : tab === 'certificates' ? (
          <CertificatesView certificates={state.certificates ?? []} token={token} />
        ) : tab === 'traffic' ? (
          <TrafficView traffic={state.traffic ?? { configured: false, intervalSeconds: 10, times: [], series: [], errors: [] }} />
        ) : (
          <TryChangeView token={token} />
        )}
      </main>
    </div>
  );
}
