import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../service.js';
import { allPanels, createsInstrument, dashboardMetrics, documentedMetrics, sourceText, type Dashboard } from './observability-files.js';

const read = (relative: string): string => readFileSync(join(repoRoot, relative), 'utf8');
const dashboard = JSON.parse(read('deploy/observability/grafana/gatehouse.json')) as Dashboard;
const documented = documentedMetrics(read('README.md'));
const histograms = new Set(documented.filter((m) => m.type === 'histogram').map((m) => m.name));
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const serviceSources: Record<string, string> = {
  xds: sourceText(join(repoRoot, 'services/xds/src')),
  authz: sourceText(join(repoRoot, 'services/authz/src')),
  ratelimit: sourceText(join(repoRoot, 'services/ratelimit/src')),
  certs: sourceText(join(repoRoot, 'services/certs/src')),
  'every service': sourceText(join(repoRoot, 'packages/kit/src')),
};

describe('the Grafana dashboard', () => {
  it('has unique panel ids, a title and a query on every non-row panel, all on the provisioned datasource', () => {
    const panels = allPanels(dashboard);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const datasource = parse(read('deploy/observability/grafana/provisioning/datasources/prometheus.yaml')) as { datasources: Array<{ uid: string; url: string }> };
    const uid = datasource.datasources[0]!.uid;
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.title, `panel ${panel.id}`).toBeTruthy();
      expect(panel.datasource?.uid, panel.title).toBe(uid);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr.trim(), panel.title).not.toBe('');
    }
  });

  it('shows allowed and denied requests, limits hit, certificate expiry, NACKs and connected proxies', () => {
    const queries = allPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const shows = (pattern: RegExp): boolean => queries.some((q) => pattern.test(q));
    expect(shows(/sum by \(outcome\) \(rate\(gatehouse_authz_checks_total/)).toBe(true);
    expect(shows(/ratelimit_over_limit_total/)).toBe(true);
    expect(shows(/gatehouse_certs_seconds_until_expiry/)).toBe(true);
    expect(shows(/xds_nacks_total/)).toBe(true);
    expect(shows(/xds_connected_streams/)).toBe(true);
  });

  it('names only metrics documented in the README "Metrics" table, and shows every one of them', () => {
    const onDashboard = [...dashboardMetrics(dashboard, histograms)].sort();
    expect(onDashboard).toEqual(documented.map((m) => m.name).sort());
  });
});

describe('the README "Metrics" table', () => {
  it('lists each metric once with a type, a service and a meaning', () => {
    const names = documented.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThan(20);
    for (const metric of documented) {
      expect(['counter', 'gauge', 'histogram'], metric.name).toContain(metric.type);
      expect(Object.keys(serviceSources), metric.name).toContain(metric.service);
      expect(metric.meaning, metric.name).not.toBe('');
      if (metric.type === 'counter') expect(metric.name, 'Prometheus counters end in _total').toMatch(/_total$/);
    }
  });

  it('names instruments the services really create (source check; the integration test scrapes them)', () => {
    const missing = documented.filter((m) => !createsInstrument(serviceSources[m.service] ?? '', m.name)).map((m) => `${m.service}: ${m.name}`);
    expect(missing).toEqual([]);
  });

  it('would catch a metric the services do not create (the check is live)', () => {
    expect(createsInstrument(serviceSources.authz!, 'gatehouse_authz_checks_total')).toBe(true);
    expect(createsInstrument(serviceSources.authz!, 'gatehouse_authz_cheks_total')).toBe(false);
  });
});

describe('the observability compose profile', () => {
  const prometheus = parse(read('deploy/observability/prometheus.yml')) as {
    scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
  };

  it("scrapes each Gatehouse service on its compose ADMIN_PORT, and Envoy's stats listener", () => {
    const targets = Object.fromEntries(prometheus.scrape_configs.map((j) => [j.job_name, { path: j.metrics_path ?? '/metrics', targets: j.static_configs.flatMap((c) => c.targets) }]));
    for (const name of ['xds', 'certs', 'authz', 'ratelimit']) {
      expect(targets[name], name).toEqual({ path: '/metrics', targets: [`${name}:${compose.services[name].environment.ADMIN_PORT}`] });
    }
    expect(targets.envoy).toEqual({ path: '/stats/prometheus', targets: ['envoy:9902'] });
    const bootstrap = parse(read('deploy/envoy/envoy.yaml')) as { static_resources: { listeners: Array<{ name: string; address: { socket_address: { port_value: number } } }> } };
    expect(bootstrap.static_resources.listeners.find((l) => l.name === 'envoy-stats')?.address.socket_address.port_value).toBe(9902);
  });

  it('runs Prometheus and Grafana only in the "observability" profile, with files that exist', () => {
    for (const name of ['prometheus', 'grafana']) {
      const service = compose.services[name];
      expect(service.profiles).toEqual(['observability']);
      for (const volume of service.volumes as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(repoRoot, source)), source).toBe(true);
      }
    }
    const mounts = (compose.services.grafana.volumes as string[]).join('\n');
    const provider = parse(read('deploy/observability/grafana/provisioning/dashboards/gatehouse.yaml')) as { providers: Array<{ options: { path: string } }> };
    expect(mounts).toContain(`./deploy/observability/grafana/gatehouse.json:${provider.providers[0]!.options.path}/gatehouse.json`);
  });
});
