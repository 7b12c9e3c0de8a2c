// Per Gateway: a picture (listeners → route rules with their policies → backends with weights), then the
// same as a table.
import { useState } from 'preact/hooks';
import { describePolicies, describeRouteMatch, type Badge } from '../describe.js';
import type { GatewayView, Health, ListenerView, RouteView, Topology } from '../model.js';

export function TopologyView({ topology, health }: { topology: Topology; health: Health }) {
  if (topology.gateways.length === 0) return <p class="muted">No Gateway is served yet: add a GatewayClass and a Gateway.</p>;
  return (
    <div class="stack">
      {topology.gateways.map((g) => (
        <GatewayCard key={g.key} gateway={g} proxies={health.proxies.filter((p) => p.nodeCluster === g.key).length} />
      ))}
    </div>
  );
}

function GatewayCard({ gateway, proxies }: { gateway: GatewayView; proxies: number }) {
  const ports = [...new Set([...gateway.listeners.map((l) => l.port), ...gateway.routes.map((r) => r.port)])].sort((a, b) => a - b);
  return (
    <section class="card gateway" data-testid={`gateway-${gateway.key}`}>
      <header class="card-head">
        <h2>
          Gateway <span class="name">{gateway.key}</span>
        </h2>
        <span class={gateway.accepted ? 'pill ok' : 'pill bad'}>{gateway.accepted ? 'Accepted' : 'Not accepted'}</span>
        <span class="pill">
          {proxies} {proxies === 1 ? 'proxy' : 'proxies'} connected
        </span>
      </header>
      <div class="picture">
        {ports.map((port) => (
          <Lane key={port} listeners={gateway.listeners.filter((l) => l.port === port)} routes={gateway.routes.filter((r) => r.port === port)} port={port} />
        ))}
      </div>
      {gateway.routes.length > LARGE ? <LargeRouteTable routes={gateway.routes} /> : gateway.routes.length > 0 ? <RouteTable routes={gateway.routes} /> : null}
    </section>
  );
}

function Lane({ listeners, routes, port }: { listeners: ListenerView[]; routes: RouteView[]; port: number }) {
  return (
    <div class="lane">
      <div class="node listener">
        {listeners.length === 0 ? <strong>:{port}</strong> : listeners.map((l) => <ListenerBox key={l.name} listener={l} />)}
      </div>
      <div class="arrow" aria-hidden="true" />
      <div class="routes">
        {routes.length === 0 ? <p class="muted small">no routes attached</p> : null}
        {routes.map((r) => {
          const match = describeRouteMatch(r.match);
          return (
            <div class="flow" key={`${r.route}#${r.rule}#${match}`}>
              <div class="node route">
                <div class="route-name">{r.route.replace(/^HTTPRoute\//, '')}</div>
                <code class="match">{match}</code>
                <Badges badges={describePolicies(r.policies)} />
              </div>
              <div class="arrow" aria-hidden="true" />
              <div class="backends">
                <Target route={r} />
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function ListenerBox({ listener }: { listener: ListenerView }) {
  return (
    <div class="listener-box" title={listener.problem ?? ''}>
      <strong>
        {listener.protocol} :{listener.port}
      </strong>
      <span class="small">{listener.name}</span>
      <span class="small">{listener.hostname ?? 'any host'}</span>
      {listener.certificates.map((c) => (
        <span key={c} class="small cert">
          TLS {c}
        </span>
      ))}
      {!listener.ready ? <span class="small bad-text">{listener.problem}</span> : null}
    </div>
  );
}

function Target({ route }: { route: RouteView }) {
  if (route.redirect) return <span class="node backend">redirect {route.redirect.statusCode}{route.redirect.hostname ? ` to ${route.redirect.hostname}` : ''}</span>;
  if (route.directResponse) return <span class="node backend">answers {route.directResponse.status}</span>;
  if (route.backends.length === 0) return <span class="node backend bad-text">no backend: 500</span>;
  const total = route.backends.reduce((sum, b) => sum + b.weight, 0) || 1;
  return (
    <>
      {route.backends.map((b) => (
        <span key={b.name} class="node backend">
          {b.name}
          {route.backends.length > 1 ? <span class="weight">{Math.round((b.weight / total) * 100)}%</span> : null}
        </span>
      ))}
    </>
  );
}

function Badges({ badges }: { badges: Badge[] }) {
  if (badges.length === 0) return <span class="badge none">no policy</span>;
  return (
    <span class="badges">
      {badges.map((b) => (
        <span key={b.text} class={`badge ${b.tone}`} title={b.source}>
          {b.text}
        </span>
      ))}
    </span>
  );
}

/** Above this many rules the table (the picture's twin) is drawn on request: the page stays quick. */
const LARGE = 100;

function LargeRouteTable({ routes }: { routes: RouteView[] }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="route-table" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Table of the {routes.length} route rules</summary>
      {open ? <RouteTable routes={routes} /> : null}
    </details>
  );
}

function RouteTable({ routes }: { routes: RouteView[] }) {
  return (
    <div class="table-wrap route-table">
      <table>
        <thead>
          <tr>
            <th>Route</th>
            <th>Port</th>
            <th>Hostnames</th>
            <th>Match</th>
            <th>Backends</th>
            <th>Policies</th>
          </tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <tr key={`${r.route}#${r.rule}#${describeRouteMatch(r.match)}#${r.port}`}>
              <td>
                {r.route} <span class="muted">rule {r.rule}</span>
              </td>
              <td>{r.port}</td>
              <td>{r.hostnames.join(', ')}</td>
              <td>
                <code>{describeRouteMatch(r.match)}</code>
              </td>
              <td>{r.backends.map((b) => `${b.name} (${b.weight})`).join(', ') || (r.redirect ? `redirect ${r.redirect.statusCode}` : r.directResponse ? `answers ${r.directResponse.status}` : '—')}</td>
              <td>
                <Badges badges={describePolicies(r.policies)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
