// A Gateway's EnvoyProxy where Envoy starts: `gatehouse bootstrap -f` puts its stats matcher and
// OpenTelemetry metrics sinks into the bootstrap (still a valid envoy.config.bootstrap.v3.Bootstrap) and prints the Envoy command line with
// its concurrency, log levels, drain time and extra arguments; a Gateway xds would not serve with its
// EnvoyProxy is an error naming why.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkEnvoyResource } from '@gatehouse/xds/testing';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const CONFIG = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: tuned }
spec:
  concurrency: 2
  logging: { level: { default: warn, upstream: debug, http: info } }
  shutdown: { drainTimeout: 1m30s }
  extraArgs: [--disable-hot-restart]
  telemetry:
    metrics:
      prometheus: { disable: true }
      sinks:
        - type: OpenTelemetry
          openTelemetry: { backendRefs: [{ name: otel-collector, port: 4317 }], reportCountersAsDeltas: true }
      matches:
        - { type: Prefix, value: cluster.backend }
        - { type: Exact, value: server.live }
        - { type: RegularExpression, value: "http\\\\..*\\\\.downstream_rq_5xx" }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: collector-settings }
spec:
  telemetry:
    metrics:
      sinks:
        - type: OpenTelemetry
          openTelemetry:
            host: 10.0.0.9
            backendSettings:
              timeout: { tcp: { connectTimeout: 3s } }
              circuitBreaker: { maxConnections: 4 }
              tcpKeepalive: { idleTime: 30s }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: collector-retry }
spec:
  telemetry:
    metrics:
      sinks:
        - type: OpenTelemetry
          openTelemetry: { host: otel.example.internal, backendSettings: { retry: { numRetries: 2 } } }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: reserved }
spec:
  extraArgs: [--config-path, /tmp/other.yaml]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web }
spec:
  gatewayClassName: gatehouse
  infrastructure: { parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: tuned } }
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: metered }
spec:
  gatewayClassName: gatehouse
  infrastructure: { parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: collector-settings } }
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: retrying }
spec:
  gatewayClassName: gatehouse
  infrastructure: { parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: collector-retry } }
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: plain }
spec:
  gatewayClassName: gatehouse
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: overridden }
spec:
  gatewayClassName: gatehouse
  infrastructure: { parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: reserved } }
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-envoyproxy-'));
  await writeFile(join(dir, 'gateway.yaml'), CONFIG);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { env: {}, fetch, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('gatehouse bootstrap -f (EnvoyProxy)', () => {
  it('puts telemetry.metrics.matches into the stats matcher and prints the Envoy command line', async () => {
    const out = join(dir, 'envoy.yaml');
    const r = await run('bootstrap', '--node-cluster', 'default/web', '--plaintext', '--out', out, '-f', dir);
    expect(r.code).toBe(0);
    const command = `envoy -c ${out} --concurrency 2 --log-level warn --component-log-level http:info,upstream:debug --drain-time-s 90 --disable-hot-restart`;
    expect(r.stderr).toContain(`start Envoy with: ${command}\n`);
    const text = await readFile(out, 'utf8');
    expect(text).toContain(`# start Envoy with: ${command}\n`);
    const bootstrap = parse(text) as Record<string, unknown>;
    expect(bootstrap.stats_config).toEqual({
      stats_matcher: { inclusion_list: { patterns: [{ prefix: 'cluster.backend' }, { exact: 'server.live' }, { safe_regex: { regex: 'http\\..*\\.downstream_rq_5xx' } }] } },
    });
    expect(bootstrap.stats_sinks).toEqual([
      {
        name: 'envoy.stat_sinks.open_telemetry',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.stat_sinks.open_telemetry.v3.SinkConfig',
          grpc_service: { envoy_grpc: { cluster_name: 'metrics/otel/default/otel-collector/4317' } },
          report_counters_as_deltas: true,
          report_histograms_as_deltas: false,
        },
      },
    ]);
    const clusters = (bootstrap.static_resources as { clusters: Array<{ name: string; type: string; load_assignment: unknown }> }).clusters;
    expect(clusters.map((c) => `${c.name} ${c.type}`)).toEqual(['gatehouse-xds STATIC', 'metrics/otel/default/otel-collector/4317 STRICT_DNS']);
    expect(JSON.stringify(clusters[1]!.load_assignment)).toContain('"address":"otel-collector","port_value":4317');
    expect(checkEnvoyResource('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
    // Prometheus stays on the local admin only, as with disable: true.
    expect(bootstrap.admin).toEqual({ address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } });
  });

  it("puts a metrics collector's backendSettings on its own cluster, and refuses a retry naming the field", async () => {
    const r = await run('bootstrap', '--node-cluster', 'default/metered', '--plaintext', '--output', 'json', '-f', dir);
    expect(r.code).toBe(0);
    const bootstrap = JSON.parse(r.stdout) as Record<string, unknown>;
    const name = 'metrics/otel/10.0.0.9/4317/settings/metrics.sinks[0].openTelemetry';
    expect((bootstrap.stats_sinks as Array<{ typed_config: { grpc_service: unknown } }>)[0]!.typed_config.grpc_service).toEqual({ envoy_grpc: { cluster_name: name } });
    const cluster = (bootstrap.static_resources as { clusters: Array<Record<string, unknown>> }).clusters.find((c) => c.name === name)!;
    expect(cluster).toMatchObject({
      type: 'STATIC',
      connect_timeout: '3s',
      circuit_breakers: { thresholds: [{ max_connections: 4 }] },
      upstream_connection_options: { tcp_keepalive: { keepalive_time: 30 } },
    });
    expect(checkEnvoyResource('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
    const refused = await run('bootstrap', '--node-cluster', 'default/retrying', '--plaintext', '-f', dir);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('spec.telemetry.metrics.sinks[0].openTelemetry.backendSettings.retry');
  });

  it('a Gateway without an EnvoyProxy gets the plain bootstrap', async () => {
    const r = await run('bootstrap', '--node-cluster', 'default/plain', '--plaintext', '--output', 'json', '-f', dir);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Record<string, unknown>).stats_config).toBeUndefined();
    expect(r.stderr).not.toContain('start Envoy with');
  });

  it('refuses a Gateway whose EnvoyProxy is refused, or that is not in the config', async () => {
    const refused = await run('bootstrap', '--node-cluster', 'default/overridden', '--plaintext', '-f', dir);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Gateway default/overridden is not served: InvalidParameters: EnvoyProxy default/reserved is not accepted: spec.extraArgs: --config-path cannot be provided');
    const missing = await run('bootstrap', '--node-cluster', 'default/nowhere', '--plaintext', '-f', dir);
    expect(missing.stderr).toContain('Gateway default/nowhere is not in the config');
  });
});

const MERGED = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: shared }
spec:
  controllerName: gatehouse.dev/gateway-controller
  parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: merged, namespace: infra }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: merged, namespace: infra }
spec: { mergeGateways: true, concurrency: 4 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: member, namespace: default }
spec:
  gatewayClassName: shared
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;

describe('gatehouse bootstrap for merged Gateways (EnvoyProxy mergeGateways)', () => {
  it("writes the fleet's bootstrap for node cluster <GatewayClass> with its certificate files and the class's EnvoyProxy", async () => {
    const merged = await mkdtemp(join(tmpdir(), 'gatehouse-merged-'));
    try {
      await writeFile(join(merged, 'gateway.yaml'), MERGED);
      const out = join(merged, 'envoy.yaml');
      const r = await run('bootstrap', '--node-cluster', 'shared', '--out', out, '--pki-dir', '/pki', '-f', merged);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`start Envoy with: envoy -c ${out} --concurrency 4\n`);
      const text = await readFile(out, 'utf8');
      expect(text).toMatch(/^# Envoy bootstrap for the merged Gateways of GatewayClass shared/);
      const bootstrap = parse(text) as { node: unknown };
      expect(bootstrap.node).toEqual({ id: 'shared-envoy', cluster: 'shared' });
      expect(checkEnvoyResource('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
      const sds = await readFile(join(merged, 'gatehouse-envoy-certificate.json'), 'utf8');
      expect(sds).toContain('"filename": "/pki/gatewayclass-shared.crt"');

      const member = await run('bootstrap', '--node-cluster', 'default/member', '--plaintext', '-f', merged);
      expect(member.code).not.toBe(0);
      expect(member.stderr).toContain('Gateway default/member is served by the merged fleet of GatewayClass shared (EnvoyProxy mergeGateways): use --node-cluster shared');
      const unmerged = await run('bootstrap', '--node-cluster', 'gatehouse', '--plaintext', '-f', dir);
      expect(unmerged.stderr).toContain('GatewayClass gatehouse serves no merged Gateways');
    } finally {
      await rm(merged, { recursive: true, force: true });
    }
  });
});

describe('gatehouse translate and EnvoyPatchPolicy', () => {
  it('judges EnvoyPatchPolicies with XDS_ENABLE_ENVOY_PATCH_POLICY as xds reads it', async () => {
    const policyDir = await mkdtemp(join(tmpdir(), 'gatehouse-epp-'));
    try {
      await writeFile(
        join(policyDir, 'gateway.yaml'),
        `${CONFIG}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyPatchPolicy
metadata: { name: buffer }
spec:
  targetRef: { group: gateway.networking.k8s.io, kind: Gateway, name: plain }
  type: JSONPatch
  jsonPatches:
    - type: type.googleapis.com/envoy.config.listener.v3.Listener
      name: default/plain/port/8080
      operation: { op: add, path: /per_connection_buffer_limit_bytes, value: 32768 }
`,
      );
      const translate = async (env: Record<string, string>) => {
        let stdout = '';
        const io: CliIo = { env, fetch, stdout: (t) => void (stdout += t), stderr: () => undefined };
        await runCli(['translate', '-f', policyDir, '--output', 'json', '--node-cluster', 'default/plain'], io);
        return stdout;
      };
      expect(await translate({})).not.toContain('per_connection_buffer_limit_bytes');
      expect(await translate({ XDS_ENABLE_ENVOY_PATCH_POLICY: 'true' })).toContain('"per_connection_buffer_limit_bytes": 32768');
    } finally {
      await rm(policyDir, { recursive: true, force: true });
    }
  });
});
